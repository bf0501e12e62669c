from django.core.management.base import BaseCommand

from balcao.console.demo import load_demo


class Command(BaseCommand):
    help = "Load the default profile and the demo data (companies, contacts, staff, tickets) once."

    def handle(self, *args, **options):
        self.stdout.write("demo data loaded" if load_demo() else "demo data already present: kept")
