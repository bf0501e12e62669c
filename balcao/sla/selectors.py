"""Reads of SLA clocks, policies and channel hours, for a viewer; no N+1, constant queries."""

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Aggregate, Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.models import Department, User, Viewer
from balcao.core.models import Counter
from balcao.core.prepared import prepared_rows
from balcao.customers.models import Channel, Company, Plan
from balcao.customers.selectors import get_contact
from balcao.sla.calendar import Calendar
from balcao.sla.hours import open_sentence, weekly_hours
from balcao.sla.models import (
    UNMARKED,
    BusinessCalendar,
    ChannelHours,
    ClockState,
    RealtimeChannel,
    SlaCount,
    SlaPolicy,
    TicketSla,
)
from balcao.sla.profile import default_calendar
from balcao.tickets.models import Status, Ticket
from balcao.tickets.selectors import stand_in, visible_departments, visible_tickets

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Targets:
    calendar: BusinessCalendar | None
    first_response_minutes: int
    next_response_minutes: int | None
    resolution_minutes: int | None


# The per-process copy of every SLA policy and the default calendar, and the token of the
# database's version it was read at (a Counter row that every change of a policy or a
# calendar sets to a new random value, in the change's own transaction: a value rolled back
# never comes back, so a copy read inside a transaction that rolled back is never taken for
# a later one). Each ticket opened reads the token (one query) instead of the policies and
# the default calendar (two).
POLICIES_VERSION = "sla_policies"


@dataclass(frozen=True)
class _Policies:
    token: int | None
    by_key: dict[tuple[int, int | None], SlaPolicy]  # (department, plan or None)
    default_calendar: BusinessCalendar | None


_policies: _Policies | None = None


def policies_token() -> int | None:
    """The policies' version token: made by a migration, moved by every change
    (``sla.actions.policies_changed``); None in a database emptied since (restored,
    flushed) until the next change."""
    return Counter.objects.filter(name=POLICIES_VERSION).values_list("value", flat=True).first()


def _current_policies(token: int | None = None) -> _Policies:
    """The per-process copy under ``token``; without a token, read afresh and not kept (a
    change would not move it)."""
    global _policies
    if token is None:
        token = policies_token()  # before the policies: a change in between only reloads again
    cached = _policies
    if cached is not None and token is not None and cached.token == token:
        return cached
    calendars = {c.pk: c for c in BusinessCalendar.objects.all()}
    by_key = {}
    for policy in SlaPolicy.objects.all():
        policy.calendar = calendars.get(policy.calendar_id) if policy.calendar_id else None
        by_key[(policy.department_id, policy.plan_id)] = policy
    default = next((c for c in calendars.values() if c.is_default), None)
    loaded = _Policies(token, by_key, default)
    if token is not None:
        _policies = loaded
    return loaded


def policy_for(company: Company, department: Department, *, token: int | None = None) -> Targets:
    """Each target from the company's contract where it sets one (R15, "vide contrato"), else
    from the department's policy for the plan, else for every plan, else the plan's; on the
    policy's calendar, else the default one. ``token``: the policies' version, when the
    caller read it already in the same transaction."""
    plan = company.plan
    policies = _current_policies(token)
    policy = policies.by_key.get((department.pk, plan.pk)) or policies.by_key.get(
        (department.pk, None)
    )
    calendar: BusinessCalendar | None
    if policy is not None and policy.calendar:
        calendar = policy.calendar
    else:
        calendar = policies.default_calendar
    source: SlaPolicy | Plan = policy if policy is not None else plan
    first = company.contract_first_response_minutes
    following = company.contract_next_response_minutes
    resolution = company.contract_resolution_minutes
    return Targets(
        calendar=calendar,
        first_response_minutes=source.first_response_minutes if first is None else first,
        next_response_minutes=source.next_response_minutes if following is None else following,
        resolution_minutes=source.resolution_minutes if resolution is None else resolution,
    )


BAD_VALUE = (ValueError, TypeError, LookupError, AttributeError)


@lru_cache(maxsize=64)
def _calendar(spec: str) -> Calendar:
    data = json.loads(spec)
    return Calendar.build(data.pop("tz"), data.pop("weekly"), **data)


def _spec(calendar: BusinessCalendar) -> str:
    return json.dumps(
        {
            "tz": calendar.tz,
            "weekly": calendar.weekly,
            "observe_holidays": calendar.observe_holidays,
            "subdivision": calendar.subdivision,
            "carnival": calendar.carnival,
            "closed": calendar.closed_dates,
            "open_days": calendar.open_dates,
        },
        sort_keys=True,
    )


def calendar_problem(calendar: BusinessCalendar) -> str:
    """Why a stored calendar cannot be read ('' when it can), for warning staff."""
    try:
        _calendar(_spec(calendar))
    except BAD_VALUE as error:
        return str(error) or type(error).__name__
    return ""


def calendar_value(calendar: BusinessCalendar | None) -> Calendar:
    """The pure calendar of a stored one (cached by content), or the default profile's — also
    when the stored one cannot be read (an older version's value, a hand edit): customers get
    the default hours, staff a warning in the log and in the admin."""
    if calendar is None:
        return _default()
    try:
        return _calendar(_spec(calendar))
    except BAD_VALUE:
        logger.warning(
            "Business calendar %r cannot be read; the default hours count.", calendar.slug
        )
        return _default()


@lru_cache(maxsize=1)
def _default() -> Calendar:
    return default_calendar()


def calendar_of(sla: TicketSla) -> Calendar:
    return calendar_value(sla.calendar)


# --- the state of a clock, as everyone sees it ----------------------------------------------


@dataclass(frozen=True)
class SlaStatus:
    state: str  # running | paused | met | breached | none
    at_risk: bool = False
    first_response_due: datetime | None = None
    next_response_due: datetime | None = None
    resolution_due: datetime | None = None
    next_due: datetime | None = None

    def as_api(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "first_response_due": self.first_response_due,
            "next_response_due": self.next_response_due,
            "resolution_due": self.resolution_due,
        }


NO_SLA = SlaStatus("none")


@dataclass(frozen=True, slots=True)
class Clock:
    """A ticket's SLA clock as a list reads it, without its model instance: the columns
    ``sla_status`` reads (``CLOCK_FIELDS``), ``breached`` as ``TicketSla.breached``."""

    state: str
    next_due: datetime | None
    at_risk_from: datetime | None
    first_response_due: datetime | None
    first_response_at: datetime | None
    next_response_due: datetime | None
    resolution_due: datetime | None
    breached: bool

    @classmethod
    def of(cls, values: Sequence[Any]) -> "Clock | None":
        """From the values of ``CLOCK_FIELDS``, in order; None for a ticket without one."""
        state, next_due, at_risk, first_due, first_at, next_response, resolution, *breached = values
        if state is None:
            return None
        return cls(
            state, next_due, at_risk, first_due, first_at, next_response, resolution, any(breached)
        )


CLOCK_FIELDS = (
    "state",
    "next_due",
    "at_risk_from",
    "first_response_due",
    "first_response_at",
    "next_response_due",
    "resolution_due",
    "first_response_breached",
    "next_response_breached",
    "resolution_breached",
)


def sla_status(sla: TicketSla | Clock | None, now: datetime | None = None) -> SlaStatus:
    """Due instants still pending (none once met or stopped) and the state: breached as soon
    as a due passes, even before its task ran."""
    if sla is None:
        return NO_SLA
    now = now or timezone.now()
    overdue = sla.next_due is not None and sla.next_due <= now
    if sla.state == ClockState.STOPPED:
        state = "breached" if sla.breached else "met"
    elif sla.breached or overdue:
        state = "breached"
    else:
        state = sla.state
    return SlaStatus(
        state=state,
        at_risk=state == "running" and sla.at_risk_from is not None and sla.at_risk_from <= now,
        first_response_due=sla.first_response_due
        if sla.first_response_at is None and sla.state != ClockState.STOPPED
        else None,
        next_response_due=sla.next_response_due,
        resolution_due=sla.resolution_due,
        next_due=sla.next_due,
    )


def ticket_sla(ticket: Ticket) -> SlaStatus:
    """The SLA of one ticket the caller already may see (one query)."""
    return sla_status(TicketSla.objects.filter(ticket_id=ticket.pk).first())


def expected_answer(ticket: Ticket) -> datetime | None:
    """When the contract says the team answers next (R15), while it is the team's turn; an
    unlinked ticket has no SLA (R7)."""
    if not ticket.linked:
        return None
    # a page that joined the clock (select_related("sla")) reads no more, as the badge
    joined = Ticket.sla.is_cached(ticket)
    sla = sla_status(getattr(ticket, "sla", None)) if joined else ticket_sla(ticket)
    if sla.state != "running":
        return None
    return sla.next_response_due or sla.first_response_due


def breach_queue(viewer: Viewer) -> QuerySet[Ticket]:
    """Open tickets the viewer may see whose clock runs, what breaches first on top."""
    return (
        visible_tickets(viewer)
        .filter(sla__state=ClockState.RUNNING, sla__next_due__isnull=False)
        .exclude(status=Status.CLOSED)
        .select_related("department", "company__plan", "assignee", "sla")
        .order_by("sla__next_due", "id")
    )


def sla_counts(viewer: Viewer) -> dict[int, tuple[int, int]]:
    """Per department the viewer sees (by id): the live clocks at risk, and breached — those
    marked breached, as the database counts them (``SlaCount``: a few rows a department), and
    those past due not yet marked (their alert has not run) — in one query of a row a
    department. What is read of the clocks is the unmarked ones whose warning or due has come,
    along their partial indexes: where the alerts run, a few, whatever the number of live
    clocks; no ticket is read. The same counts as counting every live clock, breached when past
    due or marked (console/tests/test_queue_counts.py)."""
    if not isinstance(viewer, User) or not viewer.is_agent:
        return {}

    def counts(pk: int, now: datetime) -> QuerySet[Any, Any]:
        unmarked = TicketSla.objects.filter(UNMARKED)
        return (
            visible_departments(stand_in(viewer, pk))
            .order_by()
            .annotate(
                at_risk=_per_department(
                    unmarked.filter(at_risk_from__lte=now, next_due__gt=now), Count("pk")
                ),
                late=_per_department(unmarked.filter(next_due__lte=now), Count("pk")),
                marked=_per_department(SlaCount.objects.all(), Sum("n")),
            )
            .values_list("pk", "at_risk", "late", "marked")
        )

    # its SQL built once per role (core.prepared): compiling its three subqueries cost the
    # ORM ~4 ms of every console home made again
    shape = ("sla_counts", viewer.role, viewer.is_superuser)
    rows = prepared_rows(shape, counts, viewer.pk, timezone.now())
    return {pk: (at_risk, late + marked) for pk, at_risk, late, marked in rows}


def _per_department(rows: QuerySet[Any], total: Aggregate) -> Coalesce:
    """``total`` of the ``rows`` of the department of the outer query's row, 0 for none."""
    of_department = rows.filter(department=OuterRef("pk")).order_by().values("department")
    return Coalesce(Subquery(of_department.annotate(total=total).values("total")), 0)


# --- channel hours (R13, R14) --------------------------------------------------------------


@dataclass(frozen=True)
class ChannelState:
    channel: str
    name: str
    available_in_plan: bool
    open_now: bool
    opens_at: datetime | None
    hours: str = ""  # "Monday to Friday, 9:00–17:00 (Brasília time), closed on holidays"
    state: str = ""  # "open now", "opens monday at 9:00", "by appointment"
    by_appointment: bool = False  # meetings: booked for a time within the hours


MEETINGS = (Channel.MEETING_CONSULTANT, Channel.MEETING_MARKETING)


def company_channels(
    company: Company | None,
    now: datetime | None = None,
    viewer_zone: tzinfo | None = None,
    *,
    meetings: bool = False,
) -> list[ChannelState]:
    """Each real-time channel: whether the company's plan includes it (channels the plans do
    not list are everyone's; staff see all), its weekly hours, open now or when it opens (in
    Brasília time, and in ``viewer_zone``, by default the active one, when it differs). The
    phone is left out for a plan without it: its number is only for the plans that include it
    (R14). With ``meetings``, the meetings too: on the default business calendar, booked, not
    walked into (one query more)."""
    now = now or timezone.now()
    viewer_zone = viewer_zone or timezone.get_current_timezone()
    stored = [
        (hours.channel, hours.get_channel_display(), calendar_value(hours.calendar))
        for hours in ChannelHours.objects.select_related("calendar")
    ]
    # None stored (all removed, or a database not migrated from scratch): the default hours.
    channels = stored or [(c.value, str(c.label), _default()) for c in RealtimeChannel]
    if meetings:
        business = calendar_value(BusinessCalendar.objects.filter(is_default=True).first())
        channels += [(c.value, str(c.label), business) for c in MEETINGS]
    states = []
    for channel, name, cal in channels:
        allowed = company is None or company.plan.allows_channel(channel)
        if channel == Channel.PHONE and not allowed:
            continue
        appointment = channel in MEETINGS
        is_open, opens_at, sentence = open_sentence(cal, now, viewer_zone)
        states.append(
            ChannelState(
                channel=channel,
                name=str(name),
                available_in_plan=allowed or channel not in Channel.values,
                open_now=is_open,
                opens_at=opens_at,
                hours=weekly_hours(cal),
                state=_("by appointment") if appointment else sentence,
                by_appointment=appointment,
            )
        )
    return states


def _zone_of(viewer: Viewer) -> tzinfo | None:
    """The viewer's own time zone, when set and known (else the active one counts)."""
    try:
        return (
            ZoneInfo(getattr(viewer, "time_zone", "")) if getattr(viewer, "time_zone", "") else None
        )
    except (ValueError, ZoneInfoNotFoundError):
        return None


def viewer_channels(viewer: Viewer) -> list[ChannelState]:
    """The channels of the viewer's company (a contact), or all of them (staff), their times
    also in the viewer's own zone (an API caller has no page to set it)."""
    zone = _zone_of(viewer)
    if getattr(viewer, "is_agent", False):
        return company_channels(None, viewer_zone=zone, meetings=True)
    contact = get_contact(viewer)
    if contact is None:
        return []
    return company_channels(contact.company, viewer_zone=zone, meetings=True)


def ticket_calendar(ticket: Ticket) -> Calendar:
    """The business calendar a ticket's time is counted in: its SLA clock's, else the default."""
    clock = TicketSla.objects.select_related("calendar").filter(ticket=ticket).first()
    return calendar_value(clock.calendar if clock else None)
