"""``balcao mail fetch``: read configured IMAP mailboxes into the funnel.

A message is flagged \\Seen (or moved) only after the funnel has committed it. If the run dies
between the two, the next run reads it again and the funnel recognises the stored copy, so
nothing is lost and nothing is doubled. UIDs are remembered per folder and UIDVALIDITY.
Messages are fetched and filed up to AT_ONCE (and AT_ONCE_BYTES) at a time
(``do_receive_mails``: one sync of their bytes, one commit), then flagged together.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from balcao.connectors.email.actions import (
    RawMail,
    do_receive_mails,
    do_record_mailbox_progress,
)
from balcao.connectors.email.models import InboundMail, Mailbox

log = logging.getLogger(__name__)
AT_ONCE = 25  # messages fetched and filed together
AT_ONCE_BYTES = 16 * 1024 * 1024  # and no more than this held in memory (a larger one alone)


@dataclass
class FetchReport:
    mailbox: str
    actions: Counter = field(default_factory=Counter)  # created / joined / duplicate / failed
    error: str = ""


def _connect(mailbox: Mailbox) -> IMAPClient:
    client = IMAPClient(mailbox.host, port=mailbox.port, ssl=mailbox.use_ssl, timeout=60)
    client.login(mailbox.username, mailbox.password)
    return client


def mark_done(client: IMAPClient, mailbox: Mailbox, uids: list[int]) -> None:
    """After commit: move the messages out of the folder, or flag them read."""
    if mailbox.move_to:
        client.move(uids, mailbox.move_to)
    else:
        client.add_flags(uids, [b"\\Seen"])


def _chunks(uids: list[int], sizes: dict[int, int]) -> list[list[int]]:
    """The UIDs in groups of at most AT_ONCE messages and AT_ONCE_BYTES (one larger alone)."""
    chunks: list[list[int]] = []
    held = AT_ONCE_BYTES
    for uid in uids:
        if not chunks or len(chunks[-1]) >= AT_ONCE or held + sizes[uid] > AT_ONCE_BYTES:
            chunks.append([])
            held = 0
        chunks[-1].append(uid)
        held += sizes[uid]
    return chunks


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
        sizes = client.fetch(uids, ["RFC822.SIZE"]) if uids else {}
        for chunk in _chunks(
            uids, {uid: sizes.get(uid, {}).get(b"RFC822.SIZE", 0) for uid in uids}
        ):
            fetched = client.fetch(chunk, ["BODY.PEEK[]"])
            raws = [
                RawMail(
                    fetched.get(uid, {}).get(b"BODY[]") or b"",
                    mailbox.recipient,
                    InboundMail.Source.IMAP,
                )
                for uid in chunk
            ]
            results = do_receive_mails(raws)
            mark_done(client, mailbox, chunk)
            do_record_mailbox_progress(mailbox, uidvalidity=uidvalidity, last_uid=chunk[-1])
            report.actions.update(result.action for result in results)
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
