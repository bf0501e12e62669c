"""The agenda of a consultant or marketing analyst (R13): their meetings by day or week, time
blocked, and each meeting rescheduled, cancelled, marked or noted on its ticket. Thin: the
meetings' actions decide who may do what."""

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from balcao.accounts.access import staff_required
from balcao.core.errors import ActionRefused, NotFound
from balcao.meetings.actions import (
    do_block_time,
    do_cancel_meeting,
    do_mark_meeting,
    do_reschedule_meeting,
    do_unblock_time,
)
from balcao.meetings.ics import BRASILIA
from balcao.meetings.models import Block
from balcao.meetings.selectors import get_meeting, host_agenda, host_slots, list_hosts, local_today
from balcao.tickets.actions import do_add_message
from balcao.tickets.models import Origin

RESCHEDULE_DAYS = 14


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return local_today()


def _local(value: str) -> datetime:
    """A ``datetime-local`` field's value, in Brasília time (or with its own offset)."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BRASILIA)


@require_GET
@staff_required
def agenda(request):
    hosts = list_hosts(request.user)
    chosen = request.GET.get("host", "")
    host = next((h for h in hosts if str(h.pk) == chosen), None) or next(
        (h for h in hosts if h.user_id == request.user.pk), hosts[0] if hosts else None
    )
    if host is None:
        return render(request, "console/agenda.html", {"host": None})
    day = _day(request.GET.get("dia", ""))
    week = request.GET.get("vista") == "semana"
    first = day - timedelta(days=day.weekday()) if week else day
    last = first + timedelta(days=6) if week else day
    today = local_today()
    context = {
        "host": host,
        "hosts": hosts,
        "agenda": host_agenda(host, first, last),
        "week": week,
        "day": day,
        "previous": first - timedelta(days=7 if week else 1),
        "next": first + timedelta(days=7 if week else 1),
        "free": host_slots(
            [host], today, today + timedelta(days=RESCHEDULE_DAYS), not_before=timezone.now()
        ),
        "now": timezone.now(),
    }
    return render(request, "console/agenda.html", context)


def _meeting(request, pk: int):
    try:
        return get_meeting(request.user, pk)
    except NotFound:
        raise Http404 from None


def _back(request, meeting=None):
    day = meeting.start.astimezone(BRASILIA).date().isoformat() if meeting else ""
    return redirect(reverse("console:agenda") + (f"?dia={day}" if day else ""))


def _run(request, action, success: str) -> None:
    try:
        action()
    except (ActionRefused, ValueError) as error:
        messages.error(request, getattr(error, "message", _("Check the dates and times.")))
    else:
        messages.success(request, success)


@require_POST
@staff_required
def block(request):
    hosts = [h for h in list_hosts(request.user) if str(h.pk) == request.POST.get("host", "")]
    host = hosts[0] if hosts else next(iter(list_hosts(request.user)), None)
    if host is None:
        raise Http404
    _run(
        request,
        lambda: do_block_time(
            host,
            actor=request.user,
            start=_local(request.POST.get("start", "")),
            end=_local(request.POST.get("end", "")),
            reason=request.POST.get("reason", ""),
        ),
        _("Time blocked: no meeting will be booked in it."),
    )
    return _back(request)


@require_POST
@staff_required
def unblock(request, pk: int):
    found = Block.objects.select_related("host").filter(pk=pk).first()
    if found is None:
        raise Http404
    _run(request, lambda: do_unblock_time(found, actor=request.user), _("Time open again."))
    return _back(request)


@require_POST
@staff_required
def reschedule(request, pk: int):
    meeting = _meeting(request, pk)
    _run(
        request,
        lambda: do_reschedule_meeting(
            meeting, actor=request.user, start=_local(request.POST.get("start", ""))
        ),
        _("Meeting moved; the customer gets the updated invitation."),
    )
    return _back(request, meeting)


@require_POST
@staff_required
def cancel(request, pk: int):
    meeting = _meeting(request, pk)
    _run(
        request,
        lambda: do_cancel_meeting(meeting, actor=request.user),
        _("Meeting cancelled; the customer is told."),
    )
    return _back(request, meeting)


@require_POST
@staff_required
def mark(request, pk: int):
    meeting = _meeting(request, pk)
    _run(
        request,
        lambda: do_mark_meeting(meeting, actor=request.user, status=request.POST.get("status", "")),
        _("Meeting marked."),
    )
    return _back(request, meeting)


@require_POST
@staff_required
def note(request, pk: int):
    """The meeting's notes are internal notes of its ticket."""
    meeting = _meeting(request, pk)
    _run(
        request,
        lambda: do_add_message(
            meeting.ticket,
            actor=request.user,
            body=request.POST.get("body", ""),
            internal=True,
            channel=Origin.CONSOLE,
        ),
        _("Note added to the ticket."),
    )
    return _back(request, meeting)
