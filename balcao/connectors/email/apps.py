from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailConnectorConfig(AppConfig):
    name = "balcao.connectors.email"
    label = "mail"
    verbose_name = _("E-mail")
