"""The console home's counts, and what keeping them costs the writers, in-process.

    DATABASE_URL=postgres://… BALCAO_HOME=… .venv/bin/python bench/counts.py --explain
    DATABASE_URL=postgres://… BALCAO_HOME=… .venv/bin/python bench/counts.py --home 20
    DATABASE_URL=postgres://… BALCAO_HOME=… .venv/bin/python bench/counts.py --writes 200
    DATABASE_URL=postgres://… BALCAO_HOME=… .venv/bin/python bench/counts.py --check

--explain: the statements the home's queues run for the demo administrator and for an agent
of one department (``console.selectors._queue_counts``, captured), each under EXPLAIN (ANALYZE,
BUFFERS) on PostgreSQL (EXPLAIN QUERY PLAN and a timing on SQLite).

--home N: the queues counted N times (as after any change on the desk: the shared cache is
not asked), per viewer: wall ms, this process's CPU ms and, on PostgreSQL, the database
backend's CPU ms (its /proc stat: the server's CPU a request costs that pages.py's "cpu ms",
the web process's, leaves out).

--check: the kept counts against a fresh COUNT of every ticket per (department, status,
linked), and the clocks whose department is not their ticket's (after a migration, a run).

--writes N: N tickets opened by a contact in the client area's action (``do_open_ticket``),
then each answered by an agent (status → Answered) and closed: the process's and the
backend's CPU per ticket for the three, each committed. Run before and after a change to the
tickets' triggers on copies of one database: the difference is what the triggers cost.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")

TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu(connection) -> float:
    """Seconds of CPU of the PostgreSQL backend serving ``connection`` (0 elsewhere)."""
    if connection.vendor != "postgresql":
        return 0.0
    if not hasattr(connection, "_bench_pid"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            connection._bench_pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{connection._bench_pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Clock:
    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        self.backend = backend_cpu(self.connection)
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.backend = backend_cpu(self.connection) - self.backend


def viewers():
    from balcao.accounts.models import Department, User

    admin = User.objects.get(email="admin@balcao.localhost")
    department = Department.objects.get(slug="suporte")
    agent = (
        User.objects.filter(role=User.Role.AGENT, departments=department, is_active=True)
        .order_by("pk")
        .first()
    )
    return [("administrator", admin), (f"agent of {department.slug}", agent)]


def explain() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from balcao.console.selectors import _queue_counts

    for name, viewer in viewers():
        with CaptureQueriesContext(connection) as captured:
            _queue_counts(viewer)
        print(f"== {name}: {len(captured.captured_queries)} statements")
        for query in captured.captured_queries:
            sql = query["sql"]
            print(f"-- {sql[:300]}{'…' if len(sql) > 300 else ''}")
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                    for (line,) in cursor.fetchall():
                        print(f"   {line}")
                else:
                    cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                    for row in cursor.fetchall():
                        print(f"   {row[-1]}")
                    started = time.perf_counter()
                    cursor.execute(sql)
                    cursor.fetchall()
                    print(f"   ran in {(time.perf_counter() - started) * 1000:.1f} ms")


def home(times: int) -> None:
    from django.db import connection

    from balcao.console.selectors import _queue_counts

    for name, viewer in viewers():
        _queue_counts(viewer)  # warm: the process's first compile, the database's caches
        with Clock(connection) as clock:
            for _ in range(times):
                _queue_counts(viewer)
        print(
            f"{name:24} wall {clock.wall * 1000 / times:8.1f} ms  cpu {clock.cpu * 1000 / times:6.1f}"
            f" ms  database cpu {clock.backend * 1000 / times:8.1f} ms  (per home, {times} runs)"
        )


def writes(times: int) -> None:
    from django.db import connection

    from balcao.accounts.models import Department, User
    from balcao.customers.models import Contact
    from balcao.tickets import actions

    department = Department.objects.get(slug="suporte")
    agent = User.objects.get(email="admin@balcao.localhost")
    contact = Contact.objects.filter(company__is_active=True).select_related("user").first().user
    actions.do_open_ticket(actor=contact, department=department, subject="warm", body="warm")
    opened = []
    with Clock(connection) as opening:
        for i in range(times):
            opened.append(
                actions.do_open_ticket(
                    actor=contact, department=department, subject=f"bench {i}", body="Texto."
                )
            )
    with Clock(connection) as answering:
        for ticket in opened:
            actions.do_add_message(ticket, actor=agent, body="Resposta.")
    with Clock(connection) as closing:
        for ticket in opened:
            actions.do_close_ticket(ticket, actor=agent)
    for name, clock in [("open", opening), ("answer", answering), ("close", closing)]:
        print(
            f"{name:7} wall {clock.wall * 1000 / times:6.2f} ms  cpu {clock.cpu * 1000 / times:6.2f}"
            f" ms  database cpu {clock.backend * 1000 / times:6.2f} ms  (per ticket, {times})"
        )


def check() -> None:
    from django.db.models import Count, F, Q, Sum

    from balcao.sla.models import TicketSla
    from balcao.tickets.models import Ticket, TicketCount

    rows = TicketCount.objects.values_list("department_id", "status", "linked").annotate(n=Sum("n"))
    kept = {(d, s, bool(linked)): n for d, s, linked, n in rows if n}
    rows = (
        Ticket.objects.order_by()
        .values_list("department_id", "status", Q(company__isnull=False))
        .annotate(n=Count("id"))
    )
    counted = {(d, s, bool(linked)): n for d, s, linked, n in rows}
    wrong = TicketSla.objects.exclude(department_id=F("ticket__department_id")).count()
    print(
        f"kept counts {'equal' if kept == counted else 'DIFFER FROM'} a fresh count"
        f" ({len(counted)} keys, {sum(counted.values())} tickets, {TicketCount.objects.count()}"
        f" rows kept); clocks with another department than their ticket's: {wrong}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--home", type=int, default=0)
    parser.add_argument("--writes", type=int, default=0)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from balcao.tickets.models import Ticket

    print(f"{Ticket.objects.count()} tickets on {settings.DATABASES['default']['ENGINE']}")
    if args.explain:
        explain()
    if args.home:
        home(args.home)
    if args.writes:
        writes(args.writes)
    if args.check:
        check()


if __name__ == "__main__":
    main()
