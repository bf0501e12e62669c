"""Pages served by the ASGI application as `balcao serve` runs it: the middleware chain and the
view in one thread, entered once per request, with every middleware's work done."""

import asyncio
import contextlib
import os
import threading
import time
from typing import Any
from unittest import mock

import pytest
from asgiref.sync import AsyncToSync
from django.urls import path

from balcao import urls

with mock.patch.dict(os.environ):  # asgi.py sets DB_POOL for a server, not for this test run's
    from balcao.asgi import django_application  # subprocesses


def get(route: str) -> tuple[int, dict[bytes, bytes]]:
    return asyncio.run(fetch(route))


async def fetch(route: str) -> tuple[int, dict[bytes, bytes]]:
    sent: list[dict] = []
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if messages:
            return messages.pop()
        await asyncio.sleep(60)  # the client stays connected until the answer is sent
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await django_application(scope, receive, send)
    start = sent[0]
    return start["status"], dict(start["headers"])


threads: dict[str, int] = {}
probed: dict[str, Any] = {}  # the view's thread and database connection


def where(request):
    from django.db import connections
    from django.http import HttpResponse

    from balcao.accounts.models import User

    threads["view"] = threading.get_ident()
    probed["thread"] = threading.current_thread()
    User.objects.exists()  # opens the thread's connection (or takes one from the pool)
    probed["connection"] = connections["default"]  # this thread's, not a proxy
    return HttpResponse("ok")


together = threading.Barrier(2, timeout=10)


def meet(request):
    from django.http import HttpResponse

    together.wait()  # passes only when two requests are in their views at once
    return HttpResponse("ok")


held, let_go = threading.Event(), threading.Event()


def hold(request):
    from django.http import HttpResponse

    probed["held"] = threading.get_ident()
    held.set()
    let_go.wait(10)  # busy until the test lets it go
    return HttpResponse("ok")


urlpatterns = [  # the probe's URL map
    path("probe", where),
    path("meet", meet),
    path("hold", hold),
    *urls.urlpatterns,
]


@pytest.fixture
def probe(settings):
    settings.ROOT_URLCONF = "tests.test_asgi"  # Django drops its resolved URLs on the change
    middleware = "tests.test_asgi.Outermost"
    settings.MIDDLEWARE = [middleware, *settings.MIDDLEWARE]
    django_application.load_middleware(is_async=True)  # as ASGIHandler does
    yield
    settings.MIDDLEWARE = settings.MIDDLEWARE[1:]
    django_application.load_middleware(is_async=True)  # as ASGIHandler does


class Outermost:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        threads["outermost"] = threading.get_ident()
        return self.get_response(request)


@pytest.mark.django_db
def test_the_view_runs_in_the_thread_of_the_middlewares(probe, monkeypatch):
    """Never back to the event loop between the middlewares and the view (Django's own ASGI
    chain does: async_to_sync to resolve the URL, then sync_to_async again for the view)."""
    back_to_the_loop = []
    crossing = AsyncToSync.__call__

    def counted(self, *args, **kwargs):
        back_to_the_loop.append(self)
        return crossing(self, *args, **kwargs)

    monkeypatch.setattr(AsyncToSync, "__call__", counted)
    status, headers = get("/probe")
    assert status == 200
    assert threads["view"] == threads["outermost"] != threading.get_ident()
    assert back_to_the_loop == []
    assert b"nonce-" in headers[b"Content-Security-Policy"]
    assert headers[b"X-Frame-Options"] == b"DENY"


@pytest.mark.django_db(transaction=True)
def test_a_page_over_asgi_keeps_its_headers_and_cookies():
    status, headers = get("/cliente/entrar/")
    assert status == 200
    assert b"script-src 'self' 'nonce-" in headers[b"Content-Security-Policy"]
    assert headers[b"X-Content-Type-Options"] == b"nosniff"
    assert b"csrftoken=" in headers[b"Set-Cookie"]


@pytest.mark.django_db(transaction=True)
def test_requests_reuse_their_threads_and_give_back_their_connections(probe, monkeypatch):
    """No thread started per request (asgiref's ThreadSensitiveContext starts one for the
    request and another to join it), and the connection a request used is closed, or returned
    to the pool under DB_POOL, by request_finished in the request's thread."""
    get("/probe")  # warm-up: the first request starts its thread
    started = []
    start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self) or start(self))
    views = set()
    for _ in range(3):
        assert get("/probe")[0] == 200
        views.add(threads["view"])
        assert probed["connection"].connection is None
    assert started == []
    assert len(views) == 1


@pytest.mark.django_db
def test_requests_in_flight_run_side_by_side_in_threads_of_their_own(probe):
    """Kept threads serve one request at a time each: a second request in flight gets a
    thread of its own rather than queueing behind the first in its thread."""

    async def both():
        return await asyncio.gather(fetch("/meet"), fetch("/meet"))

    assert [status for status, _ in asyncio.run(both())] == [200, 200]


@pytest.mark.django_db
def test_threads_beyond_those_kept_end(probe, monkeypatch):
    monkeypatch.setattr(django_application, "KEPT_THREADS", 0)
    assert get("/probe")[0] == 200
    probed["thread"].join(timeout=10)
    assert not probed["thread"].is_alive()


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_requests_thread_is_kept_again_only_once_its_work_is_done(probe):
    """A request whose task is cancelled (a server giving up on it) while its view runs leaves
    its thread busy: the next request must not be handed that thread and wait behind it. The
    thread is kept again once the view returns."""
    held.clear()
    let_go.clear()

    async def cancelled_then_another():
        first = asyncio.create_task(fetch("/hold"))
        await asyncio.to_thread(held.wait, 10)
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first
        try:
            return await asyncio.wait_for(fetch("/probe"), 5)
        finally:
            let_go.set()

    assert asyncio.run(cancelled_then_another())[0] == 200
    assert threads["view"] != probed["held"]
    for _ in range(50):  # the held view returns, then its thread is kept: the next one served
        get("/probe")
        if threads["view"] == probed["held"]:
            break
        time.sleep(0.1)
    assert threads["view"] == probed["held"]


def test_what_start_up_made_is_out_of_the_collectors_sight():
    """A server's full collections walk only what its requests left, not every module, model
    and schema: the URLconf is loaded and all of it frozen when the application is imported."""
    import subprocess
    import sys

    probe = (
        "import gc, sys; import balcao.asgi; "
        "print(gc.get_freeze_count(), len(gc.get_objects()), 'balcao.api.views' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "balcao.settings"}
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    frozen, tracked, urls_loaded = out.stdout.split()
    assert urls_loaded == "True"
    assert int(frozen) > 50_000
    assert int(tracked) < 1_000
