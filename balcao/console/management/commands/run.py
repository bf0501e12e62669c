import signal
import subprocess
import sys
import threading
import time

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
        worker = WorkerSupervisor(self.say)
        worker.start()
        self.say(f"balcao run: worker started (pid {worker.process.pid})")
        # uvicorn re-raises the SIGTERM it caught once it has shut down: exit through `finally`,
        # so that the worker stops with the server instead of living on alone.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            call_command("serve", host=host, port=port)
        finally:
            worker.stop()

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()


class WorkerSupervisor(threading.Thread):
    """Keeps one `balcao worker` running: one that died is started again, and said so; one
    that keeps dying at once is restarted less and less often (up to every 30 s)."""

    def __init__(self, say):
        super().__init__(daemon=True)
        self.say = say
        self.stopping = threading.Event()
        self.process = self._spawn()

    def _spawn(self) -> subprocess.Popen:
        self.started_at = time.monotonic()
        return subprocess.Popen([sys.executable, "-m", "balcao.cli", "worker"])

    def run(self) -> None:
        pause = 1.0
        while not self.stopping.wait(pause):
            code = self.process.poll()
            if code is None:
                if time.monotonic() - self.started_at > 30:
                    pause = 1.0
                continue
            lived = time.monotonic() - self.started_at
            pause = 1.0 if lived > 30 else min(pause * 2, 30.0)
            self.process = self._spawn()
            self.say(
                f"balcao run: the worker exited (code {code}) after {lived:.0f} s;"
                f" started again (pid {self.process.pid})"
            )

    def stop(self) -> None:
        self.stopping.set()
        self.join(5)
        self.process.terminate()
        self.process.wait(10)
