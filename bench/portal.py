"""Client-area benchmark: ticket creation rate over HTTP, and a profile of the customer's pages.

    DATABASE_URL=postgres://… .venv/bin/python bench/portal.py --create --seconds 10
    DATABASE_URL=postgres://… .venv/bin/python bench/portal.py --profile 30

--create starts `balcao serve --workers N` (2 by default; with the connection pool, as `balcao
serve` has it, unless DB_POOL=0 is set) and has --clients contacts of generated companies open tickets through the
client area's form (POST /cliente/abrir-ticket/, each answered by a redirect to the new
ticket, not followed) for --seconds; prints tickets/s, p50/p95 of one creation and the server's
CPU per ticket (its processes', which a busy machine does not inflate as it does latency).
The redirect is not followed, but its flash message is dropped as the browser's visit of the
new ticket's page would take it: kept, the messages would pile up in the cookie (and past its
size, in the session), re-encoded by every POST. --worker also runs `balcao worker` and
prints its CPU per ticket, up to when it has nothing left to do (the work a ticket leaves to
the tasks: the acknowledgement, the agents' notifications; not the SLA alerts, due later).

--profile N runs, in this process with Django's test client, N requests of the customer's
ticket page, list (seen again unchanged: kept rendered under the list token; and after a
change, made afresh) and new-ticket POST, first timed (CPU) then under cProfile; prints
queries per request, CPU ms per request, ms per request under the profiler and the top entries
by cumulative time (pages.py gives the latency over HTTP).
"""

import argparse
import cProfile
import io
import logging
import os
import pstats
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
PASSWORD = "bench-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (Linux): the server and its workers."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += tree_cpu_seconds(int(child))
    return total


def worker_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of its children that ended (RQ's work horses)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def contacts(count: int) -> list[tuple[str, str]]:
    """(e-mail, department slug) of ``count`` contacts of generated companies, with a password."""
    from balcao.accounts.actions import do_set_password
    from balcao.customers.models import Contact
    from balcao.customers.selectors import list_department_choices

    chosen = []
    for contact in Contact.objects.select_related("user", "company").filter(
        user__email__startswith="contato"
    )[: count * 4]:
        choices = [c for c in list_department_choices(contact.company) if c.available]
        if choices:
            do_set_password(contact.user, PASSWORD, actor=None)
            chosen.append((contact.user.email, choices[0].department.slug))
        if len(chosen) == count:
            return chosen
    raise SystemExit("not enough generated contacts: run bench/generate.py first")


def signed_in(base: str, email: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/cliente/entrar/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    client.post(
        "/cliente/entrar/",
        data={"username": email, "email": email, "password": PASSWORD},
        headers={"Referer": f"{base}/cliente/entrar/", "X-CSRFToken": token},
    )
    if "sessionid" not in client.cookies:
        raise SystemExit(f"login as {email} failed")
    form = client.get("/cliente/abrir-ticket/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return client, token


def create(args) -> None:
    from django.conf import settings

    from balcao.tickets.models import Ticket

    people = contacts(args.clients)
    port = free_port()
    env = {**os.environ, "DB_POOL": os.environ.get("DB_POOL", "1")}
    server = subprocess.Popen(
        [sys.executable, "-m", "balcao.cli", "serve", "--port", str(port)]
        + ["--workers", str(args.workers)],
        cwd=ROOT,  # `-m` runs the working directory's code first: this tree's
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    worker = None
    if args.worker:
        worker = subprocess.Popen(
            [sys.executable, "-m", "balcao.cli", "worker"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        sessions = [(*signed_in(base, email), slug) for email, slug in people]
        before = Ticket.objects.count()
        timings: list[float] = []
        errors = [0]
        lock = threading.Lock()
        deadline = time.perf_counter() + args.seconds

        def run(client: httpx.Client, token: str, slug: str) -> None:
            n = 0
            while time.perf_counter() < deadline:
                n += 1
                start = time.perf_counter()
                response = client.post(
                    "/cliente/abrir-ticket/",
                    data={
                        "csrfmiddlewaretoken": token,
                        "department": slug,
                        "subject": f"Pedido {n} de teste de carga",
                        "body": "O pagamento por Pix não confirma desde ontem. " * 3,
                    },
                    headers={"Referer": f"{base}/cliente/abrir-ticket/"},
                )
                elapsed = (time.perf_counter() - start) * 1000
                client.cookies.delete("messages")  # what the visit of the new ticket does
                with lock:
                    if response.status_code == 302:
                        timings.append(elapsed)
                    else:
                        errors[0] += 1

        if worker is not None:
            time.sleep(2)  # what signing in left to do
            worker_cpu = worker_cpu_seconds(worker.pid)
        cpu = tree_cpu_seconds(server.pid)
        started = time.perf_counter()
        threads = [threading.Thread(target=run, args=session) for session in sessions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - started
        cpu = tree_cpu_seconds(server.pid) - cpu
        made = Ticket.objects.count() - before
        if worker is not None:
            # done when its CPU stood still for a second
            last, now = -1.0, worker_cpu_seconds(worker.pid)
            while now != last:
                time.sleep(1)
                last, now = now, worker_cpu_seconds(worker.pid)
            worker_cpu = now - worker_cpu
        timings.sort()
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[1]
        print(
            f"{before} tickets on {engine}; {args.workers} server processes, "
            f"{args.clients} clients, DB_POOL={env['DB_POOL']}"
        )
        print(
            f"created {made} in {took:.1f} s: {made / took:.1f} tickets/s; errors {errors[0]}; "
            f"p50 {statistics.median(timings):.1f} ms, p95 "
            f"{timings[int(len(timings) * 0.95) - 1]:.1f} ms; "
            f"server CPU {cpu * 1000 / max(made, 1):.1f} ms per ticket"
            + (f"; worker CPU {worker_cpu * 1000 / max(made, 1):.1f} ms" if worker else "")
        )
    finally:
        server.terminate()
        server.wait(10)
        if worker is not None:
            worker.terminate()
            worker.wait(10)


def count(queries: list[str], execute, sql, params, many, context):
    queries.append(sql)
    return execute(sql, params, many, context)


def profile(args) -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from balcao.accounts.models import User
    from balcao.tickets.models import Ticket

    email, slug = contacts(1)[0]
    user = User.objects.get(email=email)
    ticket = Ticket.objects.filter(requester=user).order_by("-pk").first()
    client = Client()
    client.force_login(user)
    n = 0

    def new_ticket():
        nonlocal n
        n += 1
        response = client.post(
            "/cliente/abrir-ticket/",
            {"department": slug, "subject": f"Perfil {n}", "body": "Pix não confirma. " * 5},
        )
        client.cookies.pop("messages", None)  # taken by the new ticket's page (see --create)
        return response

    def list_after_a_change():
        # what a committed change to one of its tickets does: the list token moves (one
        # UPDATE, in this process and so in the figures), the list is made afresh
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
        return client.get("/cliente/chamados/")

    cases = [
        ("client-area ticket page", lambda: client.get(f"/cliente/chamados/{ticket.number}/")),
        ("client-area list (kept: seen again unchanged)", lambda: client.get("/cliente/chamados/")),
        ("client-area list after a change", list_after_a_change),
        ("client-area new ticket POST", new_ticket),
    ]
    for name, request in cases:
        request()  # warm up
        queries: list[str] = []
        with connection.execute_wrapper(partial(count, queries)):
            response = request()
        assert response.status_code in (200, 302), (name, response.status_code)
        cpu = time.process_time()
        for _ in range(args.profile):
            request()
        cpu = (time.process_time() - cpu) * 1000 / args.profile
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        for _ in range(args.profile):
            request()
        profiler.disable()
        took = (time.perf_counter() - start) * 1000 / args.profile
        print(
            f"\n== {name}: {len(queries)} queries, {cpu:.1f} ms of CPU per request "
            f"in-process, {took:.1f} ms/request under the profiler"
        )
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(args.top)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[-6000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--create", action="store_true")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--worker", action="store_true", help="run a worker, print its CPU")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    if args.create:
        create(args)
    if args.profile:
        profile(args)


if __name__ == "__main__":
    main()
