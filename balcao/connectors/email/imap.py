"""``balcao mail fetch``: read configured IMAP mailboxes into the funnel.

A message is flagged \\Seen (or moved) only after the funnel has committed it. If the run dies
between the two, the next run reads it again and the funnel recognises the stored copy, so
nothing is lost and nothing is doubled. UIDs are remembered per folder and UIDVALIDITY.
Messages are fetched and filed up to AT_ONCE (and AT_ONCE_BYTES) at a time
(``do_receive_mails``: one sync of their bytes, one commit), then flagged together.

A polling process must not die of one mailbox nor stall on one message: any failure but the
database's ends that mailbox's poll only, recorded on it (``poll_error``, in the admin); a
group that fails is filed again one message at a time, and a message that still fails is kept
raw as a failed inbound e-mail (the admin's list; the unique bytes-and-address row means it is
never filed into a second ticket), flagged and passed. Each poll read through records
``polled_at``, the heartbeat `/health` reads (``selectors.mailbox_health``).
"""

import logging
import traceback
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

from balcao.connectors.email.actions import (
    RawMail,
    do_keep_failed_mail,
    do_receive_mails,
    do_record_mailbox_progress,
)
from balcao.connectors.email.models import InboundMail, Mailbox

log = logging.getLogger(__name__)
DATABASE_ERRORS = (OperationalError, InterfaceError)  # nothing more can be stored: propagate
CONNECTION_LOST = (OSError, IMAPClientAbortError)  # the mailbox's poll ends here
# What staff read on the mailbox (poll_error), before the error itself:
UNREAD = gettext_noop("UID %(uid)d could not be read: left in the folder, unflagged")
KEPT_FAILED = gettext_noop("UID %(uid)d could not be filed: kept as inbound e-mail #%(id)d")
NOT_MARKED = gettext_noop("%(count)d messages filed but not flagged or moved")
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


def _raw(mailbox: Mailbox, fetched: dict, uid: int) -> RawMail:
    return RawMail(
        fetched.get(uid, {}).get(b"BODY[]") or b"", mailbox.recipient, InboundMail.Source.IMAP
    )


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
            try:
                fetched = client.fetch(chunk, ["BODY.PEEK[]"])
                results = do_receive_mails([_raw(mailbox, fetched, uid) for uid in chunk])
            except (*DATABASE_ERRORS, *CONNECTION_LOST):
                raise
            except Exception as error:
                log.warning("IMAP %s: %d messages filed one by one: %r", mailbox, len(chunk), error)
                for uid in chunk:
                    report.actions[_file_alone(client, mailbox, uidvalidity, uid)] += 1
                continue
            _mark_done(client, mailbox, chunk)
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


def _file_alone(client: IMAPClient, mailbox: Mailbox, uidvalidity: int, uid: int) -> str:
    """One message on its own; one that fails even so is kept raw, failed, and passed."""
    raw = None
    try:
        raw = _raw(mailbox, client.fetch([uid], ["BODY.PEEK[]"]), uid)
        [result] = do_receive_mails([raw])
        action = result.action
    except (*DATABASE_ERRORS, *CONNECTION_LOST):
        raise
    except Exception as error:
        log.exception("IMAP %s: UID %d could not be filed", mailbox, uid)
        action = "failed"
        if raw is None:  # never read: left in the folder as it is, unflagged
            _record_error(mailbox, error, UNREAD, uid=uid)
            do_record_mailbox_progress(mailbox, uidvalidity=uidvalidity, last_uid=uid)
            return action
        kept = do_keep_failed_mail(raw, traceback.format_exc())
        _record_error(mailbox, error, KEPT_FAILED, uid=uid, id=kept.pk)
    _mark_done(client, mailbox, [uid])
    do_record_mailbox_progress(mailbox, uidvalidity=uidvalidity, last_uid=uid)
    return action


def _mark_done(client: IMAPClient, mailbox: Mailbox, uids: list[int]) -> None:
    """``mark_done``; a refusal (a folder the server will not move to) is recorded and the
    messages, filed, are passed: reading them again would only find them filed again."""
    try:
        mark_done(client, mailbox, uids)
    except CONNECTION_LOST:
        raise
    except IMAPClientError as error:
        _record_error(mailbox, error, NOT_MARKED, count=len(uids))


def _record_error(mailbox: Mailbox, error: BaseException, what: str = "", **values: int) -> None:
    """The error on the mailbox, for staff: ``what`` happened (a text marked with
    gettext_noop, in the site's language, with its values), then the error's kind and text."""
    text = f"{type(error).__name__}: {error}"
    if what:
        with translation.override(settings.LANGUAGE_CODE):
            text = f"{_(what) % values}: {text}"
    Mailbox.objects.filter(pk=mailbox.pk).update(poll_error=text, poll_error_at=timezone.now())


def fetch_all() -> list[FetchReport]:
    """Every active mailbox, each poll recorded on it: read through (``polled_at``) or
    failed (``poll_error``), whatever failed, and the others read. Database errors
    propagate: nothing more can be stored."""
    reports = []
    for mailbox in Mailbox.objects.filter(is_active=True).order_by("name"):
        try:
            report = fetch_mailbox(mailbox)
        except DATABASE_ERRORS:
            raise
        except Exception as error:
            if isinstance(error, (*CONNECTION_LOST, IMAPClientError)):
                log.warning("IMAP %s: %s", mailbox.name, error)
            else:
                log.exception("IMAP %s failed", mailbox.name)
            report = FetchReport(mailbox.name, error=f"{type(error).__name__}: {error}")
            _record_error(mailbox, error)
        else:
            Mailbox.objects.filter(pk=mailbox.pk).update(polled_at=timezone.now())
        reports.append(report)
    return reports
