"""``balcao lgpd export|erase EMAIL``: a data subject's request received by other means than
the client area (LGPD art. 18); ``balcao lgpd retention [--dry-run]``: the retention policy."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from balcao.privacy.actions import do_apply_retention, do_erase_person
from balcao.privacy.selectors import find_person, personal_data, retention_policy, retention_report


class Command(BaseCommand):
    help = "Export or erase everything Balcão holds about a person; apply the retention policy."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="subcommand", required=True)
        export = commands.add_parser("export", help="Print the person's data as JSON.")
        export.add_argument("email")
        erase = commands.add_parser("erase", help="Anonymise the person everywhere.")
        erase.add_argument("email")
        erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        retention = commands.add_parser(
            "retention", help="Purge what the retention policy no longer keeps."
        )
        retention.add_argument(
            "--dry-run", action="store_true", help="only print what would be purged"
        )

    def handle(self, *args, subcommand, **options):
        if subcommand == "retention":
            return self.retention(options["dry_run"])
        email = options["email"]
        if subcommand == "export":
            if not find_person(email).found:
                raise CommandError(f"Nothing is held about {email}.")
            self.stdout.write(json.dumps(personal_data(email), ensure_ascii=False, indent=2))
            return
        if not options["yes"]:
            answer = input(f"Erase everything about {email}? This cannot be undone. [y/N] ")
            if answer.strip().lower() not in ("y", "yes", "s", "sim"):
                raise CommandError("Nothing was erased.")
        erasure = do_erase_person(email)
        if erasure is None:
            self.stdout.write(json.dumps({"erased": False, "counts": {}}))
        else:
            self.stdout.write(json.dumps({"erased": True, "counts": erasure.counts}))

    def retention(self, dry_run: bool) -> None:
        policy = retention_policy()
        if dry_run:
            report = {"dry_run": True, **retention_report(policy, timezone.now())}
            self.stdout.write(json.dumps(report, indent=2))
            return
        run = do_apply_retention(policy) if policy.active else None
        counts = run.counts if run else {}
        self.stdout.write(
            json.dumps(
                {"dry_run": False, "purged": counts, "policy_problems": list(policy.problems)}
            )
        )
