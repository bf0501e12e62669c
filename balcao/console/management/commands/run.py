import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from balcao.console.demo import DEMO_LOGINS
from balcao.core.management.commands.serve import adopt_site_url

BANNER = """
Balcão is running.
  Client area:   http://{host}:{port}/cliente/
  Staff console: http://{host}:{port}/console/
  Admin:         http://{host}:{port}/admin/
  API:           http://{host}:{port}/api/v1/docs
Demo logins (password balcao-demo):
{logins}
"""


class Command(BaseCommand):
    help = "The embedded default: migrate, load profile and demo data once, serve with a worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host, port, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("demo")
        logins = "\n".join(f"  {email:38} {what}" for email, what in DEMO_LOGINS)
        self.stdout.write(BANNER.format(host=host, port=port, logins=logins))
        adopt_site_url(host, port)  # before the worker starts: its e-mails link here too
        worker = subprocess.Popen([sys.executable, "-m", "balcao.cli", "worker"])
        # uvicorn re-raises the SIGTERM it caught once it has shut down: exit through `finally`,
        # so that the worker stops with the server instead of living on alone.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            call_command("serve", host=host, port=port)
        finally:
            worker.terminate()
            worker.wait(10)
