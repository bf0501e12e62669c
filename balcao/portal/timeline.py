"""How the client area words a ticket's history for the customer (R10, R17).

Messages are the conversation (internal notes are already left out by the selector); of the
events the customer sees only what changed for them: status changes and transfers between
departments. Who on the team was assigned, internal notes and mail troubles stay inside
(a failed delivery shows on the message itself).
"""

from django.utils.translation import gettext as _

from balcao.events.models import EventKind
from balcao.tickets.models import Status
from balcao.tickets.selectors import TimelineEntry


def _status(value) -> str:
    return str(Status(value).label) if value in Status.values else str(value)


def customer_timeline(entries: list[TimelineEntry], departments: dict) -> list[dict]:
    """``departments`` maps slugs to Department, for naming transfers in the active language."""

    def department(slug):
        found = departments.get(slug)
        return found.localized("name") if found else slug

    shown = []
    for entry in entries:
        if entry.message is not None:
            if not entry.message.internal:
                shown.append({"at": entry.at, "message": entry.message})
            continue
        event, data = entry.event, entry.event.data or {}
        if event.kind == EventKind.STATUS_CHANGED:
            if data.get("old") == Status.CLOSED:
                text = _("Reopened: the status is now “%(new)s”.") % {
                    "new": _status(data.get("new"))
                }
            else:
                text = _("Status changed to “%(new)s”.") % {"new": _status(data.get("new"))}
        elif event.kind == EventKind.TRANSFERRED:
            text = _("Moved to the %(department)s department.") % {
                "department": department(data.get("new"))
            }
        else:
            continue
        shown.append({"at": entry.at, "text": text, "status": data.get("new")})
    return shown
