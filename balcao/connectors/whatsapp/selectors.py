"""Reads of the WhatsApp connector, for whoever asks through the pages."""

from balcao.connectors.whatsapp.models import BusinessNumber, WhatsAppIdentity
from balcao.customers.models import Company


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
