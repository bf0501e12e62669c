from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "balcao.core"
    verbose_name = _("Core")

    def ready(self):
        from django.conf import settings

        from balcao.core import checks  # noqa: F401  (registers the deploy checks)

        if "django_rq" in settings.INSTALLED_APPS:
            from balcao.core.rq import share_connections

            share_connections()
