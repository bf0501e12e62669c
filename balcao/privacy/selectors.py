"""What Balcão holds about one person, found by e-mail address (LGPD art. 18: access and
portability). The same reader serves the client area's download, staff and `balcao lgpd
export`, so all three give the same answer.

This app reads every app's tables, the channels' too: it is a compliance layer above the
domain, like the interfaces, and the domain never imports it.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from balcao.accounts.models import User
from balcao.connectors.email.models import InboundMail
from balcao.connectors.whatsapp.models import WhatsAppIdentity, WhatsAppMessage
from balcao.customers.models import Contact
from balcao.events.models import Event
from balcao.tickets.models import Attachment, Message, Receipt, Ticket


@dataclass
class Person:
    """Where one person's data lives: their account (if any), address and numbers."""

    email: str
    user: User | None
    contact: Contact | None
    numbers: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.user is not None or self.tickets().exists() or self.messages().exists()

    def tickets(self) -> QuerySet[Ticket]:
        match = Q(requester_email__iexact=self.email)
        if self.user is not None:
            match |= Q(requester=self.user)
        return Ticket.objects.filter(match)

    def messages(self) -> QuerySet[Message]:
        match = Q(author_email__iexact=self.email)
        if self.user is not None:
            match |= Q(author=self.user)
        return Message.objects.filter(match, direction=Message.Direction.INBOUND)

    def events(self) -> list[Event]:
        """Events that name the person: what they did, and their contact's records."""
        match = Q(ticket__in=self.tickets())
        if self.user is not None:
            match |= Q(actor=self.user)
        if self.contact is not None:
            match |= Q(company=self.contact.company_id, ticket=None)
        return [e for e in Event.objects.filter(match).order_by("id") if self.named_in(e.data)]

    def named_in(self, value: Any) -> bool:
        if isinstance(value, dict):
            if self.user is not None and value.get("id") == self.user.pk:
                return True
            return any(self.named_in(v) for v in value.values())
        if isinstance(value, list):
            return any(self.named_in(v) for v in value)
        if isinstance(value, str):
            return self.email in value.lower() or value in self.numbers
        return False

    def mails(self) -> QuerySet[InboundMail]:
        return InboundMail.objects.filter(from_email__iexact=self.email)

    def whatsapp_messages(self) -> QuerySet[WhatsAppMessage]:
        return WhatsAppMessage.objects.filter(wa_id__in=self.numbers)

    def receipts(self) -> QuerySet[Receipt]:
        return Receipt.objects.filter(sender__in=[self.email, *self.numbers])


def find_person(email: str) -> Person:
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    contact = Contact.objects.select_related("company").filter(user=user).first() if user else None
    numbers = (
        list(WhatsAppIdentity.objects.filter(contact=contact).values_list("wa_id", flat=True))
        if contact
        else []
    )
    return Person(email=email, user=user, contact=contact, numbers=numbers)


def personal_data(email: str) -> dict[str, Any]:
    """Everything held about the person, as JSON-ready data: nothing of anyone else."""
    person = find_person(email)
    user, contact = person.user, person.contact
    messages = person.messages().select_related("ticket").order_by("created_at", "id")
    attachments = Attachment.objects.filter(message__in=person.messages()).select_related(
        "message__ticket"
    )
    return {
        "email": person.email,
        "profile": {
            "name": user.name,
            "language": user.language,
            "time_zone": user.time_zone,
            "joined": user.date_joined.isoformat(),
            "active": user.is_active,
        }
        if user
        else None,
        "contact": {
            "company": contact.company.name,
            "primary": contact.is_primary,
            "authorized_at": contact.created_at.isoformat(),
        }
        if contact
        else None,
        "whatsapp_numbers": person.numbers,
        "tickets": [
            {
                "number": t.number,
                "subject": t.subject,
                "status": t.status,
                "channel": t.origin,
                "opened": t.created_at.isoformat(),
            }
            for t in person.tickets().order_by("number")
        ],
        "messages": [
            {
                "ticket": m.ticket.number,
                "at": m.created_at.isoformat(),
                "channel": m.channel,
                "text": m.body_text,
            }
            for m in messages
        ],
        "attachments": [
            {
                "ticket": a.message.ticket.number,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
            }
            for a in attachments
        ],
        "events": [
            {"kind": e.kind, "at": e.created_at.isoformat(), "data": e.data}
            for e in person.events()
        ],
        "emails_received": [
            {"received": m.received_at.isoformat(), "subject": m.subject}
            for m in person.mails().order_by("received_at")
        ],
        "account_events": [
            {"kind": e.kind, "at": e.created_at.isoformat(), "address": e.client_address}
            for e in (user.account_events.order_by("created_at", "id") if user else [])
        ],
    }
