"""``balcao mail lmtp``: an LMTP server (RFC 2033) in front of the funnel.

Each recipient gets its own reply, 250 only once its copy is committed; 451 (try again
later) when the database cannot be reached, so the MTA keeps the message. A message larger
than MAIL_MAX_BYTES (the limit `mail deliver` applies too) is refused with 552: at MAIL FROM
when the MTA declares its SIZE (advertised in the LHLO reply), else after DATA, once per
recipient as RFC 2033 wants; what is over the limit is read and discarded, not kept.
"""

import logging
from typing import AnyStr

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections

from balcao.connectors.email.actions import RawMail, do_receive_mail
from balcao.connectors.email.models import InboundMail

log = logging.getLogger(__name__)


def _receive(raw: bytes, recipient: str, sender: str) -> str:
    close_old_connections()
    try:
        result = do_receive_mail(
            RawMail(raw, recipient, InboundMail.Source.LMTP, envelope_sender=sender)
        )
    except (OperationalError, InterfaceError) as error:
        log.warning("LMTP: database unavailable for %s: %s", recipient, error)
        return "451 4.3.0 Temporary failure: try again later"
    return f"250 2.0.0 <{recipient}> {result.action} #{result.ticket}"


class Handler:
    async def handle_DATA(self, server, session, envelope) -> str:
        raw = envelope.original_content or b""
        sender = (envelope.mail_from or "").strip().strip("<>")  # "<>": the null sender
        replies = []
        for recipient in envelope.rcpt_tos:
            replies.append(await sync_to_async(_receive)(raw, recipient, sender))
        return "\r\n".join(replies)


TOO_BIG = "552 Error: Too much mail data"  # aiosmtpd's one reply to an oversized DATA


class BalcaoLMTP(LMTP):
    async def push(self, status: AnyStr) -> None:
        if status == TOO_BIG and self.envelope:  # LMTP answers DATA once per recipient
            for _ in self.envelope.rcpt_tos[1:]:
                await super().push(status)
        await super().push(status)


class LMTPController(Controller):
    def factory(self):
        return BalcaoLMTP(self.handler, **self.SMTP_kwargs)


def lmtp_server(host: str, port: int) -> LMTPController:
    return LMTPController(
        Handler(), hostname=host, port=port, data_size_limit=settings.MAIL_MAX_BYTES
    )
