from datetime import timedelta

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "balcao.sla"
    verbose_name = _("SLA and business hours")

    def ready(self) -> None:
        from balcao.core.periodic import register_periodic
        from balcao.sla.actions import policies_changed
        from balcao.sla.models import BusinessCalendar, SlaPolicy
        from balcao.sla.tasks import fold_sla_counts_task

        register_periodic(fold_sla_counts_task, timedelta(minutes=1))

        # Every process keeps a copy of the policies and calendars (sla/selectors.py): any
        # change, from the admin, the settings pages or code, gives them a new version.
        for model in (SlaPolicy, BusinessCalendar):
            post_save.connect(policies_changed, sender=model, dispatch_uid=f"sla-{model.__name__}")
            post_delete.connect(
                policies_changed, sender=model, dispatch_uid=f"sla-{model.__name__}-gone"
            )
