"""What the API gives of a ticket: its summary (in lists, and atop its page) and its page
with the history as ``visible_events`` gives it to the viewer."""

from typing import Any

from balcao.satisfaction.selectors import staff_rating
from balcao.sla.selectors import ticket_sla
from balcao.tickets.history import visible_events
from balcao.tickets.models import Ticket
from balcao.tickets.selectors import copied_emails, tag_names

# What a ticket's summary is made of, as ``values_page`` reads it for a list (no instances)
FACTS = (
    "pk",
    "number",
    "subject",
    "status",
    "department__slug",
    "company__name",
    "requester_email",
    "assignee__email",
    "assignee__name",
    "company_id",
    "origin",
    "priority",
    "merged_into__number",
    "created_at",
    "updated_at",
)


def facts(ticket: Ticket) -> dict[str, Any]:
    """``FACTS`` of a ticket loaded whole (with its department, company, assignee and the
    ticket it was merged into)."""
    assignee, merged_into = ticket.assignee, ticket.merged_into
    return {
        **{name: getattr(ticket, name) for name in FACTS if "__" not in name},
        "department__slug": ticket.department.slug,
        "company__name": ticket.company.name if ticket.company else None,
        "assignee__email": assignee.email if assignee else None,
        "assignee__name": assignee.name if assignee else None,
        "merged_into__number": merged_into.number if merged_into else None,
    }


def summary(viewer, ticket: dict[str, Any], tags: list[str]) -> dict:
    """A ticket's facts (``FACTS``), with its ``tags``' names; a customer gets the team's
    people by name, never by address."""
    email = ticket["assignee__email"]
    staff = viewer.is_agent
    return {
        "number": ticket["number"],
        "subject": ticket["subject"],
        "status": ticket["status"],
        "department": ticket["department__slug"],
        "company": ticket["company__name"],
        "requester_email": ticket["requester_email"],
        "assignee": email if staff else None,
        "assignee_name": (ticket["assignee__name"] or (email if staff else None))
        if email
        else None,
        "linked": ticket["company_id"] is not None,
        "origin": ticket["origin"],
        "priority": ticket["priority"],
        "tags": tags,
        "merged_into": ticket["merged_into__number"],
        "created_at": ticket["created_at"],
        "updated_at": ticket["updated_at"],
    }


def _message(entry, staff: bool) -> dict:
    m = entry.message
    public = staff or m.direction == m.Direction.INBOUND
    return {
        **{
            f: getattr(m, f)
            for f in ("id", "direction", "internal", "body_text", "body_html", "created_at")
        },
        "author_email": m.author_email if public else "",
        "author_name": entry.author_name,
        "delivery": m.delivery,
        "attachments": [
            {
                "id": a.id,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "purged": a.purged_at is not None,
            }
            for a in entry.files
        ],
    }


def _event(entry, staff: bool) -> dict:
    e = entry.event
    return {
        "kind": e.kind,
        "created_at": e.created_at,
        "text": entry.text,
        "actor": e.actor.email if staff and e.actor_id else None,
        "actor_name": entry.author_name or None,
        "data": e.data if staff else None,
    }


def detail(viewer, ticket: Ticket) -> dict:
    """The ticket with its history as ``visible_events`` gives it to ``viewer``: staff get every
    event with its data; a customer the events meant for them, as sentences only."""
    staff = viewer.is_agent
    history = visible_events(viewer, ticket)
    return {
        **summary(viewer, facts(ticket), tag_names([ticket.pk])[ticket.pk]),
        "reference": ticket.reference.number if ticket.reference else None,
        "cc": copied_emails(ticket),
        "satisfaction": staff_rating(viewer, ticket),
        "sla": ticket_sla(ticket).as_api(),
        "messages": [_message(h, staff) for h in history if h.message],
        "events": [_event(h, staff) for h in history if h.event],
        "history": [
            {
                "at": h.at,
                "kind": h.kind,
                "message": h.message.pk if h.message else None,
                "author_name": h.author_name,
                "text": h.text,
            }
            for h in history
        ],
    }
