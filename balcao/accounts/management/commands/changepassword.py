"""``balcao changepassword EMAIL``: Django's command, setting the password through
``do_set_password`` like every other way, so the person's API tokens end and the change is
in their account's history (by nobody: a command run on the server)."""

import getpass

from django.contrib.auth.management.commands import changepassword
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from balcao.accounts.actions import do_set_password
from balcao.accounts.models import User

TRIES = 3


class Command(changepassword.Command):
    def handle(self, *args, **options):
        email = options["username"] or ""
        user = User.objects.using(options["database"]).filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"user '{email}' does not exist")
        self.stdout.write(f"Changing password for user '{user}'")
        for _attempt in range(TRIES):
            password = getpass.getpass()
            if password != getpass.getpass("Password (again): "):
                self.stdout.write("Passwords do not match. Please try again.")
                continue
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.stderr.write("\n".join(error.messages))
                continue
            do_set_password(user, password, actor=None)
            return f"Password changed successfully for user '{user}'"
        raise CommandError(f"Aborting password change for user '{user}' after {TRIES} attempts")
