"""/api/v1/meetings — contacts book meetings their plan includes (R13); the same selectors and
actions as the client area, so the API refuses what the page refuses."""

from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from balcao.api.schemas import ErrorOut
from balcao.meetings.actions import do_book_meeting, do_cancel_meeting, do_reschedule_meeting
from balcao.meetings.ics import BRASILIA, invitation
from balcao.meetings.models import Meeting
from balcao.meetings.selectors import get_meeting, list_slots, visible_meetings

router = Router(tags=["meetings"])


class SlotFilters(Schema):
    kind: str
    first: date = Field(alias="from")
    last: date = Field(alias="to")


class SlotOut(Schema):
    start: str
    end: str
    staff: str


class BookIn(Schema):
    kind: str
    start: datetime
    topic: str = Field(max_length=200)


class RescheduleIn(Schema):
    start: datetime


class BookedOut(Schema):
    """Exactly what a booking answers (the API's stable contract)."""

    id: int
    ticket: int
    start: str
    end: str
    staff: str
    ics_url: str


class MeetingOut(BookedOut):
    kind: str
    topic: str
    status: str


def _iso(instant: datetime) -> str:
    return instant.astimezone(BRASILIA).isoformat()


def _out(request: HttpRequest, meeting: Meeting) -> dict:
    return {
        "id": meeting.pk,
        "ticket": meeting.ticket.number,
        "kind": meeting.kind,
        "topic": meeting.topic,
        "status": meeting.status,
        "start": _iso(meeting.start),
        "end": _iso(meeting.end),
        "staff": meeting.host.user.display_name,
        "ics_url": request.build_absolute_uri(
            reverse("api:meeting_ics", kwargs={"meeting_id": meeting.pk})
        ),
    }


@router.get("/slots", response={200: list[SlotOut], 400: ErrorOut, 403: ErrorOut}, by_alias=True)
def slots(request, filters: Query[SlotFilters]):
    """Free slots of a kind between two dates (Brasília), cut to today … the plan's horizon;
    403 when the caller's plan does not include the kind."""
    found = list_slots(request.auth, filters.kind, filters.first, filters.last)
    return [
        {"start": _iso(s.start), "end": _iso(s.end), "staff": s.host.user.display_name}
        for s in found
    ]


@router.post("", response={201: BookedOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut})
def book(request, payload: BookIn):
    """Book the slot starting at ``start``: 409 when it was just taken."""
    meeting = do_book_meeting(
        actor=request.auth, kind=payload.kind, start=payload.start, topic=payload.topic
    )
    return Status(201, _out(request, get_meeting(request.auth, meeting.pk)))


@router.get("", response=list[MeetingOut])
def meetings(request):
    """The caller's meetings: a contact's company's, a host's own."""
    return [_out(request, m) for m in visible_meetings(request.auth).order_by("-start")[:200]]


@router.post(
    "/{meeting_id}/cancel",
    response={200: MeetingOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def cancel(request, meeting_id: int):
    meeting = do_cancel_meeting(get_meeting(request.auth, meeting_id), actor=request.auth)
    return _out(request, get_meeting(request.auth, meeting.pk))


@router.post(
    "/{meeting_id}/reschedule",
    response={200: MeetingOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def reschedule(request, meeting_id: int, payload: RescheduleIn):
    """Move the meeting to another free time of its host (the contact who booked it, within
    the plan's horizon and quota): 409 when that time was just taken; the update goes out."""
    meeting = do_reschedule_meeting(
        get_meeting(request.auth, meeting_id), actor=request.auth, start=payload.start
    )
    return _out(request, get_meeting(request.auth, meeting.pk))


@router.get("/{meeting_id}/ics", url_name="meeting_ics", response={404: ErrorOut})
def ics(request, meeting_id: int):
    """The meeting's invitation as it stands (CANCEL once cancelled)."""
    meeting = get_meeting(request.auth, meeting_id)
    response = HttpResponse(invitation(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reuniao-{meeting.pk}.ics"'
    return response
