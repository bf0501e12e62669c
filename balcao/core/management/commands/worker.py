from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run the background task worker: the database queue, or RQ when REDIS_URL is set; "
        "either survives database outages."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=0.5, help="seconds between looks at an empty queue"
        )

    def handle(self, *args, interval, **options):
        if settings.REDIS_URL:
            call_command(
                "rqworker",
                "default",
                with_scheduler=True,
                job_class="django_tasks_rq.Job",  # without it RQ cannot call a Django task
                worker_class="balcao.core.worker.DatabaseRetryingRQWorker",
            )
            return
        from balcao.core.worker import ResilientWorker

        worker = ResilientWorker(interval=interval, say=self.say)
        self.say(f"worker {worker.worker_id} on the database queue")
        worker.run_forever()

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
