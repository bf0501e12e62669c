"""``balcao mail lmtp``: an LMTP server (RFC 2033) in front of the funnel.

Each recipient gets its own reply, 250 only once its copy is committed; 451 (try again
later) when the database cannot be reached, so the MTA keeps the message. A message larger
than MAIL_MAX_BYTES (the limit `mail deliver` applies too) is refused with 552: at MAIL FROM
when the MTA declares its SIZE (advertised in the LHLO reply), else after DATA, once per
recipient as RFC 2033 wants; what is over the limit is read and discarded, not kept. The size
is the message's as RFC 1870 and `mail deliver` count it (the dots doubled on the wire are
not the message's), and a line may be as long as `mail deliver` takes one. The 250 carries
the result `mail deliver` prints, as JSON, for its thin client (lmtp_client.py).

Messages of concurrent sessions are filed together (group commit): while one group is being
filed, the deliveries that arrive wait and go in the next one (``do_receive_mails``: one sync
of their bytes, one commit), so one arriving alone waits for nothing but its own filing.
"""

import asyncio
import json
import logging
from collections.abc import Sequence
from typing import AnyStr

from aiosmtpd.controller import BaseThreadedController, Controller, UnixSocketController
from aiosmtpd.lmtp import LMTP
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections

from balcao.connectors.email.actions import RawMail, ReceiveResult, do_receive_mails
from balcao.connectors.email.models import InboundMail

log = logging.getLogger(__name__)


AT_ONCE = 25  # deliveries filed together, at most


def _reply(recipient: str, result: ReceiveResult) -> str:
    shown = json.dumps(result.as_json(), separators=(",", ":"))  # ASCII, as the reply must be
    return f"250 2.0.0 <{recipient}> {result.action} #{result.ticket} {shown}"


def _receive(raws: Sequence[RawMail]) -> list[str]:
    """File the group; each its reply (451 to all when the database cannot be reached)."""
    close_old_connections()
    try:
        results = do_receive_mails(raws)
    except (OperationalError, InterfaceError) as error:
        log.warning("LMTP: database unavailable for %d messages: %s", len(raws), error)
        return ["451 4.3.0 Temporary failure: try again later"] * len(raws)
    return [_reply(raw.recipient, result) for raw, result in zip(raws, results, strict=True)]


class Filer:
    """The deliveries of concurrent sessions, filed in groups, one group at a time."""

    def __init__(self) -> None:
        self.waiting: list[tuple[RawMail, asyncio.Future[str]]] = []
        self.filing: asyncio.Task[None] | None = None

    async def file(self, raw: RawMail) -> str:
        reply: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.waiting.append((raw, reply))
        if self.filing is None:
            self.filing = asyncio.ensure_future(self._file_waiting())
        return await reply

    async def _file_waiting(self) -> None:
        try:
            while self.waiting:
                group, self.waiting = self.waiting[:AT_ONCE], self.waiting[AT_ONCE:]
                try:
                    replies = await sync_to_async(_receive)([raw for raw, _ in group])
                except Exception as error:  # as aiosmtpd answers a handler's exception
                    for _, reply in group:
                        reply.set_exception(error)
                else:
                    for (_, reply), text in zip(group, replies, strict=True):
                        reply.set_result(text)
        finally:
            self.filing = None


class Handler:
    def __init__(self) -> None:
        self.filer = Filer()

    async def handle_DATA(self, server, session, envelope) -> str:
        raw = envelope.original_content or b""
        if len(raw) > settings.MAIL_MAX_BYTES:
            return "\r\n".join(TOO_BIG for _ in envelope.rcpt_tos)
        sender = (envelope.mail_from or "").strip().strip("<>")  # "<>": the null sender
        replies = await asyncio.gather(
            *(
                self.filer.file(RawMail(raw, recipient, InboundMail.Source.LMTP, sender))
                for recipient in envelope.rcpt_tos
            )
        )
        return "\r\n".join(replies)


TOO_BIG = "552 Error: Too much mail data"  # aiosmtpd's one reply to an oversized DATA


class BalcaoLMTP(LMTP):
    def __init__(self, handler, **kwargs) -> None:
        self.line_length_limit = settings.MAIL_MAX_BYTES + 2  # a line, as long as a message
        super().__init__(handler, **kwargs)

    async def smtp_DATA(self, arg: str) -> None:
        # aiosmtpd counts the lines on the wire, dots doubled; Handler counts the message.
        # Every line a lone dot is the most the wire adds: 3 bytes carried in 4.
        limit = self.data_size_limit
        self.data_size_limit = limit and limit * 4 // 3 + 4
        try:
            await super().smtp_DATA(arg)
        finally:
            self.data_size_limit = limit

    async def push(self, status: AnyStr) -> None:
        if status == TOO_BIG and self.envelope:  # LMTP answers DATA once per recipient
            for _ in self.envelope.rcpt_tos[1:]:
                await super().push(status)
        await super().push(status)


class LMTPController(Controller):
    def factory(self):
        return BalcaoLMTP(self.handler, **self.SMTP_kwargs)


class LMTPUnixController(UnixSocketController):
    def factory(self):
        return BalcaoLMTP(self.handler, **self.SMTP_kwargs)


def serving(controller: BaseThreadedController) -> bool:
    """Whether the server still listens: its thread (aiosmtpd's, running the event loop)
    alive and its socket open. `mail lmtp` ends when not, for its supervisor to restart it."""
    thread, server = controller._thread, controller.server
    return thread is not None and thread.is_alive() and server is not None and server.is_serving()


def lmtp_server(host: str, port: int, unix_socket: str = "") -> BaseThreadedController:
    if unix_socket:
        return LMTPUnixController(
            Handler(), unix_socket=unix_socket, data_size_limit=settings.MAIL_MAX_BYTES
        )
    return LMTPController(
        Handler(), hostname=host, port=port, data_size_limit=settings.MAIL_MAX_BYTES
    )
