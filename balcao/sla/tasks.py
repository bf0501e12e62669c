"""SLA warnings and breaches, scheduled for their instant (``run_after``) when a clock changes;
stored by the task backend (database or Redis), so they survive restarts."""

from datetime import datetime

from django_tasks import task


@task()
def sla_alerts_task(ticket_id: int, alerts: list[list[str]]) -> None:
    """A clock's warnings and breaches, ``[instant, target, stage, due]`` each, in the order
    of their instants: those whose instant has come fire, once and only if still pending; the
    next go on as one task (``do_fire_alerts``)."""
    from balcao.sla.actions import do_fire_alerts

    do_fire_alerts(ticket_id, alerts)


@task()
def sla_alert_task(ticket_id: int, target: str, stage: str, due: str) -> None:
    """Warn before, or mark and announce, a breach — once, and only if still pending. One
    task per alert, as versions before issue 17 scheduled them: kept so that those already
    in a queue run."""
    from balcao.sla.actions import do_fire_alert

    do_fire_alert(ticket_id, target, stage, datetime.fromisoformat(due))


@task()
def fold_sla_counts_task() -> None:
    """Each minute (``core/periodic.py``): the breached clocks' counts, a row a department
    again."""
    from balcao.sla.actions import fold_sla_counts

    fold_sla_counts()
