"""Full-text search at scale: index build, incremental update, and queries as staff and as a
customer, p50/p95 and query counts, on whichever database DATABASE_URL names.

    BALCAO_HOME=var/bench-search .venv/bin/python bench/search.py            # SQLite, 20,000
    DATABASE_URL=postgres://postgres@127.0.0.1/balcao_bench .venv/bin/python bench/search.py
    ... bench/search.py --tickets 100000                                    # the issue's size

Generates the helpdesk with bench/generate.py first (skipped when it is there already).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")

QUERIES = [
    ("one word", "boleto", {}),
    ("one word, rare", "webhook", {}),
    ("two words + department", "nota fiscal", {"department": "financeiro"}),
    ("two words + status", "pagamento pix", {"status": "closed"}),
    ("a number", "#1500", {}),
]


def timed(fn, runs: int):
    from django.db import connection, reset_queries

    times, queries = [], 0
    for _ in range(runs):
        reset_queries()
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        queries = len(connection.queries)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench/generate.py"),
            "--tickets",
            str(args.tickets),
            "--companies",
            str(max(50, args.tickets // 50)),
        ],
        check=True,
    )

    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = True  # count queries
    from django.db import connection

    from balcao.accounts.models import User
    from balcao.search.actions import index_ticket, rebuild_index
    from balcao.search.models import TicketDocument
    from balcao.search.selectors import ranked_ids, with_snippets
    from balcao.tickets.models import Ticket
    from balcao.tickets.selectors import TAGS, list_tickets

    print(f"{connection.vendor}, {Ticket.objects.count()} tickets")
    if TicketDocument.objects.count() < Ticket.objects.count():
        started = time.perf_counter()
        count = rebuild_index()
        print(f"index build: {count} tickets in {time.perf_counter() - started:.1f} s")
    ticket = Ticket.objects.order_by("-id").first()
    median, p95, queries = timed(lambda: index_ticket(ticket), 20)
    print(f"incremental update (one ticket): p50 {median:.1f} ms, p95 {p95:.1f} ms, {queries} q")
    admin = User.objects.filter(role=User.Role.ADMINISTRATOR).first()
    customer = Ticket.objects.order_by("id").first().requester
    for viewer, who in ((admin, "staff"), (customer, "customer")):
        for name, q, filters in QUERIES:

            def page(q=q, filters=filters, viewer=viewer):
                # As the API and the console do: the page's ids with the total, then the page.
                tickets = list_tickets(viewer, **filters)
                ids, found = ranked_ids(tickets, q, staff=viewer.is_agent, offset=0, limit=25)
                rows = list_tickets(viewer).filter(pk__in=ids).prefetch_related(TAGS).in_bulk()
                with_snippets([rows[pk] for pk in ids], q, staff=viewer.is_agent)
                return found

            found = page()
            median, p95, queries = timed(page, args.runs)
            print(
                f"{who:8} {name:26} {found:6} found: p50 {median:6.1f} ms, "
                f"p95 {p95:6.1f} ms, {queries} queries"
            )


if __name__ == "__main__":
    main()
