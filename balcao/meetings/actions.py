"""Every change to a meeting: atomic, checked on the server, kept in its ticket's history.

A booking claims its granules (``Claim``, unique per host and instant) in a savepoint: of two
bookings of one slot at the same instant, on SQLite or PostgreSQL, the database lets one in
and the other is refused with ``taken`` (409 in the API). Invitations and reminders leave by
tasks after commit; reminders are scheduled for their instant and fire once.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.models import User
from balcao.core.enqueue import enqueue_on_commit
from balcao.core.errors import ActionRefused
from balcao.customers.models import Company
from balcao.events.actions import (
    meeting_booked_event,
    meeting_cancelled_event,
    meeting_marked_event,
    meeting_rescheduled_event,
)
from balcao.meetings import tasks
from balcao.meetings.models import Block, Claim, Host, Meeting, MeetingStatus, Reminder
from balcao.meetings.selectors import (
    BRASILIA,
    Slot,
    availability,
    bookable_hosts,
    booking_contact,
    horizon,
    host_slots,
    in_grid,
    local_today,
    meetings_in_month,
    month_bounds,
)
from balcao.meetings.slots import claimed
from balcao.tickets.actions import create_ticket, do_assign_ticket, do_close_ticket
from balcao.tickets.models import Origin, Status

REMINDER_HOURS = (24, 1)


def _taken() -> ActionRefused:
    return ActionRefused(
        _("This time was just taken by someone else. Please choose another one."), code="taken"
    )


def _aware(start: datetime) -> datetime:
    if start.tzinfo is None:
        raise ActionRefused(_("Give the time with its UTC offset."), code="invalid")
    return start


def _claim(meeting: Meeting, host: Host) -> None:
    """Take the meeting's granules, or raise ``_taken`` — the database decides."""
    hours = availability(host)
    if hours is None:
        raise _taken()
    try:
        with transaction.atomic():
            Claim.objects.bulk_create(
                Claim(host=host, at=at, meeting=meeting) for at in claimed(meeting.start, hours)
            )
    except IntegrityError:
        raise _taken() from None


def _after_commit(meeting: Meeting) -> None:
    """Send the invitation as it now stands and schedule its reminders."""
    pk, sequence, start = meeting.pk, meeting.sequence, meeting.start
    now = timezone.now()
    reminders = [
        (start - timedelta(hours=hours), hours)
        for hours in REMINDER_HOURS
        if meeting.status == MeetingStatus.BOOKED and start - timedelta(hours=hours) > now
    ]
    enqueue_on_commit(tasks.send_invitation_task, pk, sequence)
    for at, hours in reminders:
        enqueue_on_commit(
            tasks.meeting_reminder_task.using(run_after=at), pk, start.isoformat(), hours
        )


@transaction.atomic
def do_book_meeting(*, actor: User, kind: str, start: datetime, topic: str) -> Meeting:
    """A contact whose plan includes ``kind`` books a free slot starting at ``start``, within
    the plan's horizon and monthly quota; the meeting is a ticket in the host's department,
    assigned to the host (R13, R17)."""
    contact = booking_contact(actor, kind)
    start = _aware(start)
    topic = " ".join((topic or "").split())[:200]
    if not topic:
        raise ActionRefused(_("Please say what you would like to talk about."), code="invalid")
    now = timezone.now()
    company = Company.objects.select_for_update().get(pk=contact.company_id)
    _check_plan_limits(company, start, now)
    hosts = bookable_hosts(company, kind)
    day = start.astimezone(BRASILIA).date()
    offered = [s for s in host_slots(hosts, day, day, not_before=now) if s.start == start]
    if not offered:
        if start > now and in_grid(hosts, start):
            raise _taken()
        raise ActionRefused(_("No meeting starts at that time."), code="invalid")
    for slot in offered:
        try:
            return _book(contact.user, company, kind, slot, topic)
        except ActionRefused as refusal:
            if refusal.code != "taken":
                raise
    raise _taken()


def _book(actor: User, company: Company, kind: str, slot: Slot, topic: str) -> Meeting:
    host = slot.host
    with transaction.atomic():
        message = create_ticket(
            department=host.department,
            subject=topic,
            body=topic,
            actor=actor,
            company=company,
            requester=actor,
            requester_email=actor.email,
            requester_name=actor.name,
            origin=Origin.MEETING,
        )
        ticket = message.ticket
        meeting = Meeting.objects.create(
            kind=kind,
            host=host,
            company=company,
            contact=actor,
            ticket=ticket,
            topic=topic,
            start=slot.start,
            end=slot.end,
            uid=f"meeting-{uuid.uuid4()}@{settings.SITE_URL.split('//')[-1].split(':')[0]}",
        )
        _claim(meeting, host)
        meeting_booked_event(
            ticket=ticket,
            actor=actor,
            host=host.user,
            kind=kind,
            topic=topic,
            start=slot.start,
            end=slot.end,
        )
        meeting.ticket = do_assign_ticket(ticket, actor=host.user, assignee=host.user)
    _after_commit(meeting)
    return meeting


def _locked(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update()
        .select_related("host__user", "ticket")
        .get(pk=meeting.pk)
    )


def _require_host_or_admin(actor: User, meeting: Meeting) -> None:
    if not (actor.is_agent and (actor.is_administrator or meeting.host.user_id == actor.pk)):
        raise ActionRefused(
            _("Only the meeting's host or an administrator can do this."), code="forbidden"
        )


def _require_booked(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.BOOKED:
        raise ActionRefused(
            _("The meeting is %(status)s.") % {"status": meeting.get_status_display().lower()},
            code="unchanged",
        )


@transaction.atomic
def do_cancel_meeting(meeting: Meeting, *, actor: User) -> Meeting:
    """A contact of the company, the host or an administrator cancels a booked meeting: its
    time is free again, the CANCEL goes out, and its ticket is closed."""
    meeting = _locked(meeting)
    if actor.is_agent:
        _require_host_or_admin(actor, meeting)
    elif not meeting.company.contacts.filter(user=actor).exists():
        raise ActionRefused(_("Meeting not found."), code="not_found")
    _require_booked(meeting)
    meeting.claims.all().delete()
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence"])
    meeting_cancelled_event(ticket=meeting.ticket, actor=actor, start=meeting.start)
    if meeting.ticket.status != Status.CLOSED:
        do_close_ticket(meeting.ticket, actor=actor)
    _after_commit(meeting)
    return meeting


def _check_plan_limits(
    company: Company, start: datetime, now: datetime, *, moving: Meeting | None = None
) -> None:
    """The plan's horizon and monthly quota for a meeting at ``start`` (``moving``: the
    meeting being moved, which does not count against its own new month)."""
    plan = company.plan
    if start.astimezone(BRASILIA).date() > horizon(plan, local_today(now)):
        raise ActionRefused(
            _("Meetings can be booked up to %(days)d days ahead.")
            % {"days": plan.meeting_horizon_days},
            code="invalid",
        )
    quota = plan.meetings_per_month
    if quota is None:
        return
    taken = meetings_in_month(company, start)
    if moving is not None and month_bounds(moving.start) == month_bounds(start):
        taken -= 1
    if taken >= quota:
        raise ActionRefused(
            _("Your plan includes %(count)d meetings a month, all booked for that month.")
            % {"count": quota},
            code="quota",
        )


@transaction.atomic
def do_reschedule_meeting(meeting: Meeting, *, actor: User, start: datetime) -> Meeting:
    """Move a booked meeting to another free slot of its host: by the host or an
    administrator, or by the contact who booked it — within their plan's horizon and monthly
    quota, as when booking. The update keeps the UID with a higher SEQUENCE, and the
    reminders follow the new time."""
    meeting = _locked(meeting)
    now = timezone.now()
    if actor.is_agent:
        _require_host_or_admin(actor, meeting)
    else:
        contact = booking_contact(actor, meeting.kind)
        if meeting.contact_id != actor.pk or contact.company_id != meeting.company_id:
            raise ActionRefused(_("Meeting not found."), code="not_found")
    _require_booked(meeting)
    start = _aware(start)
    if start == meeting.start:
        raise ActionRefused(_("The meeting is already at that time."), code="unchanged")
    if not actor.is_agent:
        company = Company.objects.select_for_update().get(pk=meeting.company_id)
        _check_plan_limits(company, start, now, moving=meeting)
    day = start.astimezone(BRASILIA).date()
    free = host_slots([meeting.host], day, day, not_before=now, ignore=meeting)
    slot = next((s for s in free if s.start == start), None)
    if slot is None:
        if start > now and in_grid([meeting.host], start):
            raise _taken()
        raise ActionRefused(_("No meeting starts at that time."), code="invalid")
    old = meeting.start
    meeting.claims.all().delete()
    meeting.start, meeting.end = slot.start, slot.end
    meeting.sequence += 1
    meeting.save(update_fields=["start", "end", "sequence"])
    _claim(meeting, meeting.host)
    meeting_rescheduled_event(
        ticket=meeting.ticket, actor=actor, old_start=old, start=slot.start, end=slot.end
    )
    _after_commit(meeting)
    return meeting


@transaction.atomic
def do_mark_meeting(meeting: Meeting, *, actor: User, status: str) -> Meeting:
    """After its start, the host records whether the meeting was held or the customer did not
    come; the follow-up continues on its ticket."""
    meeting = _locked(meeting)
    _require_host_or_admin(actor, meeting)
    _require_booked(meeting)
    if status not in (MeetingStatus.ATTENDED, MeetingStatus.NO_SHOW):
        raise ActionRefused(_("Mark a meeting as attended or no-show."), code="invalid")
    if meeting.start > timezone.now():
        raise ActionRefused(_("The meeting has not started yet."), code="invalid")
    meeting.status = status
    meeting.save(update_fields=["status"])
    meeting_marked_event(ticket=meeting.ticket, actor=actor, status=status)
    return meeting


@transaction.atomic
def do_block_time(
    host: Host, *, actor: User, start: datetime, end: datetime, reason: str = ""
) -> Block:
    """The host (or an administrator) takes time out of their agenda: a day off, an
    appointment. Booked meetings in it stay: they are moved or cancelled one by one."""
    if not (actor.is_agent and (actor.is_administrator or host.user_id == actor.pk)):
        raise ActionRefused(_("Only the host or an administrator can do this."), code="forbidden")
    if end <= _aware(start):
        raise ActionRefused(_("Blocked time must end after it starts."), code="invalid")
    if end - start > timedelta(days=366):
        raise ActionRefused(_("Block at most a year at a time."), code="invalid")
    return Block.objects.create(host=host, start=start, end=end, reason=reason.strip()[:200])


@transaction.atomic
def do_unblock_time(block: Block, *, actor: User) -> None:
    if not (actor.is_agent and (actor.is_administrator or block.host.user_id == actor.pk)):
        raise ActionRefused(_("Only the host or an administrator can do this."), code="forbidden")
    block.delete()


def do_record_reminder(meeting_id: int, start: datetime, hours_before: int) -> Meeting | None:
    """Mark a reminder as sent and return its meeting, or None when it must not fire: the
    meeting moved, was cancelled or held, or this reminder was already recorded."""
    meeting = (
        Meeting.objects.select_related("host__user", "contact", "ticket")
        .filter(pk=meeting_id, status=MeetingStatus.BOOKED, start=start)
        .first()
    )
    if meeting is None:
        return None
    try:
        with transaction.atomic():
            Reminder.objects.create(meeting=meeting, start=start, hours_before=hours_before)
    except IntegrityError:
        return None
    return meeting
