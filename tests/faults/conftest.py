"""The fault suite (`make faults`): real `balcao` processes on loopback ports, a real database
reached through a relay that can be cut, a real SMTP server counting what arrives; each test
prints what was lost and what was doubled, and asserts both are 0."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

BALCAO = [sys.executable, "-m", "balcao.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def report(name: str, lost: int, doubled: int, **more):
    shown = " ".join(f"{key}={value}" for key, value in more.items())
    print(f"\nFAULT {name}: lost={lost} doubled={doubled} {shown}".rstrip())
    assert (lost, doubled) == (0, 0), f"{name}: lost={lost} doubled={doubled}"


class DatabaseRelay:
    """A TCP relay in front of PostgreSQL. `cut()` drops every connection and refuses new
    ones (accepted, then closed at once), as a database that went away; `restore()` ends it.
    The server itself is never touched: other people's databases live on it."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = threading.Event()
        self.lock = threading.Lock()
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down.is_set():
                client.close()
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with self.lock:
                    if end in self.open:
                        self.open.remove(end)
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def cut(self):
        self.down.set()
        with self.lock:
            ends, self.open = self.open, []
        for end in ends:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def restore(self):
        self.down.clear()

    def close(self):
        self.cut()
        self.listener.close()


class Mailbox:
    """An SMTP server on loopback counting the messages it accepted, by recipient and subject
    (a ticket's acknowledgement and the agents' notice share a subject). It can hold
    the Nth message at RCPT until released, to stop a sender mid-message."""

    def __init__(self):
        self.subjects: Counter = Counter()
        self.hold_at = 0  # the RCPT to hold (counted from 1); 0: none
        self.rcpts = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.port = self.controller.port

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        import asyncio

        self.rcpts += 1
        if self.rcpts == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes

        subject = message_from_bytes(envelope.original_content or b"")["Subject"] or ""
        for recipient in envelope.rcpt_tos:
            self.subjects[(recipient.lower(), str(subject))] += 1
        return "250 OK"

    def close(self):
        self.release.set()
        self.controller.stop()


class Process:
    """A `balcao` command in its own process group, its output in a file."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.log = log
        self.popen = subprocess.Popen(
            [*BALCAO, *args],
            env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def children(self, marked: str = "") -> list[int]:
        """Child processes whose command line contains ``marked``."""
        path = Path(f"/proc/{self.popen.pid}/task/{self.popen.pid}/children")
        pids = [int(pid) for pid in path.read_text().split()] if path.exists() else []
        return [pid for pid in pids if marked in _command_line(pid)]

    def wait_port(self, port: int, timeout: float = 60):
        def listening():
            assert self.alive(), self.output
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                return False

        wait_until(listening, timeout, f"port {port}")

    def stop(self):
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def direct_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def relay():
    """The test database behind a relay that can be cut (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        pytest.skip("a database outage needs a database server: run with DATABASE_URL=postgres")
    db = connection.settings_dict
    relay = DatabaseRelay(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    relay.url = f"postgres://{db['USER']}:{db['PASSWORD']}@127.0.0.1:{relay.port}/{db['NAME']}"
    yield relay
    relay.close()


@pytest.fixture
def processes(tmp_path):
    """Start `balcao` commands: ``start(name, args, **env)``; all stopped at the end."""
    started = []

    def start(name: str, args: list[str], **env) -> Process:
        env = {"BALCAO_HOME": str(tmp_path), "DATABASE_URL": direct_url(), "REDIS_URL": "", **env}
        process = Process(args, env, tmp_path / f"{name}.log")
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def database_queue(settings):
    """Tasks go to the database queue, where `balcao worker` finds them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
