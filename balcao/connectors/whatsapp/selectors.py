"""Reads of the WhatsApp connector, for whoever asks through the pages."""

from balcao.connectors.whatsapp.models import WhatsAppIdentity
from balcao.customers.models import Company


def company_numbers(company: Company) -> list[WhatsAppIdentity]:
    """The registered numbers of a company's contacts, with their contact."""
    return list(
        WhatsAppIdentity.objects.filter(contact__company=company)
        .select_related("contact__user")
        .order_by("contact__user__email", "wa_id")
    )
