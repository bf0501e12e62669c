from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "balcao.privacy"
    verbose_name = _("Personal data (LGPD)")

    def ready(self) -> None:
        from balcao.core.periodic import register_periodic
        from balcao.privacy import checks  # noqa: F401  (registers the system check)
        from balcao.privacy.tasks import apply_retention_task

        register_periodic(apply_retention_task, timedelta(days=1))
