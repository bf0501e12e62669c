"""What an agent reads of their notifications."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from balcao.accounts.models import User
from balcao.core.errors import NotFound
from balcao.notifications.models import Follower, Kind, Notification, NotificationPreference
from balcao.tickets.models import Ticket


def user_group(user_id: int) -> str:
    """The channel-layer group of one agent's open console pages."""
    return f"notifications.user.{user_id}"


def unread_count(viewer: User) -> int:
    return Notification.objects.filter(recipient=viewer, read_at=None).count()


def get_notification(viewer: User, pk: int) -> Notification:
    """One of ``viewer``'s notifications; NotFound for anyone else's."""
    found = Notification.objects.select_related("ticket").filter(recipient=viewer, pk=pk).first()
    if found is None:
        raise NotFound(_("No such notification."))
    return found


def list_notifications(viewer: User, *, limit: int = 50) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=viewer)
        .select_related("ticket__department")
        .order_by("-created_at", "-id")[:limit]
    )


def notification_text(notification: Notification) -> str:
    """One sentence, in the active language."""
    ticket = notification.ticket
    values = {
        "number": ticket.number,
        "subject": ticket.subject,
        "department": ticket.department.localized("name"),
    }
    return {
        Kind.NEW_TICKET: _("New ticket #%(number)s in %(department)s: %(subject)s"),
        Kind.CUSTOMER_REPLY: _("The customer replied on #%(number)s: %(subject)s"),
        Kind.ASSIGNED: _("#%(number)s was assigned to you: %(subject)s"),
        Kind.TRANSFERRED: _("#%(number)s was transferred to %(department)s: %(subject)s"),
        Kind.SLA_WARNING: _("#%(number)s is close to breaching its SLA: %(subject)s"),
        Kind.LOW_SATISFACTION: _("The customer gave #%(number)s a low score: %(subject)s"),
    }[Kind(notification.kind)] % values


def ticket_url(notification: Notification) -> str:
    return reverse("console:ticket", args=[notification.ticket.number])


def notification_payload(notification: Notification, *, link: bool = True) -> dict[str, object]:
    """``link=False`` leaves out the ticket's URL: the push from a process that has not loaded
    the URLs (``balcao mail deliver`` would spend half its start-up importing every view for
    one ``reverse``), completed by the socket's consumer in the web process."""
    payload: dict[str, object] = {
        "id": notification.pk,
        "kind": notification.kind,
        "ticket": notification.ticket.number,
        "text": notification_text(notification),
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }
    if link:
        payload["url"] = ticket_url(notification)
    return payload


def notification_preferences(viewer: User) -> list[dict[str, object]]:
    """Every kind with how ``viewer`` wants it (both ways unless they chose otherwise)."""
    chosen = {p.kind: p for p in NotificationPreference.objects.filter(user=viewer)}
    return [
        {
            "kind": kind.value,
            "label": str(kind.label),
            "email": chosen[kind].by_email if kind in chosen else True,
            "console": chosen[kind].in_console if kind in chosen else True,
        }
        for kind in Kind
    ]


def is_following(viewer: User, ticket: Ticket) -> bool:
    return Follower.objects.filter(ticket=ticket, user=viewer).exists()


def site_link(notification: Notification) -> str:
    return settings.SITE_URL + ticket_url(notification)
