from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "balcao.search"
    label = "search"
    verbose_name = "Search"
