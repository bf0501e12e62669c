"""The fixed cost of a request, in-process: the ASGI application served as `balcao serve` serves
it (balcao.asgi.application), without the HTTP server, so that what is measured is Django's
and ours, not uvicorn's nor the machine's load.

    BALCAO_HOME=var/bench .venv/bin/python bench/floor.py [--requests 200] [--profile PATH]

For each path: CPU of the whole process per request (every thread: the view runs in one of
the executor's), best of 3 rounds, and queries per request; then the cyclic garbage
collector over all the rounds: its full (generation 2) collections and its longest pause, the
tail it puts in some requests' latency (balcao/asgi.py freezes what start-up made). --profile NAME: a cProfile of the
sync work of one path in the thread that runs it, in that thread's CPU time (waiting on the
database or Redis is not counted); its top functions by own and cumulative time are printed.
"""

import argparse
import asyncio
import cProfile
import gc
import os
import pstats
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
os.environ.setdefault("DB_POOL", "1")  # as the server runs


def scope(path: str, headers: dict[str, str]) -> dict:
    route, _, query = path.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")]
        + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def request(application, path: str, headers: dict[str, str]) -> int:
    status = 0
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await application(scope(path, headers), receive, send)
    return status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", help="profile this path (a name from the table)")
    args = parser.parse_args()

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from balcao import asgi  # sets Django up: before the models
    from balcao.accounts.actions import do_set_password
    from balcao.accounts.models import User
    from balcao.tickets.models import Ticket

    application = asgi.application
    settings.ALLOWED_HOSTS = ["*"]
    ticket = Ticket.objects.filter(company__isnull=False).order_by("-messages__id").first()
    contact = ticket.requester
    do_set_password(contact, "bench-password", actor=None)

    def session(user: User) -> dict[str, str]:
        client = Client()
        client.force_login(user)
        return {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}

    staff = session(User.objects.get(email="admin@balcao.localhost"))
    customer = session(contact)
    token = Client().post(
        "/api/v1/auth/token",
        {"email": contact.email, "password": "bench-password"},
        content_type="application/json",
    )
    api = {"Authorization": f"Bearer {token.json()['token']}"}
    pages = {
        "health": ("/health", {}),
        "health+session": ("/health", staff),
        "console list": ("/console/chamados/", staff),
        "client-area list": ("/cliente/chamados/", customer),
        "console ticket": (f"/console/chamados/{ticket.number}/", staff),
        "client-area ticket": (f"/cliente/chamados/{ticket.number}/", customer),
        "API list": ("/api/v1/tickets", api),
        "static": ("/static/balcao/balcao.css", {}),
    }
    loop = asyncio.new_event_loop()
    pauses: list[tuple[int, float]] = []  # (generation, ms) of each collection
    gc.callbacks.append(partial(collected, pauses))
    print(f"{'path':18} {'status':>6} {'cpu ms':>7} {'wall ms':>8} {'queries':>8}")
    for name, (path, headers) in pages.items():
        loop.run_until_complete(request(application, path, headers))  # warm up, fill the cache
        best_cpu = best_wall = float("inf")
        for _round in range(3):
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(args.requests):
                status = loop.run_until_complete(request(application, path, headers))
            best_cpu = min(best_cpu, (time.process_time() - cpu) * 1000 / args.requests)
            best_wall = min(best_wall, (time.perf_counter() - wall) * 1000 / args.requests)
        client = Client(headers=headers)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        print(f"{name:18} {status:6d} {best_cpu:7.2f} {best_wall:8.2f} {len(queries):8d}")
    full = [ms for generation, ms in pauses if generation == 2]
    print(
        f"garbage collector: {len(pauses)} collections, {len(full)} full "
        f"(longest {max(full, default=0):.1f} ms), longest of all {max(ms for _g, ms in pauses):.1f} ms"
        f"; {gc.get_freeze_count()} objects frozen"
    )
    if args.profile:
        path, headers = pages[args.profile]
        profile_requests(Client(headers=headers), path, args.requests, top=(25, 40))


def collected(pauses: list[tuple[int, float]], phase: str, info: dict) -> None:
    """gc.callbacks: each collection's generation and duration."""
    if phase == "start":
        collected.started = time.perf_counter()  # type: ignore[attr-defined]
    else:
        ms = (time.perf_counter() - collected.started) * 1000  # type: ignore[attr-defined]
        pauses.append((info["generation"], ms))


def profile_requests(client, path: str, requests: int, top: tuple[int, int]) -> None:
    """cProfile (thread CPU) of ``requests`` GETs of ``path`` after one warm-up: the top
    entries by own time, then by cumulative time."""
    client.get(path)
    profile = cProfile.Profile(time.thread_time)
    profile.enable()
    for _ in range(requests):
        client.get(path)
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(top[0])
    stats.sort_stats("cumulative").print_stats(top[1])


if __name__ == "__main__":
    main()
