"""The WhatsApp numbers a company's contacts write from (R2): the primary contact registers
and removes them in the client area, staff in the admin. A number not registered is an
unknown sender: its messages are kept unlinked, outside SLA."""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from balcao.connectors.whatsapp.models import WhatsAppIdentity
from balcao.core.errors import ActionRefused
from balcao.customers.actions import require_primary
from balcao.customers.models import Company, Contact
from balcao.events.actions import record_event
from balcao.events.models import EventKind


def _only_primary() -> str:
    return _("Only the account's primary contact manages the WhatsApp numbers.")


def normalized_number(raw: str) -> str:
    """Digits with the country code first, as WhatsApp sends them ("+55 (11) 98765-4321" →
    "5511987654321"); refused when it cannot be a full international number."""
    digits = re.sub(r"\D", "", raw or "")
    if not 10 <= len(digits) <= 15:
        raise ActionRefused(
            _("Write the full number with the country code, e.g. +55 11 98765-4321."),
            code="invalid_number",
        )
    return digits


@transaction.atomic
def do_register_number(contact: Contact, *, actor, number: str) -> WhatsAppIdentity:
    """Let ``contact`` write to support from ``number`` on WhatsApp."""
    require_primary(contact.company, actor, _only_primary())
    wa_id = normalized_number(number)
    if WhatsAppIdentity.objects.filter(wa_id=wa_id).exists():
        raise ActionRefused(
            _("+%(number)s is already registered.") % {"number": wa_id}, code="duplicate"
        )
    identity = WhatsAppIdentity.objects.create(wa_id=wa_id, contact=contact)
    record_event(
        EventKind.WHATSAPP_NUMBER_ADDED,
        actor=actor,
        company=contact.company,
        number=wa_id,
        email=contact.user.email,
    )
    return identity


@transaction.atomic
def do_remove_number(identity: WhatsAppIdentity, *, actor) -> None:
    company = identity.contact.company
    require_primary(company, actor, _only_primary())
    record_event(
        EventKind.WHATSAPP_NUMBER_REMOVED,
        actor=actor,
        company=company,
        number=identity.wa_id,
        email=identity.contact.user.email,
    )
    identity.delete()


def company_numbers(company: Company) -> list[WhatsAppIdentity]:
    """The registered numbers of a company's contacts, with their contact."""
    return list(
        WhatsAppIdentity.objects.filter(contact__company=company)
        .select_related("contact__user")
        .order_by("contact__user__email", "wa_id")
    )
