from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run the background task worker: the database queue (surviving database outages), "
        "or RQ when REDIS_URL is set."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=0.5, help="seconds between looks at an empty queue"
        )

    def handle(self, *args, interval, **options):
        if settings.REDIS_URL:
            call_command("rqworker", "default", with_scheduler=True)
            return
        from balcao.core.worker import ResilientWorker

        worker = ResilientWorker(interval=interval, say=self.say)
        self.say(f"worker {worker.worker_id} on the database queue")
        worker.run_forever()

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
