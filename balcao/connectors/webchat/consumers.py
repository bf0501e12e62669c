"""The chat's sockets. Access is checked on connect with the same selectors as the pages (a
chat the user may not see: close code 4404); every message is persisted through the actions,
which broadcast it to the chat's groups once committed. A frame that cannot be read gets an
error frame and the socket stays open."""

import json
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from balcao.connectors.webchat import actions
from balcao.connectors.webchat.presence import contact_joined, contact_left
from balcao.connectors.webchat.selectors import (
    chat_messages,
    chat_refusal,
    department_group,
    get_chat,
    message_payload,
    staff_group,
    ticket_group,
)
from balcao.core.errors import ActionRefused, NotFound
from balcao.core.text import is_unstorable
from balcao.tickets.models import Status
from balcao.tickets.selectors import visible_departments

NOT_FOUND = 4404
REFUSED = 4403
BODY_LIMIT = 10_000


def socket_language(scope) -> str:
    """The language the pages speak to this person: the switcher's cookie, else their saved
    preference, else the default (pt-BR)."""
    cookies = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookies.load(value.decode("latin-1"))
    cookie = cookies.get(settings.LANGUAGE_COOKIE_NAME)
    chosen = cookie.value if cookie else getattr(scope["user"], "language", "")
    try:
        return translation.get_supported_language_variant(chosen)
    except LookupError:
        return settings.LANGUAGE_CODE


def _speaking(language: str, function):
    """``function`` run with ``language`` active: refusals and errors in the person's words."""

    def run(*args):
        with translation.override(language):
            return function(*args)

    return database_sync_to_async(run)


def _enter(user, number: int) -> int:
    """The chat's ticket id if ``user`` may be in it now; a contact only while chat is open."""
    ticket = get_chat(user, number)
    if not user.is_agent and ticket.status != Status.CLOSED:
        refusal = chat_refusal(ticket.company)
        if refusal:
            raise ActionRefused(refusal, code="chat_unavailable")
    return ticket.pk


def _backlog(user, number: int, after: int) -> list[dict]:
    ticket = get_chat(user, number)
    return [message_payload(m) for m in chat_messages(user, ticket, after)]


def _act(user, number: int, content: dict) -> None:
    ticket = get_chat(user, number)
    if content.get("type") == "end":
        actions.do_end_chat(ticket, actor=user)
    else:
        actions.do_send_chat_message(
            ticket,
            actor=user,
            body=str(content.get("body", ""))[:BODY_LIMIT],
            internal=bool(content.get("internal")),
        )


class JsonObjectConsumer(AsyncJsonWebsocketConsumer):
    """Frames must be JSON objects of text a database can store (no NUL, no lone surrogate);
    anything else — binary, broken JSON, a list — gets {"type": "error", "reason": ...}."""

    language = settings.LANGUAGE_CODE

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            content = json.loads(text_data) if text_data else None
        except ValueError:
            content = None
        if isinstance(content, dict) and not is_unstorable(content):
            await self.receive_json(content)
            return
        with translation.override(self.language):
            reason = _("That message could not be read. Send it again as text.")
        await self.send_json({"type": "error", "reason": reason})


class ChatConsumer(JsonObjectConsumer):
    """``ws/chat/<number>/?after=<id>``: the messages after ``after`` first (a reconnect
    misses nothing), then live ones; sends {"type": "message"|"end", ...}."""

    groups_joined: tuple[str, ...] = ()
    # The chat's ticket while a contact (not an agent) is in it: its leaving is counted.
    contact_in: int | None = None

    async def connect(self):
        user = self.scope["user"]
        if user is None:
            await self.close(code=NOT_FOUND)
            return
        self.user = user
        self.number = self.scope["url_route"]["kwargs"]["number"]
        self.language = socket_language(self.scope)
        try:
            ticket_id = await _speaking(self.language, _enter)(self.user, self.number)
        except NotFound:
            await self.close(code=NOT_FOUND)
            return
        except ActionRefused as refused:
            await self.accept()
            await self.send_json({"type": "refused", "reason": refused.message})
            await self.close(code=REFUSED)
            return
        await self.accept()
        self.groups_joined = (ticket_group(ticket_id),)
        if self.user.is_agent:
            self.groups_joined += (staff_group(ticket_id),)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        if not self.user.is_agent:
            self.contact_in = ticket_id
            await database_sync_to_async(contact_joined)(ticket_id)
        after = parse_qs(self.scope.get("query_string", b"").decode()).get("after", ["0"])[0]
        backlog = await database_sync_to_async(_backlog)(
            self.user, self.number, int(after) if after.isdigit() else 0
        )
        for message in backlog:
            await self.send_json({"type": "message", **message})

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.contact_in is not None:
            await database_sync_to_async(contact_left)(self.contact_in)

    async def receive_json(self, content, **kwargs):
        try:
            await _speaking(self.language, _act)(self.user, self.number, content)
        except NotFound:
            await self.close(code=NOT_FOUND)
        except ActionRefused as refused:
            await self.send_json({"type": "error", "reason": refused.message})

    async def chat_message(self, event):
        await self.send_json({"type": "message", **event["message"]})

    async def chat_joined(self, event):
        await self.send_json({"type": "joined", "agent": event["agent"]})

    async def chat_ended(self, event):
        await self.send_json({"type": "ended"})


def _departments(user) -> list[int]:
    return list(visible_departments(user).values_list("id", flat=True))


class QueueConsumer(JsonObjectConsumer):
    """``ws/chat/queue/``: tells an agent's queue page that its departments' chats changed;
    the page then fetches the list through the same selector as any page."""

    groups_joined: tuple[str, ...] = ()

    async def connect(self):
        user = self.scope["user"]
        self.language = socket_language(self.scope)
        if not getattr(user, "is_agent", False):
            await self.close(code=NOT_FOUND)
            return
        await self.accept()
        self.groups_joined = tuple(
            department_group(pk) for pk in await database_sync_to_async(_departments)(user)
        )
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def queue_changed(self, event):
        await self.send_json({"type": "changed"})
