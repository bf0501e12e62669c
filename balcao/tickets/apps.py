from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "balcao.tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from balcao.core.periodic import register_periodic
        from balcao.tickets.tasks import fold_ticket_counts_task

        register_periodic(fold_ticket_counts_task, timedelta(minutes=1))
