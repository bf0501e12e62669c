"""A ticket's history as its viewer may read it: the one reader of messages and events that
the client area, the console and the API render (``visible_events``)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Exists, OuterRef, QuerySet

from balcao.accounts.models import Department, Viewer
from balcao.core.prepared import prepared_instances
from balcao.events.models import Event, EventKind
from balcao.events.wording import CUSTOMER_KINDS, SHOWN_BY_THE_MESSAGE, Reader, describe_event
from balcao.tickets.models import Attachment, Message, Ticket

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _HasFiles(TypedDict):
        has_files: bool

    MessageWithFiles = WithAnnotations[Message, _HasFiles]


@dataclass(frozen=True)
class HistoryEntry:
    """One entry of a ticket's history as its viewer may see it: a message, or an event worded
    in the active language (``text``). ``author_name`` names who wrote or acted, never by a
    staff e-mail address for a customer."""

    at: datetime
    message: Message | None = None
    files: tuple[Attachment, ...] = ()  # the message's attachments
    event: Event | None = None
    text: str = ""
    author_name: str = ""

    @property
    def kind(self) -> str:
        if self.message is not None or self.event is None:
            return "message"
        return self.event.kind


def _author_name(message: Message, staff: bool) -> str:
    if staff or message.direction == Message.Direction.INBOUND:
        return message.author_name or message.author_email
    # The team's messages name their author, never by address (an unnamed agent's is one).
    return "" if "@" in message.author_name else message.author_name


class _DepartmentsBySlug(dict[str, Department]):
    """The departments by slug for the history's wording, starting from those the caller holds
    (the ticket's own): every ticket's opening names its department, and most tickets name no
    other, so all departments are read (one query) only when an event names another."""

    def __init__(self, known: Iterable[Department]) -> None:
        super().__init__((d.slug, d) for d in known)
        self.complete = False

    def get(self, slug: Any, default: Any = None) -> Any:
        if slug and slug not in self and not self.complete:
            self.update((d.slug, d) for d in Department.objects.all())
            self.complete = True
        return super().get(slug, default)


def _files(messages: "list[MessageWithFiles]") -> dict[int, tuple[Attachment, ...]]:
    """The messages' attachments by message, read in one query only when one of them has any:
    most messages have none, and that query is one of the page's few."""
    ids = [m.pk for m in messages if m.has_files]
    found: dict[int, list[Attachment]] = {}
    if ids:
        for attachment in Attachment.objects.filter(message__in=ids).order_by("id"):
            found.setdefault(attachment.message_id, []).append(attachment)
    return {pk: tuple(files) for pk, files in found.items()}


def _messages_of(staff: bool) -> "Callable[[int], QuerySet[MessageWithFiles]]":
    """A ticket's messages a viewer reads, whether each has files; staff read internal notes.
    Who wrote a message is kept on it (author_name, author_email): its author is not read."""

    def messages(ticket: int) -> "QuerySet[MessageWithFiles]":
        found = Message.objects.filter(ticket_id=ticket).annotate(
            has_files=Exists(Attachment.objects.filter(message=OuterRef("pk")))
        )
        return found if staff else found.filter(internal=False)

    return messages


def _events_of(staff: bool) -> Callable[[int], QuerySet[Event]]:
    """A ticket's events a viewer reads: staff all but those its messages show, with who
    acted; a customer those meant for customers, and the priority changes (the department's
    ``public`` ones are told apart in Python: cheaper than a JSON lookup to compile)."""

    def events(ticket: int) -> QuerySet[Event]:
        found = Event.objects.filter(ticket_id=ticket)
        if staff:
            return found.select_related("actor").exclude(kind__in=SHOWN_BY_THE_MESSAGE)
        return found.filter(kind__in=(*CUSTOMER_KINDS, EventKind.PRIORITY_CHANGED))

    return events


def visible_events(
    viewer: Viewer, ticket: Ticket, *, departments: Iterable[Department] | None = None
) -> list[HistoryEntry]:
    """The ticket's history for ``viewer``: messages and events merged by time (R10, R17).

    The only reader of a ticket's history. Staff see every message and event; a customer
    contact sees the public messages and the events meant for customers (``CUSTOMER_KINDS``),
    worded for them. ``departments``: every department, if the caller already holds them, to
    name transfers without one more query; without them, only a history naming a department
    other than the ticket's reads them.
    """
    staff = getattr(viewer, "is_agent", False)
    # both read by SQL built once per process and kind of viewer (core.prepared): the ORM
    # compiled them for every history made, ~2 ms of a ticket page after a change
    read = prepared_instances(("history_messages", staff), _messages_of(staff), ticket.pk)
    events = prepared_instances(("history_events", staff), _events_of(staff), ticket.pk)
    by_slug = (
        _DepartmentsBySlug([ticket.department])
        if departments is None
        else {d.slug: d for d in departments}
    )
    reader = Reader(staff=staff, departments=by_slug)
    files = _files(read)
    entries = [
        HistoryEntry(
            m.created_at,
            message=m,
            files=files.get(m.pk, ()),
            author_name=_author_name(m, staff),
        )
        for m in read
    ]
    entries += [
        HistoryEntry(
            e.created_at,
            event=e,
            text=describe_event(e, reader),
            author_name=(e.actor.name or e.actor.email) if staff and e.actor else "",
        )
        for e in events
        if staff or e.kind != EventKind.PRIORITY_CHANGED or (e.data or {}).get("public") is True
    ]
    return sorted(entries, key=lambda entry: entry.at)
