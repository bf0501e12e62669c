"""How the console words a ticket's history: each Event as one sentence for the agent (R17)."""

from django.utils.translation import gettext as _

from balcao.events.models import Event, EventKind
from balcao.tickets.models import Origin, Status
from balcao.tickets.selectors import TimelineEntry

# Messages stand for themselves in the conversation; their events would only repeat them.
SHOWN_BY_THE_MESSAGE = {EventKind.MESSAGE_ADDED, EventKind.NOTE_ADDED}


def _status(value) -> str:
    return str(Status(value).label) if value in Status.values else str(value)


def describe_event(event: Event, departments: dict[str, str]) -> str:
    data = event.data or {}
    nobody = _("nobody")
    if event.kind == EventKind.TICKET_OPENED:
        origin = data.get("origin")
        text = _("Opened in %(department)s via %(channel)s.") % {
            "department": departments.get(data.get("department"), data.get("department")),
            "channel": Origin(origin).label if origin in Origin.values else origin,
        }
        if data.get("linked") is False:
            text += " " + _("Not linked to a company: outside SLA coverage.")
        if data.get("reference"):
            text += " " + _("Refers to ticket #%(number)s.") % {"number": data["reference"]}
        return text
    if event.kind == EventKind.STATUS_CHANGED:
        return _("Status: %(old)s → %(new)s.") % {
            "old": _status(data.get("old")),
            "new": _status(data.get("new")),
        }
    if event.kind == EventKind.ASSIGNED:
        return _("Assignee: %(old)s → %(new)s.") % {
            "old": data.get("old") or nobody,
            "new": data.get("new") or nobody,
        }
    if event.kind == EventKind.TRANSFERRED:
        return _("Transferred: %(old)s → %(new)s.") % {
            "old": departments.get(data.get("old"), data.get("old")),
            "new": departments.get(data.get("new"), data.get("new")),
        }
    if event.kind == EventKind.REOPENED:
        return _("Reopened.")
    if event.kind == EventKind.LINKED:
        return _("Linked to %(company)s.") % {"company": data.get("new", "")}
    if event.kind == EventKind.DELIVERY_FAILED:
        return _("The e-mail of a reply was not delivered: %(error)s") % {
            "error": data.get("error", "")
        }
    return str(event.get_kind_display())


def console_timeline(entries: list[TimelineEntry], departments) -> list[dict]:
    """The timeline as the template shows it: messages, and events worded."""
    names = {d.slug: d.localized("name") for d in departments}
    shown = []
    for entry in entries:
        if entry.message is not None:
            shown.append({"at": entry.at, "message": entry.message})
        elif entry.event.kind not in SHOWN_BY_THE_MESSAGE:
            shown.append(
                {
                    "at": entry.at,
                    "event": entry.event,
                    "text": describe_event(entry.event, names),
                }
            )
    return shown
