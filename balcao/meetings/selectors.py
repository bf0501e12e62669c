"""Reads of meetings, for a viewer: who may book which kind, free slots, agendas."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.models import User, Viewer
from balcao.core.errors import ActionRefused, NotFound
from balcao.customers.models import Company, Contact, Plan
from balcao.customers.selectors import department_refusal, get_contact
from balcao.meetings.models import (
    KIND_CHANNEL,
    Block,
    Claim,
    Host,
    Kind,
    Meeting,
    MeetingStatus,
    parse_weekly,
)
from balcao.meetings.slots import Availability, free_slots, grid
from balcao.sla.calendar import Calendar, Span
from balcao.sla.models import BusinessCalendar
from balcao.sla.selectors import calendar_value

BRASILIA = ZoneInfo("America/Sao_Paulo")


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    host: Host


@dataclass(frozen=True)
class KindChoice:
    kind: str
    label: str
    refusal: str  # '' when the plan includes it


def local_today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(BRASILIA).date()


def kind_refusal(company: Company, kind: str) -> str:
    """Why ``company`` may not book ``kind`` ('' when it may), worded for its contacts: what
    would open it, as gated departments say."""
    if kind not in Kind.values:
        return _("Unknown kind of meeting.")
    channel = KIND_CHANNEL[Kind(kind)]
    if company.plan.allows_channel(channel):
        return ""
    opener = next(
        (p for p in Plan.objects.filter(tier__gt=company.plan.tier) if p.allows_channel(channel)),
        None,
    )
    if opener is None:
        return _("Your plan does not include these meetings.")
    return _("Meetings from the %(plan)s plan up: upgrading your plan opens them.") % {
        "plan": opener.localized("name")
    }


def kind_choices(company: Company) -> list[KindChoice]:
    return [KindChoice(k.value, str(k.label), kind_refusal(company, k.value)) for k in Kind]


def booking_contact(viewer: Viewer, kind: str) -> Contact:
    """The contact booking ``kind``, or refused (``forbidden``) with why: not a contact, or
    the plan lacks the kind — the same check for the page, the API and the action."""
    if kind not in Kind.values:
        raise ActionRefused(_("Unknown kind of meeting."), code="invalid")
    contact = get_contact(viewer)
    if contact is None:
        raise ActionRefused(
            _("Only the company's registered or authorized contacts can book meetings."),
            code="forbidden",
        )
    refusal = kind_refusal(contact.company, kind)
    if refusal:
        raise ActionRefused(refusal, code="forbidden")
    return contact


def horizon(plan: Plan, today: date) -> date:
    """The last local date a plan's company may book (read defensively: at least a day)."""
    days = plan.meeting_horizon_days if isinstance(plan.meeting_horizon_days, int) else 30
    return today + timedelta(days=min(max(days, 1), 365))


def availability(host: Host) -> Availability | None:
    """A host's hours, or None when what is stored cannot be read (no slots, not a failure)."""
    try:
        weekly = parse_weekly(host.weekly)
    except (ValueError, TypeError):
        return None
    return Availability(
        weekly=weekly,
        length=timedelta(minutes=host.length_minutes),
        buffer=timedelta(minutes=host.buffer_minutes),
    )


def _calendars(hosts: Iterable[Host]) -> dict[int, Calendar]:
    default: list[BusinessCalendar | None] = []

    def value(host: Host) -> Calendar:
        if host.calendar is not None:
            return calendar_value(host.calendar)
        if not default:
            default.append(BusinessCalendar.objects.filter(is_default=True).first())
        return calendar_value(default[0])

    return {host.pk: value(host) for host in hosts}


def _day_bounds(first: date, last: date) -> Span:
    return (
        datetime.combine(first - timedelta(days=1), time(), BRASILIA).astimezone(UTC),
        datetime.combine(last + timedelta(days=2), time(), BRASILIA).astimezone(UTC),
    )


def host_slots(
    hosts: list[Host],
    first: date,
    last: date,
    *,
    not_before: datetime,
    ignore: Meeting | None = None,
) -> list[Slot]:
    """Free slots of ``hosts`` on local dates ``first`` … ``last``, in order of time; the
    granules of ``ignore`` (a meeting being moved) count as free."""
    if not hosts or last < first:
        return []
    lo, hi = _day_bounds(first, last)
    taken: dict[int, set[datetime]] = defaultdict(set)
    claims = Claim.objects.filter(host__in=hosts, at__gte=lo, at__lt=hi)
    if ignore is not None:
        claims = claims.exclude(meeting=ignore)
    for host_id, at in claims.values_list("host_id", "at"):
        taken[host_id].add(at)
    blocked: dict[int, list[Span]] = defaultdict(list)
    for block in Block.objects.filter(host__in=hosts, end__gt=lo, start__lt=hi):
        blocked[block.host_id].append((block.start, block.end))
    calendars = _calendars(hosts)
    slots = []
    for host in hosts:
        hours = availability(host)
        if hours is None:
            continue
        for start, end in free_slots(
            calendars[host.pk],
            hours,
            first,
            last,
            taken=taken[host.pk],
            blocked=blocked[host.pk],
            not_before=not_before,
        ):
            slots.append(Slot(start, end, host))
    slots.sort(key=lambda s: (s.start, s.host.pk))
    return slots


def in_grid(hosts: list[Host], start: datetime) -> bool:
    """Whether a meeting of one of ``hosts`` could start at ``start`` at all (free or not)."""
    day = start.astimezone(BRASILIA).date()
    calendars = _calendars(hosts)
    for host in hosts:
        hours = availability(host)
        if hours and any(s == start for s, _end in grid(calendars[host.pk], hours, day, day)):
            return True
    return False


def active_hosts(kind: str) -> list[Host]:
    return list(
        Host.objects.filter(kind=kind, is_active=True, user__is_active=True).select_related(
            "user", "calendar", "department__min_plan", "department__required_addon"
        )
    )


def bookable_hosts(company: Company, kind: str) -> list[Host]:
    """The active hosts of ``kind`` whose department ``company``'s plan may use (an
    administrator may have put a host in a gated department); refused (``forbidden``) with
    the department's reason when there are hosts but none of them is."""
    hosts = active_hosts(kind)
    bookable = [h for h in hosts if not department_refusal(company, h.department)]
    if hosts and not bookable:
        raise ActionRefused(department_refusal(company, hosts[0].department), code="forbidden")
    return bookable


def list_slots(
    viewer: Viewer, kind: str, first: date, last: date, *, now: datetime | None = None
) -> list[Slot]:
    """The free slots a contact may book of ``kind`` between two local dates, cut to today …
    the plan's horizon; refused (``forbidden``) when the plan lacks the kind."""
    contact = booking_contact(viewer, kind)
    now = now or timezone.now()
    today = local_today(now)
    first, last = max(first, today), min(last, horizon(contact.company.plan, today))
    return host_slots(bookable_hosts(contact.company, kind), first, last, not_before=now)


def reschedule_slots(
    viewer: Viewer, meeting: Meeting, first: date, last: date, *, now: datetime | None = None
) -> list[Slot]:
    """The free slots of ``meeting``'s host the contact who booked it may move it to, cut to
    today … the plan's horizon (the meeting's own time counts as free)."""
    contact = booking_contact(viewer, meeting.kind)
    now = now or timezone.now()
    today = local_today(now)
    first, last = max(first, today), min(last, horizon(contact.company.plan, today))
    slots = host_slots([meeting.host], first, last, not_before=now, ignore=meeting)
    return [s for s in slots if s.start != meeting.start]


def visible_meetings(viewer: Viewer) -> QuerySet[Meeting]:
    """A contact sees its company's meetings (as its tickets); staff the meetings they host;
    administrators every one."""
    meetings = Meeting.objects.select_related("host__user", "ticket", "contact")
    if not isinstance(viewer, User):
        return meetings.none()
    if viewer.is_agent:
        return meetings if viewer.is_administrator else meetings.filter(host__user=viewer)
    return meetings.filter(company__contacts__user=viewer, company__is_active=True)


def get_meeting(viewer: Viewer, pk: int) -> Meeting:
    meeting = visible_meetings(viewer).filter(pk=pk).first()
    if meeting is None:
        raise NotFound(_("Meeting not found."))
    return meeting


def upcoming(meetings: QuerySet[Meeting], now: datetime | None = None) -> QuerySet[Meeting]:
    return meetings.filter(end__gt=now or timezone.now(), status=MeetingStatus.BOOKED)


def get_host(user: Viewer) -> Host | None:
    if not isinstance(user, User) or not user.is_agent:
        return None
    return Host.objects.select_related("user", "calendar").filter(user=user).first()


def list_hosts(viewer: Viewer) -> list[Host]:
    """Whose agenda the viewer may open: an administrator every host's, staff their own."""
    if not isinstance(viewer, User) or not viewer.is_agent:
        return []
    hosts = Host.objects.select_related("user", "calendar")
    return list(hosts if viewer.is_administrator else hosts.filter(user=viewer))


@dataclass(frozen=True)
class Agenda:
    host: Host
    first: date
    last: date
    meetings: list[Meeting]
    blocks: list[Block]


def host_agenda(host: Host, first: date, last: date) -> Agenda:
    """A host's meetings (cancelled ones too: what happened to them) and blocked time."""
    lo = datetime.combine(first, time(), BRASILIA)
    hi = datetime.combine(last + timedelta(days=1), time(), BRASILIA)
    meetings = list(
        Meeting.objects.filter(host=host, start__lt=hi, start__gte=lo).select_related(
            "ticket", "contact", "company", "host__user"
        )
    )
    blocks = list(Block.objects.filter(host=host, end__gt=lo, start__lt=hi))
    return Agenda(host, first, last, meetings, blocks)


def month_bounds(instant: datetime) -> Span:
    local = instant.astimezone(BRASILIA).date().replace(day=1)
    following = (local + timedelta(days=32)).replace(day=1)
    return (
        datetime.combine(local, time(), BRASILIA).astimezone(UTC),
        datetime.combine(following, time(), BRASILIA).astimezone(UTC),
    )


def meetings_in_month(company: Company, instant: datetime) -> int:
    """The company's meetings (not cancelled) in the local month of ``instant``."""
    lo, hi = month_bounds(instant)
    return (
        Meeting.objects.filter(company=company, start__gte=lo, start__lt=hi)
        .exclude(status=MeetingStatus.CANCELLED)
        .count()
    )
