from django.core.management.base import BaseCommand

from balcao.customers.actions import do_load_default_profile


class Command(BaseCommand):
    help = "Load the default profile (plans, add-on, departments) unless plans already exist."

    def handle(self, *args, **options):
        loaded = do_load_default_profile()
        self.stdout.write("default profile loaded" if loaded else "profile already present: kept")
