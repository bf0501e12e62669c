"""Page benchmark: p50/p95 latency over real HTTP against the ASGI server, and queries per request.

    BALCAO_HOME=var/bench .venv/bin/python bench/generate.py     # once: 100,000 tickets
    BALCAO_HOME=var/bench .venv/bin/python bench/pages.py
    (PostgreSQL: the same two commands with DATABASE_URL=postgres://…)

Starts `balcao serve` on a free port (DB_POOL=0 in the environment: without the connection
pool), signs in as the demo administrator (console pages) and a
contact of a generated company (client area), requests each page --requests times, and counts
the queries of one request of each page in-process. "cpu ms" is the server process's CPU per
request (Linux /proc), which a machine busy with other work does not inflate as it does latency.

The lists are kept rendered under the viewer's list token (core.listcache): a page asked again
unchanged comes from the cache; so does a ticket page's history, under the ticket's version
(its rows "after a change" move that version before each request: the history made again).
The lists' rows "after a change" move every department's token before each request (as any
committed change to a ticket does), and for the customer's lists one of their company's
tickets (a change to another company's leaves them kept: "after a change elsewhere"): the
list is made again, its rows that did not change
taken from what the viewer was shown (a change to a ticket on the page renders that row
again as well); the console home's queues are counted again. The rows marked "nothing kept"
empty the cache before each request: what a list costs the first time it is seen.
"""

import argparse
import logging
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def login(client: httpx.Client, email: str, password: str) -> None:
    page = client.get("/cliente/entrar/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/cliente/entrar/",
        data={
            "username": email,
            "email": email,
            "password": password,
            "csrfmiddlewaretoken": token,
        },
        headers={"Referer": str(page.url)},
    )
    if response.status_code >= 400 or "sessionid" not in client.cookies:
        raise SystemExit(f"login as {email} failed: {response.status_code}")


def cpu_seconds(pid: int) -> float:
    """CPU time of a process, all its threads (ended ones too), to the nanosecond (Linux's
    CPU-time clock of a process, ``clock_getcpuclockid``): unlike latency, not inflated by a busy
    machine. /proc/PID/stat's user + system time counts in 10 ms ticks, as coarse as a whole
    request of the fast pages when one request is measured at a time (bench/peer.py)."""
    return time.clock_gettime((~pid << 3) | 2)  # the clock id glibc's clock_getcpuclockid gives


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def change() -> None:
    """What a committed change to a ticket does to the lists: its department's token moves
    (here every department's, so that every viewer's lists are made afresh)."""
    from django.db.models import F

    from balcao.accounts.models import Department

    Department.objects.update(tickets_version=F("tickets_version") + 1)


def touch(number: int):
    """What a change to one ticket does to its page: its version moves (``updated_at``)."""

    def before() -> None:
        from django.utils import timezone

        from balcao.tickets.models import Ticket

        Ticket.objects.filter(number=number).update(updated_at=timezone.now())

    return before


def change_of(number: int):
    """What a committed change to ticket ``number`` does to its company's contacts' lists
    (when its tickets last changed moves), with every department's token (``change``)."""
    moved = touch(number)

    def before() -> None:
        change()
        moved()

    return before


def forget() -> None:
    """Nothing kept: the shared cache emptied (with Redis, the session is read from its row
    again, as on a first visit)."""
    from django.core.cache import cache

    cache.clear()


def measure(client: httpx.Client, path: str, requests: int, before) -> tuple[float, float]:
    client.get(path)  # warm up
    timings = []
    for _ in range(requests):
        if before:
            before()
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        if path != "/health":  # 503 there only says no worker runs beside this server
            response.raise_for_status()
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def count_queries(email: str, path: str, headers: dict, before=None) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from balcao.accounts.models import User

    client = Client(headers=headers)
    if "authorization" not in {name.lower() for name in headers}:  # pages: a session
        client.force_login(User.objects.get(email=email))
    client.get(path)
    if before:
        before()
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--only", help="only the pages of these names (comma-separated)")
    args = parser.parse_args()

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Django's logging config says INFO
    from django.conf import settings

    from balcao.tickets.models import Ticket

    settings.ALLOWED_HOSTS = ["*"]
    ticket = Ticket.objects.filter(company__isnull=False).order_by("-messages__id").first()
    from django.utils import timezone

    if Ticket.objects.filter(company=ticket.company_id, updated_at__gt=timezone.now()).exists():
        # bench/generate.py before 2026-12-02 dated some changes up to 200 hours ahead
        raise SystemExit(
            "the customer's company has tickets changed in the future: its list token would not"
            " move after a change. Run: UPDATE tickets_ticket SET updated_at = now()"
            " WHERE updated_at > now();"
        )
    contact = ticket.requester.email
    company_change = change_of(ticket.number)
    from balcao.accounts.actions import do_set_password

    do_set_password(ticket.requester, "bench-password", actor=None)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "balcao.cli", "serve", "--port", str(port)],
        cwd=ROOT,  # `-m` runs the working directory's code first: this tree's
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if server.poll() is not None:
                raise SystemExit("the server did not start: try `balcao check` and `balcao serve`")
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        staff = httpx.Client(base_url=base, follow_redirects=True, timeout=60)
        customer = httpx.Client(base_url=base, follow_redirects=True, timeout=60)
        login(staff, "admin@balcao.localhost", "balcao-demo")
        login(customer, contact, "bench-password")
        admin = "admin@balcao.localhost"
        not_closed = "open,assigned,in_progress,customer_reply"
        pages = [
            ("floor: /health", staff, "/health", admin, None),
            ("console home (queues)", staff, "/console/", admin, None),
            ("  after a change", staff, "/console/", admin, change),
            ("console list", staff, "/console/chamados/", admin, None),
            ("  after a change", staff, "/console/chamados/", admin, change),
            ("  nothing kept", staff, "/console/chamados/", admin, forget),
            (
                "console list, department",
                staff,
                "/console/chamados/?department=suporte",
                admin,
                None,
            ),
            ("  after a change", staff, "/console/chamados/?department=suporte", admin, change),
            (
                "console list, not closed",
                staff,
                f"/console/chamados/?status={not_closed}",
                admin,
                None,
            ),
            ("  after a change", staff, f"/console/chamados/?status={not_closed}", admin, change),
            ("console ticket page", staff, f"/console/chamados/{ticket.number}/", admin, None),
            (
                "  after a change",
                staff,
                f"/console/chamados/{ticket.number}/",
                admin,
                touch(ticket.number),
            ),
            (
                "console list, SLA order",
                staff,
                f"/console/chamados/?sort=sla&status={not_closed}",
                admin,
                None,
            ),
            (
                "  after a change",
                staff,
                f"/console/chamados/?sort=sla&status={not_closed}",
                admin,
                change,
            ),
            ("client-area list", customer, "/cliente/chamados/", contact, None),
            ("  after a change", customer, "/cliente/chamados/", contact, company_change),
            ("  after a change elsewhere", customer, "/cliente/chamados/", contact, change),
            ("  nothing kept", customer, "/cliente/chamados/", contact, forget),
            (
                "client-area ticket page",
                customer,
                f"/cliente/chamados/{ticket.number}/",
                contact,
                None,
            ),
            (
                "  after a change",
                customer,
                f"/cliente/chamados/{ticket.number}/",
                contact,
                touch(ticket.number),
            ),
        ]
        token = httpx.post(
            f"{base}/api/v1/auth/token", json={"email": contact, "password": "bench-password"}
        ).json()["token"]
        api = httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"})
        pages.append(("API ticket list (contact)", api, "/api/v1/tickets?page=1", contact, None))
        pages.append(("  after a change", api, "/api/v1/tickets?page=1", contact, company_change))
        pages.append(("  nothing kept", api, "/api/v1/tickets?page=1", contact, forget))
        if args.only:
            pages = [page for page in pages if page[0] in args.only.split(",")]
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[1]
        print(f"{Ticket.objects.count()} tickets on {engine}, {args.requests} requests per page")
        print(f"{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'cpu ms':>8}")
        for name, client, path, email, before in pages:
            cpu = cpu_seconds(server.pid)
            p50, p95 = measure(client, path, args.requests, before)
            cpu = (cpu_seconds(server.pid) - cpu) * 1000 / (args.requests + 1)
            queries = count_queries(email, path, dict(client.headers), before)
            print(f"{name:28} {p50:8.1f} {p95:8.1f} {queries:8d} {cpu:8.1f}")
        print(f"server memory after the run: {rss_mb(server.pid):.0f} MB")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
