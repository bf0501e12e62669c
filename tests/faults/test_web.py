"""The web process under faults: the database going away (a 503 page, never a traceback; the
same requests work once it is back) and kill -9 of a server process under load (what was
answered 201 exists exactly once; the server keeps serving)."""

import os
import signal
import threading
import time

import httpx
import pytest
from django.test import Client
from redis import Redis

from balcao.accounts.actions import do_issue_api_token
from balcao.factories import PASSWORD, StaffFactory, make_company
from balcao.tickets.models import Ticket
from tests.faults.conftest import free_port, report, wait_until

SERVER_PROCESS = "spawn_main"  # uvicorn's worker processes, not multiprocessing's tracker


def serve(processes, workers: int = 1, **env):
    port = free_port()
    server = processes("serve", ["serve", "--port", str(port), "--workers", str(workers)], **env)
    server.wait_port(port)
    return server, f"http://127.0.0.1:{port}"


def token(email: str) -> str:
    return do_issue_api_token(email=email, password=PASSWORD)


def open_by_api(base: str, bearer: str, subject: str) -> int | None:
    """The status the API answered, or None when the connection broke."""
    try:
        return httpx.post(
            f"{base}/api/v1/tickets",
            json={"department": "suporte", "subject": subject, "body": "Não consigo pagar."},
            headers={"Authorization": f"Bearer {bearer}"},
            timeout=30,
        ).status_code
    except httpx.TransportError:
        return None


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_is_a_503_page_and_service_resumes(profile, relay, processes):
    _, primary = make_company("essencial")
    browser = Client()
    browser.force_login(StaffFactory(departments=["suporte"]))
    cookies = {"sessionid": browser.cookies["sessionid"].value}
    _, base = serve(processes, DATABASE_URL=relay.url)
    bearer = token(primary.email)
    assert httpx.get(f"{base}/console/", cookies=cookies).status_code == 200

    relay.cut()
    page = httpx.get(f"{base}/console/", cookies=cookies, headers={"Accept-Language": "en"})
    health = httpx.get(f"{base}/health")
    refused = [open_by_api(base, bearer, f"Pedido {n:03d}") for n in range(3)]
    relay.restore()

    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "Temporarily unavailable" in page.text and "Traceback" not in page.text
    assert health.status_code == 503 and health.json() == {"database": "unavailable"}
    assert refused == [503, 503, 503]
    assert httpx.get(f"{base}/console/", cookies=cookies).status_code == 200
    retried = [open_by_api(base, bearer, f"Pedido {n:03d}") for n in range(3)]  # the client
    assert retried == [201, 201, 201]
    filed = [Ticket.objects.filter(subject=f"Pedido {n:03d}").count() for n in range(3)]
    report("web/database-outage", lost=filed.count(0), doubled=sum(n > 1 for n in filed))


@pytest.mark.django_db(transaction=True)
def test_kill_9_of_a_web_process_under_load(profile, processes):
    _, primary = make_company("essencial")
    server, base = serve(processes, workers=2)
    bearer = token(primary.email)
    wait_until(lambda: len(server.children(SERVER_PROCESS)) == 2, what="two server processes")
    for n in range(8):  # both processes warmed up: the load measures serving, not importing
        assert open_by_api(base, bearer, f"Aquecimento {n}") == 201
    answers: dict[str, int | None] = {}
    stop = threading.Event()

    def client(name: str):
        n = 0
        while not stop.is_set():
            subject = f"Carga {name}-{n:04d}"
            answers[subject] = open_by_api(base, bearer, subject)
            n += 1

    clients = [threading.Thread(target=client, args=(str(c),)) for c in range(4)]
    for thread in clients:
        thread.start()
    time.sleep(2)
    victim = server.children(SERVER_PROCESS)[0]
    os.kill(victim, signal.SIGKILL)
    time.sleep(2)
    stop.set()
    for thread in clients:
        thread.join()
    wait_until(
        lambda: (
            len(server.children(SERVER_PROCESS)) == 2
            and victim not in server.children(SERVER_PROCESS)
        ),
        what="the server to replace the killed process",
    )
    assert open_by_api(base, bearer, "Depois") == 201

    acknowledged = [subject for subject, status in answers.items() if status == 201]
    stored = dict.fromkeys(answers, 0)
    for subject in Ticket.objects.filter(subject__startswith="Carga ").values_list(
        "subject", flat=True
    ):
        stored[subject] += 1
    report(
        "web/kill-9",
        lost=sum(stored[subject] == 0 for subject in acknowledged),
        doubled=sum(n > 1 for n in stored.values()),
        requests=len(answers),
        acknowledged=len(acknowledged),
        broken=sum(status is None for status in answers.values()),
    )
    assert len(acknowledged) > 10


@pytest.mark.django_db(transaction=True)
def test_each_server_process_keeps_its_redis_connections(settings, processes):
    """A worker process of `balcao serve --workers 2` reads sessions and kept pages from Redis
    over the connections it keeps: Django keeps cache objects per asgiref context, and each
    request of such a process had a context, a connection pool and a new connection of its own
    (+3 ms of CPU a request)."""
    if not settings.REDIS_URL:
        pytest.skip("the cache is Redis only with REDIS_URL")
    browser = Client()
    browser.force_login(StaffFactory(departments=["suporte"]))
    server, base = serve(processes, workers=2, REDIS_URL=settings.REDIS_URL)
    wait_until(lambda: len(server.children(SERVER_PROCESS)) == 2, what="two server processes")
    redis = Redis.from_url(settings.REDIS_URL)
    with httpx.Client(
        base_url=base, cookies={"sessionid": browser.cookies["sessionid"].value}
    ) as agent:
        assert agent.get("/console/").status_code == 200  # the process's connections opened
        opened = redis.info("stats")["total_connections_received"]
        for _ in range(30):
            assert agent.get("/console/").status_code == 200
    assert redis.info("stats")["total_connections_received"] - opened < 5
