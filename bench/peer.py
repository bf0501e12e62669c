"""Balcão side by side with django-helpdesk 2.6.1 (the Python peer): same workload, one run.

    createdb -h 127.0.0.1 -U postgres -T balcao_perf balcao_peer_balcao   # a bench/generate.py db
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/balcao_peer_balcao \\
        REDIS_URL=redis://127.0.0.1:6379/1 .venv/bin/python bench/peer.py \\
        --requests 30 --page-seconds 30 --seconds 20 --mail 100 --profile 20

1. Builds the peer in its own virtualenv outside the repository (--venv, /tmp/peer-venv:
   django-helpdesk 2.6.1, gunicorn, psycopg), served by the minimal project in bench/peer/.
2. Fills its database (--peer-db, balcao_peer_helpdesk) from the Balcão database DATABASE_URL
   names, row for row (bench/peer/fill.py, in the peer's virtualenv): the same tickets,
   requesters, departments (queues), agents, statuses and messages.
3. Serves both with 2 processes: `balcao serve --workers 2` (as configured: connection pool)
   and gunicorn with 2 sync workers (persistent connections); signs in as the administrator and
   as a customer on each.
4. Requests each page alternately on one and the other, in runs of --run requests (so a
   busy machine slows both alike, and each serves a run warm, as a server in use does),
   --requests times or until --page-seconds of one side's requests are spent (at least 3);
   a page the peer builds with a second request from the browser (its staff lists' DataTables
   JSON, the customer's ticket list from its API) is timed as both requests. Prints p50/p95,
   CPU per page of the server's processes and of its database's PostgreSQL backends (from
   their CPU-time clocks, to the nanosecond: not inflated by other work as latency is), SQL
   statements per page, and the ratios peer / Balcão (> 1: Balcão faster).
5. Ticket creation through each customer form, --clients concurrent customers for --seconds.
6. --mail N: N new tickets by e-mail (bench/mail.py's messages, the same bytes to both), one
   process each: Balcão's `do_receive_mail` in this process (after one warm-up message), the
   peer's `get_email` reading them as files of a local mailbox directory of its queue (its
   start-up, timed on the empty directory, taken off). CPU of that process per message;
   statements counted as bench/mail.py counts them. All go to `suporte`, whose agents are
   told of each new ticket (4 statements more than bench/mail.py's departments, which have
   no agents: preferences, told already, the rows, the unread count pushed).
7. --wrk S (with Debian's wrk installed): the customer's ticket page again, and Balcão's
   `/health`, each timed by wrk for S seconds on one connection, three times alternately: a
   client written in C, which adds nothing of its own to either side's latency.
8. --profile N: cProfile of N in-process requests of each Balcão page under its goal
   (5× the peer; 10× for staff lists and customer pages), top entries.
"""

import argparse
import cProfile
import hashlib
import io
import logging
import math
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/balcao_peer_balcao")

from bench.pages import count_queries, cpu_seconds, free_port, login  # noqa: E402
from bench.portal import PASSWORD, contacts, signed_in  # noqa: E402

PEER_PROJECT = ROOT / "bench" / "peer"
ADMIN = "admin@balcao.localhost"
ADMIN_PASSWORD = "balcao-demo"  # the demo's; the peer's users all have PASSWORD
WORD = "boleto"
NOT_CLOSED = "open,assigned,answered,customer_reply,in_progress"
SUBJECT = "Pedido de teste de carga"  # of the tickets this bench creates, on both sides


def build_peer(venv: Path) -> None:
    if (venv / "bin" / "gunicorn").exists():
        return
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet"]
        + ["django-helpdesk==2.6.1", "gunicorn", "psycopg[binary]"],
        check=True,
    )


def peer_env(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(PEER_PROJECT),
        "DJANGO_SETTINGS_MODULE": "peer_settings",
        "PEER_DATABASE": database,
    }


def fill_peer(venv: Path, database: str, source: str) -> None:
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", database],
        stderr=subprocess.DEVNULL,
        check=False,  # there already
    )
    subprocess.run(
        [str(venv / "bin" / "python"), str(PEER_PROJECT / "fill.py"), source],
        env=peer_env(database),
        check=True,
    )


def wait_ready(server: subprocess.Popen, url: str) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit(f"the server for {url} did not start")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def peer_login(base: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=300)
    page = client.get("/login/")
    client.post(
        "/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf(page.text)},
        headers={"Referer": f"{base}/login/"},
    )
    if "sessionid" not in client.cookies:
        raise SystemExit(f"peer login as {email} failed")
    return client


def balcao_view(client: httpx.Client, path: str) -> Callable[[], int]:
    def view() -> int:
        client.get(path).raise_for_status()
        return 0  # counted in-process (count_queries)

    return view


def peer_view(client: httpx.Client, path: str, then: str = "") -> Callable[[], int]:
    """The page, and what its browser fetches to fill it: "datatables" (the staff lists'
    first 25 rows, as DataTables asks for them) or an API path."""

    def view() -> int:
        response = client.get(path)
        response.raise_for_status()
        queries = int(response.headers["X-Queries"])
        if then == "datatables":
            found = re.search(r"datatables_ticket_list/[A-Za-z0-9+/=_-]*", response.text)
            response = client.get("/" + found.group(0), params={"draw": 1, "length": 25})
        elif then:
            response = client.get(then)
        if then:
            response.raise_for_status()
            queries += int(response.headers["X-Queries"])
        return queries

    return view


def server_cpu(pid: int) -> float:
    """CPU of the server's processes (to the nanosecond: cpu_seconds); retried when a process
    ends while it is read."""
    while True:
        try:
            return sum(cpu_seconds(each) for each in processes(pid))
        except (FileNotFoundError, ProcessLookupError, OSError):
            continue


def processes(pid: int) -> list[int]:
    """``pid`` and its descendants (the supervisor and the web processes it started)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += processes(int(child))
    return found


def database_cpu(name: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to database ``name`` (its process
    title: "postgres: 15/main: USER DATABASE HOST(PORT) STATE"), by pid."""
    backends = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            title = (proc / "cmdline").read_bytes().decode(errors="replace").split()
            if title[:1] == ["postgres:"] and name in title:
                backends[int(proc.name)] = cpu_seconds(int(proc.name))
        except (FileNotFoundError, ProcessLookupError, OSError):
            continue
    return backends


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def side_by_side(sides: dict, requests: int, budget: float, run: int) -> dict:
    """sides: name -> (view, server pid, database name). Alternates runs of ``run`` requests on
    each side: a busy machine slows both alike, and each side serves its run warm, as a server
    in use does (one request at a time each way, with every process's clocks read in between,
    measured both servers cold). CPU is the server's and its database backends' over the run
    (which the bench's own process, idle meanwhile, does not add to)."""
    for view, _pid, _db in sides.values():
        view()  # warm up
    timings: dict[str, list[float]] = {name: [] for name in sides}
    spent = dict.fromkeys(sides, 0.0)
    queries = dict.fromkeys(sides, 0)
    used = dict.fromkeys(sides, 0.0)
    db_used = dict.fromkeys(sides, 0.0)
    for i in range(0, requests, run):
        for name, (view, pid, database) in sides.items():
            if i >= 3 and spent[name] > budget:
                continue
            before, db_before = server_cpu(pid), database_cpu(database)
            for _ in range(min(run, requests - i)):
                start = time.perf_counter()
                queries[name] = view()
                took = time.perf_counter() - start
                timings[name].append(took * 1000)
                spent[name] += took
            used[name] += server_cpu(pid) - before
            db_used[name] += sum(
                cpu - db_before.get(pid, 0.0) for pid, cpu in database_cpu(database).items()
            )
    results = {}
    for name in sides:
        n = len(timings[name])
        results[name] = {
            "p50": statistics.median(timings[name]),
            "p95": percentile(timings[name], 0.95),
            "cpu": used[name] * 1000 / n,
            "db": db_used[name] * 1000 / n,
            "queries": queries[name],
            "n": n,
        }
    return results


def hammer(posts: list[Callable[[], bool]], seconds: float, pid: int) -> dict:
    """Each callable (one client) posts one ticket and says whether it was created."""
    timings: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run(post: Callable[[], bool]) -> None:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            ok = post()
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if ok:
                    timings.append(elapsed)
                else:
                    errors[0] += 1

    cpu = server_cpu(pid)
    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(post,)) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    cpu = server_cpu(pid) - cpu
    made = len(timings)
    return {
        "rate": made / took,
        "made": made,
        "errors": errors[0],
        "p50": statistics.median(timings) if timings else 0.0,
        "p95": percentile(timings, 0.95) if timings else 0.0,
        "cpu": cpu * 1000 / max(made, 1),
    }


def balcao_posts(base: str, people: list[tuple[str, str]]) -> list[Callable[[], bool]]:
    posts = []
    for email, slug in people:
        client, token = signed_in(base, email)

        def post(client=client, token=token, slug=slug) -> bool:
            response = client.post(
                "/cliente/abrir-ticket/",
                data={
                    "csrfmiddlewaretoken": token,
                    "department": slug,
                    "subject": SUBJECT,
                    "body": "O pagamento por Pix não confirma desde ontem. " * 3,
                },
                headers={"Referer": f"{base}/cliente/abrir-ticket/"},
            )
            return response.status_code == 302

        posts.append(post)
    return posts


def peer_posts(base: str, people: list[tuple[str, int]]) -> list[Callable[[], bool]]:
    posts = []
    for email, queue in people:
        client = peer_login(base, email)
        token = csrf(client.get("/tickets/submit/").text)

        def post(client=client, token=token, queue=queue, email=email) -> bool:
            response = client.post(
                "/tickets/submit/",
                data={
                    "csrfmiddlewaretoken": token,
                    "queue": queue,
                    "title": SUBJECT,
                    "body": "O pagamento por Pix não confirma desde ontem. " * 3,
                    "priority": 3,
                    "submitter_email": email,
                },
                headers={"Referer": f"{base}/tickets/submit/"},
            )
            return response.status_code == 302

        posts.append(post)
    return posts


def ingest_balcao(raws: list[bytes]) -> dict:
    """Each message through `do_receive_mail`, as `balcao mail deliver` calls it, in this
    process (one process, as the issue's ingestion goal has it)."""
    from django.db import connection

    from balcao.connectors.email.actions import RawMail, do_receive_mail
    from bench.mail import count

    created = 0
    # counted as bench/mail.py counts them (CaptureQueriesContext also logs psycopg's BEGIN
    # and COMMIT: 4 more per message, the filing's transaction and the notifications')
    counted: list[str] = []
    began, began_cpu = time.perf_counter(), time.process_time()
    for raw in raws:
        with connection.execute_wrapper(partial(count, counted)):
            created += do_receive_mail(RawMail(raw)).action == "created"
    queries = len(counted)
    took, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    return {"rate": len(raws) / took, "cpu": cpu * 1000 / len(raws), "created": created,
            "queries": queries / len(raws)}  # fmt: skip


def ingest_peer(venv: Path, database: str, raws: list[bytes], queue: str) -> dict:
    """The messages as files of a local mailbox directory of the queue, read by one
    `get_email` process (the peer's own command; it deletes each file it files). Its start-up,
    timed on the empty directory first, is taken off."""
    folder = Path(f"/tmp/peer-mail-{os.getpid()}")
    folder.mkdir(exist_ok=True)
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", database, "-c",
         "UPDATE helpdesk_queue SET email_box_type = 'local', email_box_interval = 0,"
         f" email_box_local_dir = '{folder}', allow_email_submission = true,"
         f" email_address = '{queue}@balcao.localhost', email_box_last_check = NULL"
         f" WHERE slug = '{queue}'"],
        check=True,
    )  # fmt: skip
    command = [str(venv / "bin" / "python"), "-m", "django", "get_email", "--quiet"]
    runs = []
    for batch in ([], raws):
        for n, raw in enumerate(batch):
            (folder / f"{n:06d}.eml").write_bytes(raw)
        before = os.times()
        began = time.perf_counter()
        subprocess.run(command, env=peer_env(database), check=True)
        after = os.times()
        cpu = after.children_user + after.children_system
        runs.append(
            (time.perf_counter() - began, cpu - before.children_user - before.children_system)
        )
    left = len(list(folder.iterdir()))
    took, cpu = runs[1][0] - runs[0][0], runs[1][1] - runs[0][1]
    return {"rate": len(raws) / took, "cpu": cpu * 1000 / len(raws),
            "created": len(raws) - left, "startup": runs[0][0]}  # fmt: skip


def profile(path: str, email: str, runs: int, top: int) -> None:
    from django.test import Client

    from balcao.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    client.get(path)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _ in range(runs):
        client.get(path)
    profiler.disable()
    took = (time.perf_counter() - start) * 1000 / runs
    print(f"\n== {path}: {took:.1f} ms/request in-process under cProfile ({runs} requests)")
    for title, order, restriction in (
        ("Balcão's own code and its templates, by cumulative time", "cumulative", r"balcao/"),
        ("everything, by own time", "tottime", ""),
    ):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(order)
        stats.print_stats(*((restriction, top) if restriction else (top,)))
        lines = out.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        print(f"-- {title}")
        print("\n".join(line for line in lines[start:] if line.strip()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="per page and side, at most")
    parser.add_argument("--page-seconds", type=float, default=40, help="per page and side")
    parser.add_argument("--run", type=int, default=10, help="requests in a row on one side")
    parser.add_argument("--seconds", type=float, default=20, help="of ticket creation, each")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--mail", type=int, default=0, metavar="N", help="messages to ingest")
    parser.add_argument("--only", default="", help="only the pages whose name has this")
    parser.add_argument("--wrk", type=int, default=0, metavar="S", help="seconds per wrk run")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--venv", type=Path, default=Path("/tmp/peer-venv"))
    parser.add_argument("--peer-db", default="balcao_peer_helpdesk")
    args = parser.parse_args()

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from django.conf import settings

    from balcao.accounts.actions import do_set_password
    from balcao.accounts.models import Department
    from balcao.tickets.models import Message, Ticket

    settings.ALLOWED_HOSTS = ["*"]
    balcao_db = settings.DATABASES["default"]["NAME"]
    build_peer(args.venv)
    fill_peer(args.venv, args.peer_db, balcao_db)

    # A copied ticket (the same id on both sides): not one an earlier run created, through the
    # form or by e-mail, whose ids differ between the two.
    from bench.mail import SUBJECTS

    ticket = (
        Ticket.objects.filter(company__isnull=False)
        .exclude(subject__in=[SUBJECT, *SUBJECTS])
        .order_by("-messages__id")
        .first()
    )
    contact = ticket.requester.email
    do_set_password(ticket.requester, PASSWORD, actor=None)
    department = Department.objects.get(slug="suporte")
    people = contacts(args.clients)
    queue_of = dict(Department.objects.values_list("slug", "pk"))
    key = uuid.UUID(hashlib.md5(str(ticket.pk).encode()).hexdigest())  # fill.py's secret key

    balcao_port, peer_port = free_port(), free_port()
    balcao = subprocess.Popen(
        [sys.executable, "-m", "balcao.cli", "serve", "--port", str(balcao_port)]
        + ["--workers", "2"],
        cwd=ROOT,  # `-m` runs the working directory's code first: this tree's
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peer = subprocess.Popen(
        [str(args.venv / "bin" / "gunicorn"), "--workers", "2", "--timeout", "300"]
        + ["--bind", f"127.0.0.1:{peer_port}", "peer_wsgi:application"],
        cwd=PEER_PROJECT,
        env=peer_env(args.peer_db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base, peer_base = f"http://127.0.0.1:{balcao_port}", f"http://127.0.0.1:{peer_port}"
    try:
        wait_ready(balcao, f"{base}/health")
        wait_ready(peer, f"{peer_base}/login/")
        staff = httpx.Client(base_url=base, follow_redirects=True, timeout=300)
        customer = httpx.Client(base_url=base, follow_redirects=True, timeout=300)
        login(staff, ADMIN, ADMIN_PASSWORD)
        login(customer, contact, PASSWORD)
        peer_staff, peer_customer = peer_login(peer_base, ADMIN), peer_login(peer_base, contact)
        peer_ticket = f"/view/?ticket={ticket.pk}&email={contact}&key={key}"  # no sign-in
        every_status = "&".join(f"status={n}" for n in range(1, 6))
        # name, goal, (Balcão client, path, user), peer view
        pages = [
            ("staff home / dashboard", 5, (staff, "/console/", ADMIN),
             peer_view(peer_staff, "/dashboard/")),
            ("staff list, all", 10, (staff, "/console/chamados/", ADMIN),
             peer_view(peer_staff, f"/tickets/?{every_status}", "datatables")),
            ("staff list, not closed", 10,
             (staff, f"/console/chamados/?status={NOT_CLOSED}", ADMIN),
             peer_view(peer_staff, "/tickets/", "datatables")),
            ("staff list, one department", 10,
             (staff, f"/console/chamados/?department={department.slug}", ADMIN),
             peer_view(peer_staff, f"/tickets/?queue={department.pk}", "datatables")),
            (f"search '{WORD}'", 10, (staff, f"/console/chamados/?q={WORD}", ADMIN),
             peer_view(peer_staff, f"/tickets/?q={WORD}", "datatables")),
            ("staff ticket page", 5, (staff, f"/console/chamados/{ticket.number}/", ADMIN),
             peer_view(peer_staff, f"/tickets/{ticket.pk}/")),
            ("customer: my tickets", 10, (customer, "/cliente/chamados/", contact),
             peer_view(peer_customer, "/tickets/my-tickets/", "/api/user_tickets/?page=1")),
            ("customer: ticket page", 10,
             (customer, f"/cliente/chamados/{ticket.number}/", contact),
             peer_view(peer_customer, peer_ticket)),
        ]  # fmt: skip
        print(
            f"{Ticket.objects.count()} tickets, {Message.objects.count()} messages on "
            f"PostgreSQL; both with 2 processes; load average before: "
            f"{Path('/proc/loadavg').read_text().split()[:3]}"
        )
        print(
            "| page | Balcão p50 / p95 ms | Balcão cpu web + db ms | Balcão queries "
            "| peer p50 / p95 ms | peer cpu web + db ms | peer queries | ratio p50 | ratio cpu "
            "| goal | n |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        below = []
        for name, goal, (client, path, email), peer_page in pages:
            if args.only and args.only not in name:
                continue
            result = side_by_side(
                {
                    "balcao": (balcao_view(client, path), balcao.pid, balcao_db),
                    "peer": (peer_page, peer.pid, args.peer_db),
                },
                args.requests,
                args.page_seconds,
                args.run,
            )
            ours, theirs = result["balcao"], result["peer"]
            ours["queries"] = count_queries(email, path, {})
            ratio = theirs["p50"] / ours["p50"]
            ratio_cpu = (theirs["cpu"] + theirs["db"]) / (ours["cpu"] + ours["db"])
            met = ratio >= goal and ratio_cpu >= goal
            if not met:
                below.append((path, email))
            print(
                f"| {name} | {ours['p50']:.1f} / {ours['p95']:.1f} "
                f"| {ours['cpu']:.0f} + {ours['db']:.0f} | {ours['queries']} "
                f"| {theirs['p50']:.1f} / {theirs['p95']:.1f} "
                f"| {theirs['cpu']:.0f} + {theirs['db']:.0f} | {theirs['queries']} "
                f"| {ratio:.1f}× | {ratio_cpu:.1f}× "
                f"| ≥{goal}× {'met' if met else '**not met**'} | {ours['n']}/{theirs['n']} |",
                flush=True,
            )
        if args.wrk:
            cookie = f"sessionid={customer.cookies['sessionid']}"
            steady(
                {
                    "Balcão: customer's ticket page": (
                        f"{base}/cliente/chamados/{ticket.number}/",
                        cookie,
                    ),
                    "peer: customer's ticket page": (f"{peer_base}{peer_ticket}", ""),
                    "Balcão: /health": (f"{base}/health", ""),
                },
                args.wrk,
            )
        if args.seconds > 0:
            creation(args, base, peer_base, people, queue_of, balcao.pid, peer.pid)
        if args.mail:
            mail(args, [email for email, _slug in people])
        print(f"load average after: {Path('/proc/loadavg').read_text().split()[:3]}")
    finally:
        for server in (balcao, peer):
            server.terminate()
            server.wait(30)
    for path, email in below if args.profile else []:
        profile(path, email, args.profile, args.top)


def steady(urls: dict[str, tuple[str, str]], seconds: int) -> None:
    """wrk on one connection for each (url, cookie), three rounds alternately: p50 and rate."""
    for round_ in range(3):
        for name, (url, cookie) in urls.items():
            command = ["wrk", "-t1", "-c1", f"-d{seconds}s", "--latency", url]
            out = subprocess.run(
                command + (["-H", f"Cookie: {cookie}"] if cookie else []),
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            p50 = re.search(r"50%\s+(\S+)", out).group(1)
            rate = re.search(r"Requests/sec:\s+(\S+)", out).group(1)
            print(f"wrk round {round_ + 1}, {name}: p50 {p50}, {rate} requests/s", flush=True)


def creation(args, base, peer_base, people, queue_of, balcao_pid: int, peer_pid: int) -> None:
    ours = hammer(balcao_posts(base, people), args.seconds, balcao_pid)
    theirs = hammer(
        peer_posts(peer_base, [(email, queue_of[slug]) for email, slug in people]),
        args.seconds,
        peer_pid,
    )
    print(
        f"\nticket creation through the customer form, {args.clients} clients, "
        f"{args.seconds:.0f} s each:"
    )
    for name, made in (("Balcão", ours), ("peer", theirs)):
        print(
            f"  {name}: {made['rate']:.1f} tickets/s ({made['made']} created, "
            f"{made['errors']} errors), p50 {made['p50']:.0f} ms, p95 {made['p95']:.0f} ms, "
            f"server CPU {made['cpu']:.1f} ms per ticket"
        )
    print(
        f"  ratio: {ours['rate'] / max(theirs['rate'], 0.01):.1f}× tickets/s, "
        f"{theirs['cpu'] / ours['cpu']:.1f}× CPU per ticket"
    )


def mail(args, senders: list[str]) -> None:
    """--mail new tickets by e-mail from the contacts, the same bytes to both."""
    from bench.mail import SUBJECTS, message

    rng = random.Random(7)
    raws = [
        message(rng, rng.choice(senders), "suporte@balcao.localhost", rng.choice(SUBJECTS), False)
        for _ in range(args.mail + 1)
    ]
    ingest_balcao(raws[:1])  # warm up: the first message builds caches (calendar, holidays)
    ours = ingest_balcao(raws[1:])
    theirs = ingest_peer(args.venv, args.peer_db, raws[1:], "suporte")
    print(f"\ne-mail ingestion, {args.mail} new tickets, one process each:")
    print(
        f"  Balcão (do_receive_mail): {ours['rate']:.1f} messages/s, {ours['cpu']:.1f} ms CPU "
        f"and {ours['queries']:.1f} queries per message, {ours['created']} tickets"
    )
    print(
        f"  peer (get_email, local directory): {theirs['rate']:.1f} messages/s, "
        f"{theirs['cpu']:.1f} ms CPU per message, {theirs['created']} filed "
        f"(start-up {theirs['startup']:.1f} s taken off)"
    )
    print(f"  ratio: {ours['rate'] / theirs['rate']:.1f}× messages/s")


if __name__ == "__main__":
    main()
