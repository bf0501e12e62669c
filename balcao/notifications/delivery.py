"""How a notification reaches an agent: pushed to their open console pages (the channel
layer: in memory embedded, Redis with REDIS_URL) and by e-mail, threaded per ticket."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from balcao.events.models import Event
from balcao.notifications.models import Kind, Notification
from balcao.notifications.selectors import (
    notification_payload,
    notification_text,
    site_link,
    user_group,
)


def push_notifications(rows: list[Notification]) -> None:
    """To each recipient's open pages (their consumer adds the link and the unread count), in
    one crossing to the event loop."""
    layer = get_channel_layer()
    if layer is None or not rows:
        return
    messages: list[tuple[str, dict[str, object]]] = []
    for row in rows:
        with translation.override(_language(row.recipient)):
            item = notification_payload(row, link=False)
        messages.append((user_group(row.recipient_id), {"type": "notification.new", "item": item}))
    async_to_sync(_send_all)(layer, messages)


async def _send_all(layer, messages: list[tuple[str, dict[str, object]]]) -> None:
    for group, message in messages:
        await layer.group_send(group, message)


def _language(user) -> str:
    return user.language if user.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _thread_id(ticket) -> str:
    """One Message-ID per ticket for the team's notifications, so they thread in mail clients."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "balcao.localhost"
    return f"<ticket-{ticket.number}.team@{domain}>"


def email_notification(event: Event, kind: str, user) -> None:
    ticket = event.ticket
    if ticket is None:  # every kind told of is a ticket's
        return
    note = Notification(recipient=user, kind=kind, ticket=ticket, event=event)
    with translation.override(_language(user)):
        context = {
            "text": notification_text(note),
            "link": site_link(note),
            "kind": Kind(kind).label,
            "preferences": settings.SITE_URL + reverse("console:notification_preferences"),
        }
        subject = f"[#{ticket.number}] {Kind(kind).label}: {ticket.subject}"
        body = render_to_string("notifications/email.txt", context)
        sender = _("Balcão notifications")
    thread = _thread_id(ticket)
    EmailMessage(
        subject,
        body,
        f"{sender} <{settings.DEFAULT_FROM_EMAIL}>",
        [user.email],
        headers={"In-Reply-To": thread, "References": thread, "Auto-Submitted": "auto-generated"},
    ).send()
