"""Reads of the WhatsApp connector, for whoever asks through the pages."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.models import User
from balcao.connectors.whatsapp.approved import render_template, template_errors, template_values
from balcao.connectors.whatsapp.models import (
    BusinessNumber,
    MessageTemplate,
    WhatsAppIdentity,
    WhatsAppMessage,
)
from balcao.customers.models import Company
from balcao.tickets.models import Origin, Ticket

# WhatsApp lets a business write freely for 24 hours after the customer's last message.
WINDOW = timedelta(hours=24)


def company_numbers(company: Company) -> list[WhatsAppIdentity]:
    """The registered numbers of a company's contacts, with their contact."""
    return list(
        WhatsAppIdentity.objects.filter(contact__company=company)
        .select_related("contact__user")
        .order_by("contact__user__email", "wa_id")
    )


def business_numbers() -> dict[str, list[BusinessNumber]]:
    """Our active WhatsApp numbers by channel (Comercial, Suporte), as customers reach them."""
    found: dict[str, list[BusinessNumber]] = {}
    for number in BusinessNumber.objects.filter(is_active=True).order_by("display_number"):
        found.setdefault(number.channel, []).append(number)
    return found


def wa_link(number: BusinessNumber) -> str:
    """WhatsApp's click-to-chat link of a number: https://wa.me/<digits>."""
    return "https://wa.me/" + "".join(c for c in number.display_number if c.isdigit())


@dataclass(frozen=True)
class TemplateChoice:
    template: MessageTemplate
    preview: str  # the text the customer would read


@dataclass(frozen=True)
class ReplyWindow:
    """Whether the team may write freely on a WhatsApp ticket now (WhatsApp's 24-hour
    customer-service window), until when, and the templates that may be sent otherwise."""

    open: bool
    closes_at: datetime | None
    templates: list[TemplateChoice]


def reply_window(
    ticket: Ticket, agent: User | None = None, now: datetime | None = None
) -> ReplyWindow | None:
    """None for a ticket that is not a WhatsApp conversation (two queries for one that is).
    While closed: the active templates whose settings can be used (a hand-edited one that
    cannot is left out), each previewed as written by ``agent``."""
    if ticket.origin != Origin.WHATSAPP:
        return None
    last = (
        WhatsAppMessage.objects.filter(ticket=ticket, direction=WhatsAppMessage.Direction.INBOUND)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    closes_at = last + WINDOW if last else None
    is_open = closes_at is not None and (now or timezone.now()) < closes_at
    templates = []
    if not is_open:
        for template in MessageTemplate.objects.filter(is_active=True):
            if template_errors(
                template.name, template.language, template.body, template.parameters
            ):
                continue
            values = template_values(template, ticket, agent) if agent else []
            preview = render_template(template, values) if agent else template.body
            templates.append(TemplateChoice(template, preview))
    return ReplyWindow(is_open, closes_at, templates)


def free_form_refusal(ticket: Ticket) -> str:
    """Why the team's free-form reply cannot leave by WhatsApp now ('' when it can)."""
    window = reply_window(ticket)
    if window is None or window.open:
        return ""
    return _(
        "WhatsApp's 24-hour window is closed (the customer's last message is older): a"
        " free-form reply cannot be sent. Send an approved template, or write an internal note."
    )
