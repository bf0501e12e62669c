"""The iCalendar invitation of a meeting (RFC 5546): REQUEST while it stands, CANCEL once it is
cancelled; one UID for its whole life and SEQUENCE raised at every change, so calendars update
the event they already have instead of adding another."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from balcao.meetings.models import Meeting, MeetingStatus

if TYPE_CHECKING:
    from icalendar import vCalAddress

# icalendar (137 modules, ~7 MB of a process) is imported where an invitation is made, not by
# every process that imports BRASILIA or this module's callers (issue 17: memory per process).

BRASILIA = ZoneInfo("America/Sao_Paulo")


def method_of(meeting: Meeting) -> str:
    return "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"


def _address(email: str, name: str, role: str = "") -> "vCalAddress":
    from icalendar import vCalAddress, vText

    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name or email)
    if role:
        address.params["role"] = vText(role)
        address.params["partstat"] = vText("ACCEPTED")
    return address


def invitation(meeting: Meeting, *, now: datetime | None = None) -> bytes:
    """The .ics of ``meeting`` as it stands now (its method follows its status)."""
    from icalendar import Calendar, Event

    host = meeting.host.user
    method = method_of(meeting)
    cal = Calendar()
    cal.add("prodid", "-//Balcão//Meetings//PT-BR")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    event.add("dtstart", meeting.start.astimezone(BRASILIA))
    event.add("dtend", meeting.end.astimezone(BRASILIA))
    event.add("summary", meeting.topic)
    event.add("location", meeting.host.place)
    if meeting.host.place.startswith(("https://", "http://")):
        event.add("url", meeting.host.place)
    event.add(
        "description",
        _("%(kind)s — ticket #%(number)s: %(url)s")
        % {
            "kind": meeting.get_kind_display(),
            "number": meeting.ticket.number,
            "url": f"{settings.SITE_URL}/cliente/chamados/{meeting.ticket.number}/",
        },
    )
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event["organizer"] = _address(host.email, host.name)
    event.add("attendee", _address(meeting.contact.email, meeting.contact.name, "REQ-PARTICIPANT"))
    event.add("attendee", _address(host.email, host.name, "CHAIR"))
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
