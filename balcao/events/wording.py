"""Each event of a ticket's history as one sentence in the active language (R17, R19).

One wording function per kind, shared by the client area, the console and the API. Staff read
what happened in full; a customer reads only the kinds ``CUSTOMER_KINDS`` lets through, worded
for them (no technical error, no SLA internals). People are named, never by e-mail address.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from balcao.events.models import Event, EventKind
from balcao.sla.models import Target
from balcao.tickets.models import Origin, Priority, Status

# What a customer contact sees of the history besides the conversation. Left out: internal
# notes, SLA internals, assignments (the status "Assigned" already says the ticket was escalated
# to a person; who, and each reshuffle, is the team's business), linking, contact changes, and
# "reopened", which the status change out of Closed already says ("Reopened: the status is…").
CUSTOMER_KINDS = (
    EventKind.TICKET_OPENED,
    EventKind.STATUS_CHANGED,
    EventKind.TRANSFERRED,
    EventKind.DELIVERY_FAILED,
    EventKind.AUTO_CLOSED,
    EventKind.CHAT_ABANDONED,
    EventKind.CC_ADDED,
    EventKind.CC_REMOVED,
    EventKind.MERGED,
    EventKind.MERGED_FROM,
    EventKind.MEETING_BOOKED,
    EventKind.MEETING_RESCHEDULED,
    EventKind.MEETING_CANCELLED,
    EventKind.MEETING_MARKED,
)
# Priority changes are shown to customers only where the department lets them set it (the
# event says so in ``public``); tags and department overrides are the team's business.
# Messages stand for themselves in the conversation; their events would only repeat them.
SHOWN_BY_THE_MESSAGE = (EventKind.MESSAGE_ADDED, EventKind.NOTE_ADDED)


@dataclass(frozen=True)
class Reader:
    """Who reads, for the wording: staff or a customer, and the departments by slug."""

    staff: bool
    departments: dict

    def department(self, slug) -> str:
        found = self.departments.get(slug)
        return found.localized("name") if found else str(slug or "")


def person_name(who) -> str:
    """A person kept by ``events.actions.person``."""
    if who is None:
        return _("nobody")
    return who.get("name") or _("a team member")


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")


def _when(iso) -> str:
    instant = parse_datetime(iso) if iso else None
    return date_format(timezone.localtime(instant), "SHORT_DATETIME_FORMAT") if instant else ""


def _opened(data: dict, reader: Reader) -> str:
    text = _("Opened in %(department)s via %(channel)s.") % {
        "department": reader.department(data.get("department")),
        "channel": _label(Origin, data.get("origin")),
    }
    if reader.staff and data.get("linked") is False:
        text += " " + _("Not linked to a company: outside SLA coverage.")
    if data.get("reference"):
        text += " " + _("Refers to ticket #%(number)s.") % {"number": data["reference"]}
    return text


def _status_changed(data: dict, reader: Reader) -> str:
    if reader.staff:
        return _("Status: %(old)s → %(new)s.") % {
            "old": _label(Status, data.get("old")),
            "new": _label(Status, data.get("new")),
        }
    if data.get("old") == Status.CLOSED:
        return _("Reopened: the status is now “%(new)s”.") % {
            "new": _label(Status, data.get("new"))
        }
    return _("Status changed to “%(new)s”.") % {"new": _label(Status, data.get("new"))}


def _reopened(data: dict, reader: Reader) -> str:
    return _("Reopened.")


def _assigned(data: dict, reader: Reader) -> str:
    return _("Assignee: %(old)s → %(new)s.") % {
        "old": person_name(data.get("old")),
        "new": person_name(data.get("new")),
    }


def _transferred(data: dict, reader: Reader) -> str:
    if reader.staff:
        text = _("Transferred: %(old)s → %(new)s.") % {
            "old": reader.department(data.get("old")),
            "new": reader.department(data.get("new")),
        }
    else:
        text = _("Moved to the %(department)s department.") % {
            "department": reader.department(data.get("new"))
        }
    if data.get("reason"):
        text += " " + data["reason"]
    return text


def _cc_added(data: dict, reader: Reader) -> str:
    return _("%(email)s is copied on the replies.") % {"email": data.get("email", "")}


def _cc_removed(data: dict, reader: Reader) -> str:
    return _("%(email)s is no longer copied on the replies.") % {"email": data.get("email", "")}


def _linked(data: dict, reader: Reader) -> str:
    return _("Linked to %(company)s.") % {"company": data.get("new", "")}


def _delivery_failed(data: dict, reader: Reader) -> str:
    if reader.staff:
        return _("A reply was not delivered: %(error)s") % {"error": data.get("error", "")}
    return _("The team's answer could not be delivered to you; it is here in full.")


def _attachment_failed(data: dict, reader: Reader) -> str:
    return _("The file %(name)s sent by the customer could not be fetched: %(error)s") % {
        "name": data.get("name", ""),
        "error": data.get("error", ""),
    }


def _template_sent(data: dict, reader: Reader) -> str:
    return _(
        "The reply was sent as the approved template “%(template)s” (%(language)s): WhatsApp's"
        " 24-hour window was closed."
    ) % {"template": data.get("template", ""), "language": data.get("language", "")}


def _priority_changed(data: dict, reader: Reader) -> str:
    return _("Priority: %(old)s → %(new)s.") % {
        "old": _label(Priority, data.get("old")),
        "new": _label(Priority, data.get("new")),
    }


def _tags_changed(data: dict, reader: Reader) -> str:
    parts = []
    if data.get("added"):
        parts.append(_("Tags added: %(tags)s.") % {"tags": ", ".join(data["added"])})
    if data.get("removed"):
        parts.append(_("Tags removed: %(tags)s.") % {"tags": ", ".join(data["removed"])})
    return " ".join(parts)


def _merged(data: dict, reader: Reader) -> str:
    return _("Merged into ticket #%(number)s: the conversation continues there.") % {
        "number": data.get("into")
    }


def _merged_from(data: dict, reader: Reader) -> str:
    return _("Ticket #%(number)s (%(subject)s) was merged into this one.") % {
        "number": data.get("merged"),
        "subject": data.get("subject", ""),
    }


def _department_overridden(data: dict, reader: Reader) -> str:
    return _("Opened in %(department)s outside the plan (%(refusal)s) because: %(why)s") % {
        "department": reader.department(data.get("department")),
        "refusal": data.get("refusal", ""),
        "why": data.get("why", ""),
    }


def _sla_started(data: dict, reader: Reader) -> str:
    return _("SLA clock started: first response due %(due)s.") % {
        "due": _when(data.get("first_response_due"))
    }


def _sla_paused(data: dict, reader: Reader) -> str:
    return _("SLA clock paused: waiting for the customer.")


def _sla_resumed(data: dict, reader: Reader) -> str:
    return _("SLA clock resumed.")


def _sla_stopped(data: dict, reader: Reader) -> str:
    if data.get("breached"):
        return _("SLA clock stopped; a target was missed.")
    return _("SLA clock stopped; every target was met.")


def _sla_warning(data: dict, reader: Reader) -> str:
    return _("SLA: the %(target)s is due %(due)s.") % {
        "target": _label(Target, data.get("target")),
        "due": _when(data.get("due")),
    }


def _sla_breached(data: dict, reader: Reader) -> str:
    return _("SLA breached: the %(target)s was due %(due)s.") % {
        "target": _label(Target, data.get("target")),
        "due": _when(data.get("due")),
    }


def _auto_closed(data: dict, reader: Reader) -> str:
    days = int(data.get("days") or 0)
    return ngettext(
        "Closed automatically: no reply for %(days)d business day.",
        "Closed automatically: no reply for %(days)d business days.",
        days,
    ) % {"days": days}


def _meeting_booked(data: dict, reader: Reader) -> str:
    return _("Meeting booked with %(host)s for %(when)s: %(topic)s.") % {
        "host": person_name(data.get("host")),
        "when": _when(data.get("start")),
        "topic": data.get("topic", ""),
    }


def _meeting_rescheduled(data: dict, reader: Reader) -> str:
    return _("Meeting moved from %(old)s to %(new)s.") % {
        "old": _when(data.get("old_start")),
        "new": _when(data.get("start")),
    }


def _meeting_cancelled(data: dict, reader: Reader) -> str:
    return _("Meeting of %(when)s cancelled.") % {"when": _when(data.get("start"))}


def _meeting_marked(data: dict, reader: Reader) -> str:
    if data.get("status") == "no_show":
        return _("Meeting marked as missed: the customer did not come.")
    return _("Meeting held.")


def _chat_abandoned(data: dict, reader: Reader) -> str:
    minutes = int(data.get("minutes") or 0)
    return ngettext(
        "Closed automatically: the contact left the chat without an answer %(minutes)d minute ago.",
        "Closed automatically: the contact left the chat without an answer %(minutes)d minutes"
        " ago.",
        minutes,
    ) % {"minutes": minutes}


def _satisfaction_rated(data: dict, reader: Reader) -> str:
    values = {"score": data.get("score"), "previous": data.get("previous")}
    if data.get("previous") is None:
        text = _("The customer rated the service %(score)s out of 5.") % values
    else:
        text = _("The customer changed their rating from %(previous)s to %(score)s out of 5.") % (
            values
        )
    comment = (data.get("comment") or "").strip()
    return (
        _("%(text)s Comment: “%(comment)s”") % {"text": text, "comment": comment}
        if comment
        else text
    )


WORDING: dict[str, Callable[[dict, Reader], str]] = {
    EventKind.AUTO_CLOSED: _auto_closed,
    EventKind.CHAT_ABANDONED: _chat_abandoned,
    EventKind.SATISFACTION_RATED: _satisfaction_rated,
    EventKind.TICKET_OPENED: _opened,
    EventKind.STATUS_CHANGED: _status_changed,
    EventKind.REOPENED: _reopened,
    EventKind.ASSIGNED: _assigned,
    EventKind.TRANSFERRED: _transferred,
    EventKind.LINKED: _linked,
    EventKind.CC_ADDED: _cc_added,
    EventKind.CC_REMOVED: _cc_removed,
    EventKind.DELIVERY_FAILED: _delivery_failed,
    EventKind.SLA_STARTED: _sla_started,
    EventKind.SLA_PAUSED: _sla_paused,
    EventKind.SLA_RESUMED: _sla_resumed,
    EventKind.SLA_STOPPED: _sla_stopped,
    EventKind.SLA_WARNING: _sla_warning,
    EventKind.SLA_BREACHED: _sla_breached,
    EventKind.PRIORITY_CHANGED: _priority_changed,
    EventKind.TAGS_CHANGED: _tags_changed,
    EventKind.MERGED: _merged,
    EventKind.MERGED_FROM: _merged_from,
    EventKind.DEPARTMENT_OVERRIDDEN: _department_overridden,
    EventKind.ATTACHMENT_FAILED: _attachment_failed,
    EventKind.TEMPLATE_SENT: _template_sent,
    EventKind.MEETING_BOOKED: _meeting_booked,
    EventKind.MEETING_RESCHEDULED: _meeting_rescheduled,
    EventKind.MEETING_CANCELLED: _meeting_cancelled,
    EventKind.MEETING_MARKED: _meeting_marked,
}


def describe_event(event: Event, reader: Reader) -> str:
    """The sentence of one ticket event for ``reader``, in the active language."""
    wording = WORDING.get(event.kind)
    return wording(event.data or {}, reader) if wording else str(event.get_kind_display())
