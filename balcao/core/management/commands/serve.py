import os

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand


def adopt_site_url(host: str, port: int) -> None:
    """Without SITE_URL set, links in e-mails and alerts point at the host and port this server
    was started on — for this process and the workers it starts (they read the environment)."""
    if os.environ.get("SITE_URL"):
        return
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 (a comparison)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    os.environ["SITE_URL"] = settings.SITE_URL = f"http://{shown}:{port}"


class Command(BaseCommand):
    help = "Serve pages, API and websockets with the ASGI server (uvicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, host, port, workers, **options):
        adopt_site_url(host, port)
        uvicorn.run(
            "balcao.asgi:application",
            host=host,
            port=port,
            workers=workers,
            lifespan="off",
            log_level="info",
            access_log=settings.ACCESS_LOG,
        )
