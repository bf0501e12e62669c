import uvicorn
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve pages, API and websockets with the ASGI server (uvicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, host, port, workers, **options):
        uvicorn.run(
            "balcao.asgi:application",
            host=host,
            port=port,
            workers=workers,
            lifespan="off",
            log_level="info",
        )
