"""SLA benchmark: business-time computations per second, and recomputing 100,000 clocks.

    .venv/bin/python bench/sla.py [--clocks 100000]

Pure math on the default calendar (Monday–Friday 09:00–17:00 Brasília time, holidays and
Carnival off), from random instants in 2024–2027; no database. Recomputing a clock is what a
change of policy or calendar would cost per ticket: the first-response and resolution due
instants from its start, and the business time it has used so far.
"""

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from balcao.sla.calendar import add_business, business_time
from balcao.sla.profile import default_calendar

DURATIONS = {
    "1 hour": timedelta(hours=1),
    "1 week": timedelta(days=7),
    "1 month": timedelta(days=30),
}
SPAN = int((datetime(2027, 12, 31) - datetime(2024, 1, 1)).total_seconds())


def instants(n: int, seed: int = 1) -> list[datetime]:
    rng = random.Random(seed)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    return [base + timedelta(seconds=rng.randrange(SPAN)) for _ in range(n)]


def rate(fn, starts) -> float:
    began = time.perf_counter()
    for start in starts:
        fn(start)
    return len(starts) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="computations per measure")
    parser.add_argument("--clocks", type=int, default=100_000)
    args = parser.parse_args()
    cal = default_calendar()
    starts = instants(args.n)
    for year in range(2023, 2029):  # load holidays once, as a running process has them
        add_business(cal, datetime(year, 6, 1, tzinfo=UTC), timedelta(hours=1))
    print(f"{'duration':>10}  {'add_business/s':>15}  {'business_time/s':>16}")
    for label, duration in DURATIONS.items():
        # A duration of open time for add_business; of wall time for business_time.
        business = duration * 8 / 24 * 5 / 7
        added = rate(lambda s, b=business: add_business(cal, s, b), starts)
        measured = rate(lambda s, d=duration: business_time(cal, s, s + d), starts)
        print(f"{label:>10}  {added:>15,.0f}  {measured:>16,.0f}")

    now = datetime(2027, 12, 31, 12, tzinfo=UTC)
    clocks = instants(args.clocks, seed=2)
    began = time.perf_counter()
    for start in clocks:
        add_business(cal, start, timedelta(hours=4))
        add_business(cal, start, timedelta(hours=20))
        business_time(cal, start, min(start + timedelta(days=10), now))
    elapsed = time.perf_counter() - began
    print(
        f"recomputing {args.clocks:,} clocks (2 due instants + time used): {elapsed:.2f} s, "
        f"{elapsed / args.clocks * 1e6:.1f} µs per clock"
    )


if __name__ == "__main__":
    main()
