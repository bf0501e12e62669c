"""Meetings in the client area (R13): which kinds the plan includes, free slots in Brasília
time (and the visitor's own zone when it differs), booking, cancelling, the invitation. Thin:
every check is the selectors' and actions' that the API uses too."""

from datetime import datetime, timedelta
from itertools import groupby

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balcao.accounts.access import contact_required
from balcao.core.errors import ActionRefused, NotFound
from balcao.meetings.actions import do_book_meeting, do_cancel_meeting, do_reschedule_meeting
from balcao.meetings.ics import BRASILIA, invitation
from balcao.meetings.models import Kind
from balcao.meetings.selectors import (
    get_meeting,
    kind_choices,
    kind_refusal,
    list_slots,
    local_today,
    reschedule_slots,
    upcoming,
    visible_meetings,
)

DAYS_SHOWN = 14


def _other_zone():
    """The visitor's zone when it is not Brasília's, else None."""
    zone = timezone.get_current_timezone()
    return zone if getattr(zone, "key", "") != BRASILIA.key else None


@require_GET
@contact_required
def meetings(request):
    company = request.contact.company
    mine = visible_meetings(request.user)
    return render(
        request,
        "portal/meetings.html",
        {
            "choices": kind_choices(company),
            "upcoming": list(upcoming(mine)),
            "past": list(mine.exclude(pk__in=upcoming(mine).values("pk")).order_by("-start")[:10]),
            "other_zone": _other_zone(),
        },
    )


@require_http_methods(["GET", "POST"])
@contact_required
def book(request, kind: str):
    if kind not in Kind.values:
        raise Http404
    refusal = kind_refusal(request.contact.company, kind)
    topic, status = "", 403 if refusal else 200
    if request.method == "POST" and not refusal:
        topic = request.POST.get("topic", "")
        try:
            start = datetime.fromisoformat(request.POST.get("start", ""))
            meeting = do_book_meeting(actor=request.user, kind=kind, start=start, topic=topic)
        except ValueError:
            messages.error(request, _("Choose a time for the meeting."))
            status = 400
        except ActionRefused as refused:
            messages.error(request, refused.message)
            status = 409 if refused.code == "taken" else 400
        else:
            messages.success(
                request,
                _("Meeting booked. The invitation is on its way to your e-mail; follow it here."),
            )
            return redirect("portal:ticket", number=meeting.ticket.number)
    days = []
    if not refusal:
        today = local_today()
        try:
            slots = list_slots(request.user, kind, today, today + timedelta(days=DAYS_SHOWN))
        except ActionRefused as refused:  # its hosts are in a department the plan cannot use
            refusal, status = refused.message, 403
        else:
            days = _by_day(slots)
    return render(
        request,
        "portal/meeting_book.html",
        {
            "kind": kind,
            "label": Kind(kind).label,
            "refusal": refusal,
            "days": days,
            "topic": topic,
            "other_zone": _other_zone(),
            "brasilia": BRASILIA,
        },
        status=status,
    )


def _by_day(slots):
    # One choice per time: whoever of the hosts is free takes it.
    unique = {s.start: s for s in slots}.values()
    return [
        (day, list(group))
        for day, group in groupby(unique, key=lambda s: s.start.astimezone(BRASILIA).date())
    ]


@require_http_methods(["GET", "POST"])
@contact_required
def reschedule(request, pk: int):
    """The contact who booked a meeting moves it to another free time of its host."""
    meeting = _meeting(request, pk)
    if meeting.contact_id != request.user.pk:
        raise Http404
    status = 200
    if request.method == "POST":
        try:
            start = datetime.fromisoformat(request.POST.get("start", ""))
            do_reschedule_meeting(meeting, actor=request.user, start=start)
        except ValueError:
            messages.error(request, _("Choose a time for the meeting."))
            status = 400
        except ActionRefused as refused:
            messages.error(request, refused.message)
            status = 409 if refused.code == "taken" else 400
        else:
            messages.success(
                request, _("Meeting rescheduled. The updated invitation is on its way.")
            )
            return redirect("portal:meetings")
    today = local_today()
    try:
        slots = reschedule_slots(request.user, meeting, today, today + timedelta(days=DAYS_SHOWN))
    except ActionRefused as refused:
        messages.error(request, refused.message)
        slots = []
    return render(
        request,
        "portal/meeting_reschedule.html",
        {"meeting": meeting, "days": _by_day(slots), "other_zone": _other_zone()},
        status=status,
    )


@require_POST
@contact_required
def cancel(request, pk: int):
    try:
        do_cancel_meeting(_meeting(request, pk), actor=request.user)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Meeting cancelled. Its time is free for others again."))
    return redirect("portal:meetings")


@require_GET
@contact_required
def ics(request, pk: int):
    meeting = _meeting(request, pk)
    response = HttpResponse(invitation(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reuniao-{meeting.pk}.ics"'
    return response


def _meeting(request, pk: int):
    try:
        return get_meeting(request.user, pk)
    except NotFound:
        raise Http404 from None
