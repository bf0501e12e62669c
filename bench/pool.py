"""Connection pool proof: the same page served by `balcao serve` with and without DB_POOL,
counting the PostgreSQL sessions opened and the server's CPU.

    DATABASE_URL=postgres://…/balcao_bench .venv/bin/python bench/pool.py [--requests 100]

The page is the help articles list (anonymous, reads the database). Without the pool each
request opens a session (connection, authentication, backend start); with it, none.
"""

import argparse
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")

from bench.pages import cpu_seconds, free_port  # noqa: E402

PAGE = "/cliente/ajuda/artigos/"


def sessions() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def run(pool: bool, requests: int) -> str:
    port = free_port()
    env = {**os.environ, "DB_POOL": "1" if pool else "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "balcao.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,  # `-m` runs the working directory's code first: this tree's
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + PAGE, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=30) as client:
            client.get(PAGE)
            before, cpu = sessions(), cpu_seconds(server.pid)
            began = time.perf_counter()
            for _ in range(requests):
                client.get(PAGE).raise_for_status()
            wall = (time.perf_counter() - began) * 1000 / requests
            cpu = (cpu_seconds(server.pid) - cpu) * 1000 / requests
            opened = sessions() - before
        return (
            f"DB_POOL={int(pool)}: {wall:6.1f} ms/request, server CPU {cpu:5.1f} ms/request, "
            f"{opened} sessions opened for {requests} requests"
        )
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Django's logging config says INFO
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("the pool is PostgreSQL's: set DATABASE_URL")
    for pool in (False, True, False, True):
        print(run(pool, args.requests), flush=True)


if __name__ == "__main__":
    main()
