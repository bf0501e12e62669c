"""The `balcao` command: Django's management commands with Balcão's settings, from any directory.

balcao run                 migrate, load profile and demo data once, serve with a worker
balcao serve               the ASGI server only (production: several of these)
balcao worker              the task worker (database queue, or RQ on REDIS_URL)
balcao mail deliver --from SENDER --to ADDRESS < message.eml   (an MTA's pipe; exit 75: try
                           again later; with MAIL_LMTP, handed to `mail lmtp` without Django)
balcao mail inspect FILE   how a raw message is read, as JSON, without storing it
balcao mail lmtp [--host --port | --socket PATH]   LMTP server for an MTA (default: MAIL_LMTP)
balcao mail fetch [--every SECONDS]   read the IMAP mailboxes configured in the admin
balcao demo                load the demo companies, contacts, agents and tickets
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:2] == ["mail", "deliver"] and os.environ.get("MAIL_LMTP"):
        # An MTA starts this once per message: hand it to the resident LMTP server without
        # booting Django; filed in-process below when that server cannot be reached.
        from balcao.connectors.email.lmtp_client import deliver

        code = deliver(args[2:], sys.stdin.buffer, sys.stdout, sys.stderr)
        if code is not None:
            sys.exit(code)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
    from django.core.management import execute_from_command_line

    if args[:1] in (["serve"], ["run"]):  # long-lived servers: settings pool their connections
        os.environ.setdefault("DB_POOL", "1")
    elif args[:1] == ["worker"]:
        # Never pooled, whatever the environment says (`balcao run` passes its own on): RQ's
        # scheduler is a process forked from the worker, which would not have the pool's
        # threads. The worker keeps its one connection between jobs instead (settings.py).
        os.environ["DB_POOL"] = "0"
        os.environ["DB_KEPT"] = "1"
    execute_from_command_line(["balcao", *(args or ["help"])])


if __name__ == "__main__":
    main()
