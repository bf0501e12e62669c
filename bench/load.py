"""Load test: N concurrent clients for at most T seconds against a running `balcao serve` on
loopback, over mixed pages; prints requests, errors, p50/p95 (overall and per page).

    .venv/bin/balcao run                                   # or: balcao demo && balcao serve
    .venv/bin/python bench/load.py --clients 8 --seconds 10

Signs in once as a staff member and as a contact (the demo accounts by default) and shares
those sessions; each client then requests, in turn, the client-area list and ticket page, the
console list and ticket page, and the API ticket list. Bounded: at most 64 clients, 120
seconds and --max-requests requests; loopback addresses only.
"""

import argparse
import ipaddress
import re
import statistics
import threading
import time
from collections import defaultdict
from urllib.parse import urlsplit

import httpx

MAX_CLIENTS, MAX_SECONDS = 64, 120


def loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def login(base: str, email: str, password: str) -> httpx.Cookies:
    with httpx.Client(base_url=base, follow_redirects=True, timeout=60) as client:
        page = client.get("/cliente/entrar/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        client.post(
            "/cliente/entrar/",
            data={
                "username": email,
                "email": email,
                "password": password,
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": str(page.url)},
        )
        if "sessionid" not in client.cookies:
            raise SystemExit(f"login as {email} failed")
        return client.cookies


def percentile(timings: list[float], share: float) -> float:
    return timings[max(0, int(len(timings) * share) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--staff", default="admin@balcao.localhost")
    parser.add_argument("--contact", default="cliente@lojaexemplo.com.br")
    parser.add_argument("--password", default="balcao-demo")
    args = parser.parse_args()
    if not loopback(args.url):
        raise SystemExit("bench/load.py only runs against loopback (127.0.0.1, ::1, localhost)")
    clients = max(1, min(args.clients, MAX_CLIENTS))
    seconds = max(1.0, min(args.seconds, MAX_SECONDS))
    base = args.url.rstrip("/")

    staff, contact = (
        login(base, args.staff, args.password),
        login(base, args.contact, args.password),
    )
    token = httpx.post(
        f"{base}/api/v1/auth/token",
        json={"email": args.contact, "password": args.password},
        timeout=60,
    ).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    listed = httpx.get(f"{base}/api/v1/tickets", headers=bearer, timeout=60).json()["items"]
    if not listed:
        raise SystemExit(f"{args.contact} has no ticket to open: load the demo (balcao demo)")
    number = listed[0]["number"]
    pages = [
        ("client-area list", contact, {}, "/cliente/chamados/"),
        ("client-area ticket", contact, {}, f"/cliente/chamados/{number}/"),
        ("console list", staff, {}, "/console/chamados/"),
        ("console ticket", staff, {}, f"/console/chamados/{number}/"),
        ("API ticket list", None, bearer, "/api/v1/tickets"),
    ]

    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    budget = iter(range(args.max_requests))
    deadline = time.monotonic() + seconds

    def client(offset: int) -> None:
        sessions = [
            httpx.Client(base_url=base, cookies=cookies, headers=headers, timeout=30)
            for _, cookies, headers, _ in pages
        ]
        turn = offset
        while time.monotonic() < deadline:
            with lock:
                if next(budget, None) is None:
                    break
            name, _, _, path = pages[turn % len(pages)]
            session = sessions[turn % len(pages)]
            turn += 1
            start = time.perf_counter()
            try:
                ok = session.get(path).status_code == 200
            except httpx.HTTPError:
                ok = False
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                timings[name].append(elapsed)
                if not ok:
                    errors[name] += 1
        for session in sessions:
            session.close()

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - began

    every = sorted(t for page in timings.values() for t in page)
    print(f"{clients} clients, {took:.1f} s against {base}")
    print(f"{'page':22} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for name, *_ in pages:
        page = sorted(timings[name])
        if page:
            print(
                f"{name:22} {len(page):9d} {errors[name]:7d}"
                f" {statistics.median(page):8.1f} {percentile(page, 0.95):8.1f}"
            )
    print(
        f"{'all':22} {len(every):9d} {sum(errors.values()):7d}"
        f" {statistics.median(every):8.1f} {percentile(every, 0.95):8.1f}"
        f"   ({len(every) / took:.0f} requests/s)"
    )


if __name__ == "__main__":
    main()
