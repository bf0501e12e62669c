"""Proofs of the production topology, run against `make cluster` (deploy/cluster.sh):

    make cluster                                   # one terminal: 2 web, 2 workers, HAProxy
    .venv/bin/python bench/cluster.py              # another: prints findings, exit 1 if a proof fails

Same DATABASE_URL, REDIS_URL and CLUSTER_PORT as the cluster (its defaults are these too).

1. websockets: a chat message sent by an agent on one web process reaches an agent on the
   other (directly, and through the proxy with each socket on a different process);
2. SLA: scheduled alerts fire exactly once with two workers (each one alert row, one event);
3. login throttling counts across both web processes;
4. one web process killed (SIGKILL) under write load: every 2xx-acknowledged ticket exists;
5. throughput through the proxy with 1 web process (the other disabled in HAProxy) and 2.
"""

import json
import os
import signal
import socket
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import httpx
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/balcao_cluster")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
PORT = int(os.environ.get("CLUSTER_PORT", "8400"))
RUN = Path(os.environ.get("CLUSTER_RUN", f"/tmp/balcao-cluster-{PORT}"))
PROXY, WEB1, WEB2 = (f"127.0.0.1:{PORT + n}" for n in range(3))
PASSWORD = "balcao-demo"  # the demo data's
CONTACT = "cliente@lojaexemplo.com.br"

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from balcao.accounts import throttle  # noqa: E402
from balcao.accounts.models import Department, User  # noqa: E402
from balcao.events.models import Event, EventKind  # noqa: E402
from balcao.sla import tasks as sla_tasks  # noqa: E402
from balcao.sla.actions import _current_due  # noqa: E402
from balcao.sla.models import SlaAlert, TicketSla  # noqa: E402
from balcao.tickets.actions import do_open_ticket  # noqa: E402
from balcao.tickets.models import Origin, Ticket  # noqa: E402

failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        failures.append(what)


def session_cookie(email: str) -> str:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return f"sessionid={client.cookies['sessionid'].value}"


def proxy_command(line: str) -> str:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(RUN / "haproxy.sock"))
        sock.sendall(line.encode() + b"\n")
        return sock.makefile().read()


def wait_up(address: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{address}/cliente/entrar/").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{address} is not answering: is `make cluster` running?")


def wait_in_rotation(server: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = proxy_command("show servers state balcao_web")
        for row in state.splitlines():
            fields = row.split()
            if len(fields) > 5 and fields[3] == server and fields[5] == "2":  # 2: running
                return
        time.sleep(0.3)
    raise SystemExit(f"{server} did not come back into the proxy's rotation")


# 1. ---------------------------------------------------------------------------------------------
def chat_socket(address: str, number: int, cookie: str):
    return connect(
        f"ws://{address}/ws/chat/{number}/",
        additional_headers={"Cookie": cookie, "Origin": f"http://{PROXY}"},
        open_timeout=10,
    )


def receive_body(ws, body: str, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            frame = json.loads(ws.recv(timeout=left))
        except TimeoutError:
            return False
        if frame.get("type") == "message" and frame.get("body") == body:
            return True
    return False


def prove_websockets() -> None:
    print("1. websocket messages between web processes")
    contact = User.objects.get(email="compras@megastore.com.br")  # TEAM plan: chat
    ticket = do_open_ticket(
        actor=contact,
        department=Department.objects.get(slug="suporte"),
        subject="Chat: cluster proof",
        body="Olá",
        origin=Origin.CHAT,
    )
    sender = session_cookie("admin@balcao.localhost")
    receiver = session_cookie("agente.suporte@balcao.localhost")
    with (
        chat_socket(WEB2, ticket.number, receiver) as listening,
        chat_socket(WEB1, ticket.number, sender) as speaking,
    ):
        body = f"web1 to web2 {uuid.uuid4().hex[:8]}"
        started = time.monotonic()
        speaking.send(json.dumps({"body": body}))
        got = receive_body(listening, body)
        check(got, f"sent on web1, received on web2 ({time.monotonic() - started:.3f} s)")
    # Through the proxy: sockets opened until the two are on different processes.
    with ExitStack() as sockets:
        listening = sockets.enter_context(chat_socket(PROXY, ticket.number, receiver))
        on = listening.response.headers.get("X-Balcao-Server")
        for _ in range(6):
            speaking = sockets.enter_context(chat_socket(PROXY, ticket.number, sender))
            other = speaking.response.headers.get("X-Balcao-Server")
            if other != on:
                body = f"proxy {other} to {on} {uuid.uuid4().hex[:8]}"
                speaking.send(json.dumps({"body": body}))
                got = receive_body(listening, body)
                check(got, f"through the proxy: sent on {other}, received on {on}")
                break
        else:
            check(False, "through the proxy: the sockets never landed on different processes")


# 2. ---------------------------------------------------------------------------------------------
def prove_sla(count: int = 10) -> None:
    print(f"2. {count} scheduled SLA alerts, two workers")
    from django_rq import get_connection
    from rq import Worker
    from rq.job import Job

    connection = get_connection("default")
    workers = Worker.all(connection=connection)
    check(len(workers) >= 2, f"{len(workers)} RQ workers registered")
    contact = User.objects.get(email=CONTACT)
    department = Department.objects.get(slug="suporte")
    run_at = timezone.now() + timedelta(seconds=5)
    scheduled = []
    for n in range(count):
        ticket = do_open_ticket(
            actor=contact, department=department, subject=f"SLA proof {n}", body="Prazo."
        )
        sla = TicketSla.objects.get(ticket=ticket)
        due = _current_due(sla, "first_response")
        assert due is not None, "the demo profile gives every ticket a first-response target"
        alert = [run_at.isoformat(), "first_response", "breach", due.isoformat()]
        result = sla_tasks.sla_alerts_task.using(run_after=run_at).enqueue(ticket.pk, [alert])
        scheduled.append((ticket, result.id))
    deadline = time.monotonic() + 60
    ids = [ticket.pk for ticket, _ in scheduled]
    while time.monotonic() < deadline:
        if SlaAlert.objects.filter(sla__ticket_id__in=ids).count() >= count:
            break
        time.sleep(0.5)
    time.sleep(3)  # room for a second firing, were there one
    alerts = [SlaAlert.objects.filter(sla__ticket=ticket).count() for ticket, _ in scheduled]
    events = [
        Event.objects.filter(ticket=ticket, kind=EventKind.SLA_BREACHED).count()
        for ticket, _ in scheduled
    ]
    ran_by: Counter[str] = Counter()
    runs = []  # RQ keeps one Result per execution of a job
    for _, job_id in scheduled:
        job = Job.fetch(job_id, connection=connection)
        ran_by[job.worker_name or "?"] += 1
        runs.append(len(job.results()))
    check(runs == [1] * count, f"executions per scheduled job: {runs}")
    check(alerts == [1] * count, f"alert rows per ticket: {alerts}")
    check(events == [1] * count, f"'SLA breached' events per ticket: {events}")
    late = SlaAlert.objects.filter(sla__ticket_id__in=ids).order_by("-created_at").first()
    lag = (late.created_at - run_at).total_seconds() if late else float("nan")
    print(f"  jobs run by worker: {dict(ran_by)}; last fired {lag:.1f} s after its instant")


# 3. ---------------------------------------------------------------------------------------------
def prove_throttle() -> None:
    print("3. login throttling shared by the web processes")
    email = "ti@megastore.com.br"
    throttle.forget(throttle.LOGIN_PER_EMAIL, email)
    throttle.forget(throttle.LOGIN_PER_CLIENT, "127.0.0.1")
    codes = []
    for n in range(throttle.LOGIN_PER_EMAIL.attempts):
        address = (WEB1, WEB2)[n % 2]
        answer = httpx.post(
            f"http://{address}/api/v1/auth/token", json={"email": email, "password": "wrong"}
        )
        codes.append(answer.status_code)
    print(f"  {len(codes)} wrong passwords alternating web1/web2: {codes}")
    for name, address in (("web1", WEB1), ("web2", WEB2), ("proxy", PROXY)):
        answer = httpx.post(
            f"http://{address}/api/v1/auth/token", json={"email": email, "password": PASSWORD}
        )
        check(
            answer.status_code == 429,
            f"right password then refused on {name}: {answer.status_code}",
        )
    throttle.forget(throttle.LOGIN_PER_EMAIL, email)
    throttle.forget(throttle.LOGIN_PER_CLIENT, "127.0.0.1")


# 4 and 5 ---------------------------------------------------------------------------------------
def api_token() -> str:
    answer = httpx.post(
        f"http://{PROXY}/api/v1/auth/token", json={"email": CONTACT, "password": PASSWORD}
    )
    answer.raise_for_status()
    return answer.json()["token"]


def load(url: str, seconds: float, threads: int, make_request) -> list[tuple[float, object]]:
    """``threads`` clients in a loop for ``seconds``: (latency, outcome) per request."""
    results: list[tuple[float, object]] = []
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            i = 0
            while time.monotonic() < stop_at:
                started = time.monotonic()
                outcome = make_request(http, n, i)
                results.append((time.monotonic() - started, outcome))
                i += 1

    pool = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results


def post_ticket(http: httpx.Client, token: str, subject: str) -> httpx.Response:
    """One ticket, its subject doubling as the Idempotency-Key (a retry replays, never doubles)."""
    return http.post(
        "/api/v1/tickets",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": subject},
        json={"department": "suporte", "subject": subject, "body": "Carga."},
    )


def creator(token: str, run: str):
    def create(http: httpx.Client, n: int, i: int):
        subject = f"{run}-{n}-{i}"
        try:
            answer = post_ticket(http, token, subject)
        except httpx.TransportError as error:
            return (subject, None, type(error).__name__)
        number = answer.json().get("number") if answer.status_code == 201 else None
        return (subject, number, answer.status_code)

    return create


def prove_kill(token: str) -> None:
    print("4. web1 killed (SIGKILL) under write load through the proxy")
    run = f"kill-{uuid.uuid4().hex[:6]}"
    pid = int((RUN / "web1.pid").read_text())

    def kill_later() -> None:
        time.sleep(3)
        os.kill(pid, signal.SIGKILL)

    threading.Thread(target=kill_later).start()
    results = load(f"http://{PROXY}", 10, 8, creator(token, run))
    acknowledged = {subject: number for _, (subject, number, code) in results if number}
    refused = [code for _, (_subject, number, code) in results if not number]
    unanswered = [subject for _, (subject, number, _code) in results if not number]
    stored = dict(
        Ticket.objects.filter(subject__startswith=f"{run}-").values_list("subject", "number")
    )
    lost = [s for s, number in acknowledged.items() if stored.get(s) != number]
    unacknowledged = set(stored) - set(acknowledged)
    print(
        f"  {len(results)} requests: {len(acknowledged)} acknowledged (201),"
        f" {len(refused)} not ({sorted(set(map(str, refused)))});"
        f" {len(unacknowledged)} stored without acknowledgement"
    )
    check(not lost, f"acknowledged tickets missing afterwards: {len(lost)}")
    wait_up(WEB1)
    wait_in_rotation("web1")
    print("  web1 restarted by the cluster and back in the proxy's rotation")
    # The client's side of the bargain: what was not acknowledged is sent again, same key.
    with httpx.Client(base_url=f"http://{PROXY}", timeout=30) as http:
        retried = [post_ticket(http, token, subject).status_code for subject in unanswered]
    per_subject = Counter(
        Ticket.objects.filter(subject__startswith=f"{run}-").values_list("subject", flat=True)
    )
    sent = set(acknowledged) | set(unanswered)
    check(
        all(code == 201 for code in retried) and all(per_subject[s] == 1 for s in sent),
        f"{len(unanswered)} unacknowledged sent again with their Idempotency-Key: {retried};"
        f" every request now one ticket ({len(per_subject)} tickets for {len(sent)} requests)",
    )


def web_cpu_seconds() -> float:
    """CPU used so far by the web processes (Linux /proc): per request, it does not grow with
    the machine's other load the way latency does."""
    total = 0
    for name in ("web1", "web2"):
        pid = (RUN / f"{name}.pid").read_text().strip()
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def measure(label: str, make_request, seconds: float = 10, threads: int = 8) -> None:
    cpu = web_cpu_seconds()
    results = load(f"http://{PROXY}", seconds, threads, make_request)
    cpu = web_cpu_seconds() - cpu
    ok = sorted(
        latency
        for latency, outcome in results
        if outcome == 200 or (isinstance(outcome, tuple) and outcome[2] == 201)
    ) or [float("nan")]
    p95 = ok[max(0, int(len(ok) * 0.95) - 1)]
    print(
        f"  {label:26} {len(ok) / seconds:6.1f} req/s  p50 {statistics.median(ok) * 1000:5.0f} ms"
        f"  p95 {p95 * 1000:5.0f} ms  web cpu {cpu / max(1, len(ok)) * 1000:4.0f} ms/req"
        f"  ({len(results) - len(ok)} failed; load average {os.getloadavg()[0]:.1f})"
    )


def prove_throughput(token: str, rounds: int = 2) -> None:
    print("5. throughput through the proxy, 8 concurrent clients, 10 s each, alternating")
    cookie = session_cookie("admin@balcao.localhost")

    def page(http: httpx.Client, n: int, i: int):
        return http.get("/console/", headers={"Cookie": cookie}).status_code

    run = f"rate-{uuid.uuid4().hex[:6]}"
    # Warm-up on both processes (web1 was just restarted: imports, templates, its pool).
    load(f"http://{PROXY}", 5, 8, page)
    load(f"http://{PROXY}", 5, 8, creator(token, run))
    for _ in range(rounds):
        for servers in (1, 2):
            if servers == 1:
                proxy_command("disable server balcao_web/web2")
            else:
                proxy_command("enable server balcao_web/web2")
                wait_in_rotation("web2")
            measure(f"{servers} web: console page", page)
            measure(f"{servers} web: ticket creation", creator(token, run))


def main() -> None:
    for address in (PROXY, WEB1, WEB2):
        wait_up(address)
    wait_in_rotation("web1")
    wait_in_rotation("web2")
    token = api_token()
    prove_websockets()
    prove_sla()
    prove_throttle()
    prove_kill(token)
    prove_throughput(token)
    print(f"cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}")
    if failures:
        print(f"{len(failures)} proof(s) failed")
        sys.exit(1)
    print("all proofs hold")


if __name__ == "__main__":
    main()
