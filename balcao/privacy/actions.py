"""Erasure (LGPD art. 18, VI): the person is anonymised everywhere — name, address, numbers,
what they wrote, their files and the raw messages they sent — while the company keeps its
ticket numbers, statuses and statistics. Recorded without the erased data; a second run
finds nothing and changes nothing."""

import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from balcao.accounts.models import User
from balcao.connectors.email.models import InboundMail
from balcao.connectors.email.store import forget as forget_raw
from balcao.connectors.whatsapp.models import Webhook, WhatsAppIdentity
from balcao.privacy.models import Erasure
from balcao.privacy.selectors import Person, find_person
from balcao.search.actions import index_ticket
from balcao.tickets.models import Attachment, Ticket


def _erased_text() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("(Removed at the request of the person who wrote it.)")


def _scrub(value: Any, person: Person, address: str) -> Any:
    """The same data with the person's name, address and numbers taken out."""
    if isinstance(value, dict):
        if person.user is not None and value.get("id") == person.user.pk:
            return {**value, "name": ""}
        return {k: "" if k == "consent" else _scrub(v, person, address) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, person, address) for v in value]
    if isinstance(value, str) and (person.email in value.lower() or value in person.numbers):
        return address if "@" in value else ""
    return value


def _delete_files(attachments: list[Attachment]) -> int:
    """Delete the files from storage unless another message holds the same content."""
    deleted = 0
    for attachment in attachments:
        shared = Attachment.objects.filter(sha256=attachment.sha256).exclude(pk=attachment.pk)
        name = attachment.file.name
        attachment.delete()
        if name and not shared.exists():
            attachment.file.storage.delete(name)
            deleted += 1
    return deleted


@transaction.atomic
def do_erase_person(email: str, *, actor: User | None = None) -> Erasure | None:
    """Anonymise ``email``'s person; None when nothing is held about them (any more)."""
    person = find_person(email)
    if not person.found and not person.mails().exists():
        return None
    address = f"removido-{uuid.uuid4().hex[:12]}@anonimo.invalid"
    erased = _erased_text()
    counts: dict[str, int] = {}
    events = person.events()
    for event in events:
        event.data = _scrub(event.data, person, address)
        event.save(update_fields=["data"])
    counts["events"] = len(events)
    messages = person.messages()
    touched = {*person.tickets().values_list("pk", flat=True)}
    touched |= {*messages.values_list("ticket_id", flat=True)}
    attachments = list(Attachment.objects.filter(message__in=messages))
    counts["messages"] = messages.update(
        author_email=address, author_name="", body_text=erased, body_html=""
    )
    counts["files"] = _delete_files(attachments)
    counts["tickets"] = person.tickets().update(requester_email=address, requester_name="")
    stored = set(person.mails().values_list("raw", flat=True))
    counts["raw_emails"] = person.mails().update(raw="", from_email=address, subject="", defects=[])
    # The same bytes sent to two addresses are one file: deleted when no mail keeps it.
    kept = set(InboundMail.objects.filter(raw__in=stored).values_list("raw", flat=True))
    counts["raw_email_files"] = forget_raw(stored - kept)
    webhooks = list(person.whatsapp_messages().values_list("webhook_id", flat=True))
    counts["whatsapp_messages"] = person.whatsapp_messages().update(wa_id="", text=erased)
    Webhook.objects.filter(pk__in=[w for w in webhooks if w]).update(raw=b"")
    counts["receipts"] = person.receipts().update(sender=address, conversation="")
    if person.contact is not None:
        WhatsAppIdentity.objects.filter(contact=person.contact).delete()
        person.contact.delete()
    if person.user is not None:
        user = person.user
        user.email, user.name, user.language, user.time_zone = address, "", "", ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        user.api_tokens.all().delete()
        user.account_events.all().delete()  # addresses it connected from
    for ticket in Ticket.objects.filter(pk__in=touched):
        index_ticket(ticket)  # the search documents hold what was erased too
    return Erasure.objects.create(actor=actor, counts=counts)
