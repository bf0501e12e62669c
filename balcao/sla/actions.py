"""The SLA clock of a ticket, told by the ticket actions inside their transaction (R15).

- A linked ticket's clock starts when it is opened, or when it is linked; unlinked, none.
- First response: met at the first public answer of the team.
- Resolution: counts business time while the team owes the ticket something; paused while it
  is Answered (waiting for the customer), ended at Closed. Reopening resumes it with the time
  already used — a reopened ticket was not resolved — and a breach stays a breach.
- Next response: due after each message of the customer once the first response was given;
  met at the team's next public answer.
- Warnings (at 80 % of a target) and breaches are scheduled on commit, all of a clock's change
  as one task at the first of their instants; when it runs, those whose instant has come
  re-check and fire once, the others still pending go on as one task at the next instant.
"""

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from balcao.accounts.models import User
from balcao.core.counts import fold_counts
from balcao.core.enqueue import enqueue_all
from balcao.core.models import Counter
from balcao.core.prepared import prepared_insert, prepared_instance
from balcao.events.actions import (
    sla_breached_event,
    sla_paused_event,
    sla_resumed_event,
    sla_started_event,
    sla_stopped_event,
    sla_warning_event,
)
from balcao.notifications.actions import notify_later
from balcao.sla import tasks
from balcao.sla.calendar import add_business, business_time
from balcao.sla.models import ClockState, SlaAlert, Target, TicketSla
from balcao.sla.selectors import POLICIES_VERSION, calendar_of, policy_for
from balcao.tickets.models import Priority, PriorityPolicy, Status, Ticket

WARN_AT = 0.8


def policies_changed(**_signal: object) -> None:
    """A policy or a calendar changed: a new version token, so that every process reads the
    policies again before its next clock (a random value, never one rolled back before)."""
    Counter.objects.update_or_create(
        name=POLICIES_VERSION, defaults={"value": secrets.randbits(62) + 1}
    )


# (target, due, warning) of a target still running
Pending = list[tuple[str, datetime, datetime | None]]


def _due(
    sla: TicketSla, start: datetime, minutes: int, used: timedelta = timedelta(0)
) -> tuple[datetime, datetime]:
    """(due, warning instant) of a target of ``minutes`` counted from ``start``."""
    cal = calendar_of(sla)
    target = timedelta(minutes=minutes)
    return (
        add_business(cal, start, max(target - used, timedelta(0))),
        add_business(cal, start, max(target * WARN_AT - used, timedelta(0))),
    )


def _pending(sla: TicketSla) -> Pending:
    """(target, due, warning) of every target still running."""
    pending: Pending = []
    if sla.first_response_at is None and sla.state != ClockState.STOPPED:
        pending.append((Target.FIRST_RESPONSE, sla.first_response_due, sla.first_response_warn))
    if sla.next_response_due:
        pending.append((Target.NEXT_RESPONSE, sla.next_response_due, sla.next_response_warn))
    if sla.resolution_due:
        pending.append((Target.RESOLUTION, sla.resolution_due, sla.resolution_warn))
    return pending


def _save(sla: TicketSla, *, created: bool = False) -> None:
    pending = _pending(sla)
    sla.next_due = min((due for _t, due, _w in pending), default=None)
    sla.at_risk_from = min((warn for _t, _d, warn in pending if warn), default=None)
    if created:
        prepared_insert(sla)  # its SQL built once (core.prepared): a clock per new ticket
    else:
        sla.save()
    transaction.on_commit(lambda: _schedule(sla.ticket_id, pending))


# (instant, target, stage, due) of an alert, in ISO 8601: a task's arguments
Alert = tuple[str, str, str, str]


def _schedule(ticket_id: int, pending: Pending) -> None:
    """The alerts of the targets still running, as one task at the first of their instants
    (issue 17: was one task each, four for a new ticket)."""
    alerts: list[tuple[datetime, str, str, datetime]] = []
    for target, due, warn in pending:
        if warn and warn < due:
            alerts.append((warn, target, SlaAlert.Stage.WARNING, due))
        alerts.append((due, target, SlaAlert.Stage.BREACH, due))
    alerts.sort()
    _schedule_alerts(
        ticket_id,
        [(at.isoformat(), target, stage, due.isoformat()) for at, target, stage, due in alerts],
    )


def _schedule_alerts(ticket_id: int, alerts: Sequence[Alert]) -> None:
    if alerts:
        first = datetime.fromisoformat(alerts[0][0])
        enqueue_all([(tasks.sla_alerts_task.using(run_after=first), (ticket_id, list(alerts)))])


def do_fire_alerts(ticket_id: int, alerts: Sequence[Sequence[str]]) -> None:
    """A clock's alerts scheduled together (in the order of their instants): those whose
    instant has come fire (each once, if still pending: ``do_fire_alert``); those to come,
    whose target is still pending with that due instant, are scheduled first, as one task at
    the next instant, so that a failure while firing loses none. An alert of a target met,
    paused or moved meanwhile is dropped: the change that moved it scheduled its own."""
    now = timezone.now()
    come = [alert for alert in alerts if datetime.fromisoformat(alert[0]) <= now]
    later = [alert for alert in alerts if datetime.fromisoformat(alert[0]) > now]
    if later:
        sla = TicketSla.objects.filter(ticket_id=ticket_id).first()
        _schedule_alerts(
            ticket_id,
            [
                (at, target, stage, due)
                for at, target, stage, due in later
                if sla is not None and _current_due(sla, target) == datetime.fromisoformat(due)
            ],
        )
    for _at, target, stage, due in come:
        do_fire_alert(ticket_id, target, stage, datetime.fromisoformat(due))


def priority_share(priority: str) -> int:
    """The percentage of the SLA targets a ticket of ``priority`` gets (PriorityPolicy). The
    contract's targets are those of a normal ticket (R15): always all of them, no query."""
    if priority == Priority.NORMAL:
        return 100
    policy = PriorityPolicy.objects.filter(priority=priority).first()
    return policy.sla_percent if policy else 100


def _scaled(minutes: float, percent: int) -> int:
    return max(1, round(minutes * percent / 100))


def _scaled_optional(minutes: float | None, percent: int) -> int | None:
    return None if minutes is None else _scaled(minutes, percent)


def do_start_clock(
    ticket: Ticket, *, actor: User | None, policies_token: int | None = None
) -> TicketSla | None:
    """Start the clock of a linked ticket now (opening or linking); it follows the ticket's
    current status (a ticket linked while Answered starts paused, its answer counted). The
    targets are the policy's, shortened by the ticket's priority. ``policies_token``: the
    policies' version when the caller read it already (with the ticket's number)."""
    company = ticket.company
    if company is None:
        return None
    policy = policy_for(company, ticket.department, token=policies_token)
    share = priority_share(ticket.priority)
    now = timezone.now()
    sla = TicketSla(
        ticket=ticket,
        department_id=ticket.department_id,
        calendar=policy.calendar,
        first_response_minutes=_scaled(policy.first_response_minutes, share),
        next_response_minutes=_scaled_optional(policy.next_response_minutes, share),
        resolution_minutes=_scaled_optional(policy.resolution_minutes, share),
        state=ClockState.RUNNING,
        started_at=now,
        running_since=now,
    )
    sla.first_response_due, sla.first_response_warn = _due(sla, now, sla.first_response_minutes)
    if sla.resolution_minutes:
        sla.resolution_due, sla.resolution_warn = _due(sla, now, sla.resolution_minutes)
    sla_started_event(
        ticket=ticket,
        actor=actor,
        first_response_due=sla.first_response_due,
        resolution_due=sla.resolution_due,
    )
    if ticket.status in (Status.ANSWERED, Status.CLOSED):
        _follow(sla, ticket, ticket.status, actor, now)
    _save(sla, created=True)
    return sla


def _locked_clock(ticket: Ticket) -> TicketSla | None:
    """The ticket's clock under its row lock, with its calendar (SQL built once per process:
    every status change reads it)."""
    return prepared_instance("locked_clock", _clock_of, ticket.pk)


def _clock_of(ticket_id: int) -> QuerySet[TicketSla]:
    return (
        TicketSla.objects.select_for_update(of=("self",))
        .select_related("calendar")
        .filter(ticket=ticket_id)
    )


def do_update_clock(ticket: Ticket, *, status: str, actor: User | None) -> None:
    """The ticket moved to ``status``: met, paused, resumed or stopped targets follow."""
    sla = _locked_clock(ticket)
    if sla is None:
        return
    _follow(sla, ticket, status, actor, timezone.now())
    _save(sla)


def do_reprioritize_clock(ticket: Ticket, *, old: str, new: str) -> None:
    """The ticket's priority changed from ``old`` to ``new``: its targets are scaled by the
    two priorities' shares, and the pending first response and resolution are due anew
    (counted from when they started); a next response already due keeps its instant, the
    following ones get the new target."""
    sla = _locked_clock(ticket)
    if sla is None or sla.state == ClockState.STOPPED:
        return
    before, after = priority_share(old), priority_share(new)
    sla.first_response_minutes = _scaled(sla.first_response_minutes * 100 / before, after)
    for field in ("next_response_minutes", "resolution_minutes"):
        minutes = getattr(sla, field)
        setattr(
            sla, field, _scaled_optional(None if minutes is None else minutes * 100 / before, after)
        )
    if sla.first_response_at is None:
        sla.first_response_due, sla.first_response_warn = _due(
            sla, sla.started_at, sla.first_response_minutes
        )
    if sla.state == ClockState.RUNNING and sla.resolution_minutes and sla.running_since:
        sla.resolution_due, sla.resolution_warn = _due(
            sla, sla.running_since, sla.resolution_minutes, sla.resolution_used
        )
    _save(sla)


def _follow(sla: TicketSla, ticket: Ticket, status: str, actor: User | None, now: datetime) -> None:
    if status == Status.ANSWERED:
        if sla.first_response_at is None:
            sla.first_response_at = now
            sla.first_response_time = business_time(calendar_of(sla), sla.started_at, now)
            sla.first_response_breached = now > sla.first_response_due
        if sla.next_response_due:
            sla.next_response_breached |= now > sla.next_response_due
            sla.next_response_due = sla.next_response_warn = None
        if sla.state != ClockState.PAUSED:
            _stop_running(sla, now)
            sla.state = ClockState.PAUSED
            sla_paused_event(
                ticket=ticket, actor=actor, first_response_breached=sla.first_response_breached
            )
    elif status == Status.CLOSED:
        if sla.first_response_at is None:
            sla.first_response_breached = now > sla.first_response_due
        if sla.next_response_due:
            sla.next_response_breached |= now > sla.next_response_due
            sla.next_response_due = sla.next_response_warn = None
        _stop_running(sla, now)
        sla.state = ClockState.STOPPED
        sla.stopped_at = now
        sla_stopped_event(ticket=ticket, actor=actor, breached=sla.breached)
    else:
        resumed = sla.state != ClockState.RUNNING
        if resumed:
            sla.state = ClockState.RUNNING
            sla.running_since, sla.stopped_at = now, None
            if sla.resolution_minutes:
                sla.resolution_due, sla.resolution_warn = _due(
                    sla, now, sla.resolution_minutes, sla.resolution_used
                )
        if (
            status == Status.CUSTOMER_REPLY
            and sla.first_response_at
            and sla.next_response_minutes
            and not sla.next_response_due
        ):
            sla.next_response_due, sla.next_response_warn = _due(
                sla, now, sla.next_response_minutes
            )
        if resumed:
            sla_resumed_event(
                ticket=ticket,
                actor=actor,
                next_response_due=sla.next_response_due,
                resolution_due=sla.resolution_due,
            )


def _stop_running(sla: TicketSla, now: datetime) -> None:
    if sla.state == ClockState.RUNNING:
        assert sla.running_since is not None  # a running clock has a start
        sla.resolution_used += business_time(calendar_of(sla), sla.running_since, now)
        if sla.resolution_minutes:
            sla.resolution_breached |= sla.resolution_used > timedelta(
                minutes=sla.resolution_minutes
            )
    sla.running_since = sla.resolution_due = sla.resolution_warn = None


def _current_due(sla: TicketSla, target: str) -> datetime | None:
    for pending, due, _warn in _pending(sla):
        if pending == target:
            return due
    return None


def do_fire_alert(ticket_id: int, target: str, stage: str, due: datetime) -> bool:
    """A scheduled warning or breach: fires once, only if that target is still pending with
    that due instant; records the Event; a warning is an agents' notification, a breach is
    marked and e-mailed to who should act."""
    with transaction.atomic():
        sla = (
            TicketSla.objects.select_for_update(of=("self",))
            .select_related("calendar", "ticket__assignee", "ticket__department")
            .filter(ticket_id=ticket_id)
            .first()
        )
        if sla is None or _current_due(sla, target) != due:
            return False
        try:
            with transaction.atomic():
                SlaAlert.objects.create(sla=sla, target=target, stage=stage, due=due)
        except IntegrityError:
            return False
        ticket = sla.ticket
        if stage == SlaAlert.Stage.BREACH:
            setattr(sla, f"{target}_breached", True)
            sla.save(update_fields=[f"{target}_breached"])
        if stage != SlaAlert.Stage.BREACH:
            # A warning is one of the agents' notifications: each chooses how it reaches them.
            notify_later(sla_warning_event(ticket=ticket, target=target, due=due))
            return True
        sla_breached_event(ticket=ticket, target=target, due=due)
        recipients = _recipients(ticket)
    _notify(ticket, target, due, recipients)
    return True


def _recipients(ticket: Ticket) -> list[str]:
    """The assignee, or else the department's active staff."""
    assignee = ticket.assignee
    if assignee is not None and assignee.is_active:
        return [assignee.email]
    return list(
        ticket.department.members.filter(is_active=True)
        .exclude(role="")
        .order_by("email")
        .values_list("email", flat=True)
    )


def _notify(ticket: Ticket, target: str, due: datetime, recipients: Sequence[str]) -> None:
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        values = {
            "number": ticket.number,
            "subject": ticket.subject,
            "target": Target(target).label,
            "due": timezone.localtime(due).strftime("%d/%m/%Y %H:%M"),
        }
        subject = _("[#%(number)s] SLA breached: %(target)s") % values
        body = (
            _("Ticket #%(number)s “%(subject)s” passed its %(target)s due time (%(due)s).") % values
        )
        link = settings.SITE_URL + reverse("console:ticket", args=[ticket.number])
        send_mail(subject, f"{body}\n\n{link}\n", settings.DEFAULT_FROM_EMAIL, recipients)


def fold_sla_counts() -> tuple[int, int]:
    """Fold the breached clocks' counts (``SlaCount``, written by its triggers), a row a
    department again (core.counts). Returns (rows folded, rows they became)."""
    return fold_counts("sla_slacount", ("department_id",))
