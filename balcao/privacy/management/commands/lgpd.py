"""``balcao lgpd export EMAIL`` and ``balcao lgpd erase EMAIL``: a data subject's request
received by other means than the client area (LGPD art. 18)."""

import json

from django.core.management.base import BaseCommand, CommandError

from balcao.privacy.actions import do_erase_person
from balcao.privacy.selectors import find_person, personal_data


class Command(BaseCommand):
    help = "Export or erase everything Balcão holds about a person (LGPD)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="subcommand", required=True)
        export = commands.add_parser("export", help="Print the person's data as JSON.")
        export.add_argument("email")
        erase = commands.add_parser("erase", help="Anonymise the person everywhere.")
        erase.add_argument("email")
        erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, subcommand, email, **options):
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
