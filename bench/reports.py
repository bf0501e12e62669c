"""Reports benchmark: p50/p95 latency of every report page over real HTTP, and its queries.

    DATABASE_URL=postgres://postgres@127.0.0.1/balcao_reports .venv/bin/python bench/generate.py
    DATABASE_URL=postgres://postgres@127.0.0.1/balcao_reports .venv/bin/python bench/reports.py

generate.py makes 100,000 tickets over two years; this script first gives them what reports
read and the generator leaves out (once; run again, it only measures): channels of origin,
closing times, stopped SLA clocks with their business times and breaches for the closed
tickets, first responses for the answered ones, reopenings, and satisfaction ratings for a
third of the closed tickets. Then, as bench/pages.py does,
it starts `balcao serve`, signs in as the demo administrator (every department) and the
Suporte agent, and requests each report for the last 30 days and for the last year.
"""

import argparse
import logging
import os
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT))  # after PYTHONPATH: a "before" measures the tree it names
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")

from bench.pages import count_queries, cpu_seconds, free_port, login, measure  # noqa: E402

# Channels of origin by share (portal is what generate.py writes).
ORIGINS = [("portal", 45), ("email", 30), ("chat", 10), ("whatsapp", 8), ("phone", 5), ("api", 2)]
REOPENED = 0.08  # of the closed tickets


def enrich() -> int:
    """What reports read, for the generated tickets that lack it; returns the clocks added."""
    from django.db import transaction
    from django.db.models import F

    from balcao.events.models import Event, EventKind
    from balcao.sla.calendar import add_business, business_time
    from balcao.sla.models import ClockState, TicketSla
    from balcao.sla.selectors import calendar_value, policy_for
    from balcao.tickets.models import Status, Ticket

    closed = Ticket.objects.filter(status=Status.CLOSED, company__isnull=False, sla__isnull=True)
    if not closed.exists():
        return 0
    rng = random.Random(16)
    cal = calendar_value(None)
    names, weights = zip(*ORIGINS, strict=True)
    policies: dict = {}
    clocks, events = [], []
    with transaction.atomic():
        ids = list(Ticket.objects.values_list("id", flat=True))
        chosen: dict[str, list[int]] = {name: [] for name in names}
        for pk in ids:
            chosen[rng.choices(names, weights)[0]].append(pk)
        for origin, pks in chosen.items():
            for i in range(0, len(pks), 10_000):
                Ticket.objects.filter(pk__in=pks[i : i + 10_000]).update(origin=origin)
        Ticket.objects.filter(status=Status.CLOSED, closed_at__isnull=True).update(
            closed_at=F("updated_at")
        )
        tickets = closed.select_related("company__plan", "department").only(
            "id", "created_at", "updated_at", "company__plan", "department", "company__id"
        )
        for ticket in tickets.iterator(chunk_size=2000):
            key = (ticket.company.plan_id, ticket.department_id)
            if key not in policies:
                policies[key] = policy_for(ticket.company, ticket.department)
            policy = policies[key]
            opened, closed_at = ticket.created_at, ticket.updated_at
            answered = min(opened + timedelta(minutes=rng.randint(5, 3000)), closed_at)
            first_due = add_business(cal, opened, timedelta(minutes=policy.first_response_minutes))
            used = business_time(cal, opened, answered) + business_time(
                cal, answered, closed_at
            ) * rng.choice([0, 0.2, 0.5])
            clocks.append(
                TicketSla(
                    ticket=ticket,
                    department_id=ticket.department_id,
                    calendar=policy.calendar,
                    first_response_minutes=policy.first_response_minutes,
                    next_response_minutes=policy.next_response_minutes,
                    resolution_minutes=policy.resolution_minutes,
                    state=ClockState.STOPPED,
                    started_at=opened,
                    first_response_due=first_due,
                    first_response_at=answered,
                    first_response_time=business_time(cal, opened, answered),
                    first_response_breached=answered > first_due,
                    resolution_used=used,
                    resolution_breached=bool(policy.resolution_minutes)
                    and used > timedelta(minutes=policy.resolution_minutes),
                    stopped_at=closed_at,
                )
            )
            if rng.random() < REOPENED:
                events.append(
                    Event(
                        kind=EventKind.REOPENED,
                        ticket=ticket,
                        company_id=ticket.company.id,
                        created_at=closed_at,
                    )
                )
        TicketSla.objects.bulk_create(clocks, batch_size=2000)
        Event.objects.bulk_create(events, batch_size=2000)
        # The answered tickets' clocks (generate.py) get their first response's business time.
        for sla in TicketSla.objects.filter(
            state=ClockState.PAUSED, first_response_time__isnull=True
        ).iterator(chunk_size=2000):
            sla.first_response_time = business_time(cal, sla.started_at, sla.first_response_at)
            clocks.append(sla)
        TicketSla.objects.bulk_update(
            [c for c in clocks if c.state == ClockState.PAUSED],
            ["first_response_time"],
            batch_size=2000,
        )
    return len(clocks)


def rate() -> int:
    """Satisfaction ratings for a third of the closed linked tickets (once)."""
    from balcao.satisfaction.models import Rating
    from balcao.tickets.models import Status, Ticket

    if Rating.objects.exists():
        return 0
    rng = random.Random(5)
    closed = Ticket.objects.filter(status=Status.CLOSED, company__isnull=False).values_list(
        "id", "department_id", "assignee_id", "closed_at"
    )
    ratings = [
        Rating(
            ticket_id=pk,
            department_id=department,
            agent_id=agent,
            score=rng.choices([1, 2, 3, 4, 5], [5, 5, 10, 30, 50])[0],
            answered_at=closed_at,
        )
        for pk, department, agent, closed_at in closed.iterator(chunk_size=5000)
        if rng.random() < 1 / 3
    ]
    Rating.objects.bulk_create(ratings, batch_size=2000)
    return len(ratings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from balcao.reports.selectors import REPORTS, report_zone
    from balcao.tickets.models import Ticket

    started = time.perf_counter()
    added = enrich()
    rated = rate()
    if rated:
        print(f"rated {rated} closed tickets")
    if added or rated:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"enriched the generated data ({added} clocks) in {time.perf_counter() - started:.0f} s"
        )
    settings.ALLOWED_HOSTS = ["*"]
    today = timezone.now().astimezone(report_zone()).date()
    periods = {
        "30 days": "",
        "1 year": f"?start={today - timedelta(days=364)}&end={today}",
    }
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
        people = {
            "admin": "admin@balcao.localhost",
            "agent": "agente.suporte@balcao.localhost",
        }
        clients = {}
        for who, email in people.items():
            clients[who] = httpx.Client(base_url=base, follow_redirects=True, timeout=60)
            login(clients[who], email, "balcao-demo")
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[1]
        print(f"{Ticket.objects.count()} tickets on {engine}, {args.requests} requests per page")
        print(f"{'report':34} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>8} {'queries':>8}")
        worst = 0.0
        for who in ("admin", "agent"):
            for label, query in periods.items():
                for slug in REPORTS:
                    path = f"/console/relatorios/{slug}/{query}"
                    cpu = cpu_seconds(server.pid)
                    p50, p95 = measure(clients[who], path, args.requests, None)
                    cpu = (cpu_seconds(server.pid) - cpu) * 1000 / (args.requests + 1)
                    queries = count_queries(people[who], path, {})
                    worst = max(worst, p95)
                    print(
                        f"{f'{slug}, {who}, {label}':34} {p50:8.1f} {p95:8.1f} {cpu:8.1f}"
                        f" {queries:8d}"
                    )
        path = f"/console/relatorios/empresas/companies.csv{periods['1 year']}"
        p50, p95 = measure(clients["admin"], path, max(args.requests // 5, 5), None)
        print(f"{'CSV of every company, 1 year':34} {p50:8.1f} {p95:8.1f}")
        print(f"slowest page p95: {worst:.1f} ms")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
