"""``balcao mail fetch``: read configured IMAP mailboxes into the funnel.

A message is flagged \\Seen (or moved) only after the funnel has committed it. If the run dies
between the two, the next run reads it again and the funnel recognises the stored copy, so
nothing is lost and nothing is doubled. UIDs are remembered per folder and UIDVALIDITY.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from balcao.connectors.email.actions import (
    RawMail,
    do_receive_mail,
    do_record_mailbox_progress,
)
from balcao.connectors.email.models import InboundMail, Mailbox

log = logging.getLogger(__name__)


@dataclass
class FetchReport:
    mailbox: str
    actions: Counter = field(default_factory=Counter)  # created / joined / duplicate / failed
    error: str = ""


def _connect(mailbox: Mailbox) -> IMAPClient:
    client = IMAPClient(mailbox.host, port=mailbox.port, ssl=mailbox.use_ssl, timeout=60)
    client.login(mailbox.username, mailbox.password)
    return client


def mark_done(client: IMAPClient, mailbox: Mailbox, uid: int) -> None:
    """After commit: move the message out of the folder, or flag it read."""
    if mailbox.move_to:
        client.move([uid], mailbox.move_to)
    else:
        client.add_flags([uid], [b"\\Seen"])


def fetch_mailbox(mailbox: Mailbox) -> FetchReport:
    report = FetchReport(mailbox.name)
    client = _connect(mailbox)
    try:
        if mailbox.move_to and not client.folder_exists(mailbox.move_to):
            client.create_folder(mailbox.move_to)
        status = client.select_folder(mailbox.folder)
        uidvalidity = int(status[b"UIDVALIDITY"])
        last_uid = mailbox.last_uid if mailbox.uidvalidity == uidvalidity else 0
        uids = sorted(u for u in client.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid)
        for uid in uids:
            fetched = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
            raw = fetched.get(b"BODY[]") or b""
            result = do_receive_mail(RawMail(raw, mailbox.recipient, InboundMail.Source.IMAP))
            mark_done(client, mailbox, uid)
            do_record_mailbox_progress(mailbox, uidvalidity=uidvalidity, last_uid=uid)
            report.actions[result.action] += 1
        if not uids and mailbox.uidvalidity != uidvalidity:
            do_record_mailbox_progress(mailbox, uidvalidity=uidvalidity, last_uid=0)
    finally:
        try:
            client.logout()
        except Exception as error:
            log.warning("IMAP logout from %s: %s", mailbox.name, error)
    return report


def fetch_all() -> list[FetchReport]:
    """Every active mailbox; one that cannot be reached is reported and the others are read.
    Database errors propagate: nothing more can be stored."""
    reports = []
    for mailbox in Mailbox.objects.filter(is_active=True).order_by("name"):
        try:
            reports.append(fetch_mailbox(mailbox))
        except (OSError, IMAPClientError) as error:
            log.warning("IMAP %s: %s", mailbox.name, error)
            reports.append(FetchReport(mailbox.name, error=f"{type(error).__name__}: {error}"))
    return reports
