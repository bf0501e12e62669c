"""``balcao mail deliver|inspect|lmtp|fetch`` — the e-mail channel's ways in."""

import json
import sys
import time
from pathlib import Path
from typing import BinaryIO, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, close_old_connections

EX_DATAERR = 65  # sysexits.h: the MTA bounces the message (Postfix: 5.6.0), keeping nothing
EX_TEMPFAIL = 75  # sysexits.h: the MTA keeps the message and tries again


class Command(BaseCommand):
    help = "Receive e-mail: deliver (MTA pipe), inspect a message, serve LMTP, fetch IMAP."
    requires_system_checks = []

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="subcommand", required=True)
        deliver = commands.add_parser(
            "deliver", help="Read one raw message on standard input and file it (exit 75: retry)."
        )
        deliver.add_argument(
            "--to", action="append", help="an envelope recipient address (again for each one)"
        )
        deliver.add_argument(
            "--from", dest="sender", help='the envelope sender ("" for the null sender)'
        )
        inspect = commands.add_parser(
            "inspect", help="Print how Balcão reads a raw message, without storing it."
        )
        inspect.add_argument("file", help="a raw RFC 5322 message (.eml); - for standard input")
        lmtp = commands.add_parser(
            "lmtp", help="Serve LMTP for an MTA (where MAIL_LMTP says, else 127.0.0.1:8024)."
        )
        lmtp.add_argument("--host")
        lmtp.add_argument("--port", type=int)
        lmtp.add_argument(
            "--socket", dest="unix_socket", help="a unix socket's path, instead of a port"
        )
        fetch = commands.add_parser("fetch", help="Read the configured IMAP mailboxes.")
        fetch.add_argument(
            "--every", type=int, default=0, help="keep polling, every this many seconds"
        )

    def handle(self, *args, subcommand, **options):
        getattr(self, f"_{subcommand}")(**options)

    def _deliver(self, to, sender, **options):
        from balcao.connectors.email.actions import RawMail, do_receive_mail
        from balcao.connectors.email.lmtp_client import CanonicalReader
        from balcao.connectors.email.store import spool

        # Streamed to the raw store's spool in chunks: the message is never whole in memory.
        # Kept as SMTP carries it (CRLF), as the thin client sends it to LMTP: the same bytes
        # and the same size whichever path files it (balcao.cli decides, lmtp_client.py).
        reader = cast(BinaryIO, CanonicalReader(sys.stdin.buffer))
        raw = spool(reader, settings.MAIL_MAX_BYTES)
        if raw is None:
            self.stderr.write(
                f"balcao mail deliver: message larger than {settings.MAIL_MAX_BYTES} bytes"
                " (MAIL_MAX_BYTES): refused, nothing stored"
            )
            sys.exit(EX_DATAERR)
        for recipient in to or [""]:  # one line of JSON each; exit 75 retries them all
            try:
                result = do_receive_mail(RawMail(raw, recipient, envelope_sender=sender))
            except (OperationalError, InterfaceError) as error:
                self.stderr.write(
                    f"balcao mail deliver: database unavailable, retry later: {error}"
                )
                sys.exit(EX_TEMPFAIL)
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))

    def _inspect(self, file, **options):
        from balcao.connectors.email.parsing import parse_message

        try:
            if file == "-":
                parsed = parse_message(sys.stdin.buffer.read())
            else:
                with Path(file).open("rb") as source:
                    parsed = parse_message(source)
        except OSError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(parsed.as_json(), ensure_ascii=False, indent=2))

    def _lmtp(self, host, port, unix_socket, **options):
        from balcao.connectors.email.lmtp import lmtp_server, serving
        from balcao.connectors.email.lmtp_client import endpoint

        if not (host or port or unix_socket) and settings.MAIL_LMTP:
            where = endpoint(settings.MAIL_LMTP)
            host, port, unix_socket = ("", 0, where) if isinstance(where, str) else (*where, "")
        host, port = host or "127.0.0.1", port or 8024
        server = lmtp_server(host, port, unix_socket or "")
        server.start()
        where = unix_socket or f"{host}:{port}"
        self.stdout.write(f"LMTP on {where}")
        try:
            while serving(server):
                time.sleep(1)
        except KeyboardInterrupt:
            return
        finally:
            if not server.loop.is_closed():  # closed: its thread has ended, nothing to stop
                server.stop()
        # Its server thread died or stopped listening: end, so that the supervisor (systemd
        # Restart=always) starts a process that serves.
        self.stderr.write(f"balcao mail lmtp: the server on {where} stopped serving")
        sys.exit(1)

    def _fetch(self, every, **options):
        from balcao.connectors.email.imap import fetch_all

        if every and every * 2 > settings.WORKER_STALE_SECONDS:
            raise CommandError(
                f"--every {every}: at most half of WORKER_STALE_SECONDS"
                f" ({settings.WORKER_STALE_SECONDS}), or /health reports the mailboxes stale"
            )
        while True:
            failed = False
            close_old_connections()  # one the database dropped is replaced, not reused
            try:
                for report in fetch_all():
                    shown = {"mailbox": report.mailbox, **report.actions}
                    if report.error:
                        shown["error"], failed = report.error, True
                    self.stdout.write(json.dumps(shown, sort_keys=True, ensure_ascii=False))
            except (OperationalError, InterfaceError) as error:
                self.stderr.write(f"balcao mail fetch: database unavailable: {error}")
                if not every:
                    sys.exit(EX_TEMPFAIL)
            if not every:
                if failed:
                    sys.exit(1)
                return
            time.sleep(every)
