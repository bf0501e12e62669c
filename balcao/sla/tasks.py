"""SLA warnings and breaches, scheduled for their instant (``run_after``) when a clock changes;
stored by the task backend (database or Redis), so they survive restarts."""

from datetime import datetime

from django_tasks import task


@task()
def sla_alert_task(ticket_id: int, target: str, stage: str, due: str) -> None:
    """Warn before, or mark and announce, a breach — once, and only if still pending."""
    from balcao.sla.actions import do_fire_alert

    do_fire_alert(ticket_id, target, stage, datetime.fromisoformat(due))
