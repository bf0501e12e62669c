"""kill -9 of `balcao mail lmtp` under load: MTAs retry what was not answered 250 once it is
back (as an MTA's queue does); every message ends as exactly one ticket."""

import os
import signal
import threading
import time

import pytest

from balcao.tickets.models import Ticket
from tests.faults.conftest import free_port, report
from tests.mail.conftest import make_mail
from tests.mail.test_lmtp import converse


def mta(port: int, messages: list[bytes], outcome: dict, retries: list):
    """Deliver each message until it is answered 250, retrying refusals and broken links."""
    for raw in messages:
        while True:
            try:
                _, data = converse(port, ["suporte@balcao.localhost"], raw)
                if data[0].startswith("250"):
                    outcome[raw] = data[0]
                    break
            except (OSError, AssertionError):
                pass
            retries.append(raw)
            time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_kill_9_of_the_lmtp_server_under_load(profile, processes):
    port = free_port()
    lmtp = processes("lmtp", ["mail", "lmtp", "--port", str(port)])
    lmtp.wait_port(port)
    subjects = [f"Pedido {n:03d}" for n in range(30)]
    batches = [
        [make_mail(sender=f"cliente{n}@gmail.com", subject=s) for s in subjects[n::3]]
        for n in range(3)
    ]
    outcome, retries = {}, []
    mtas = [threading.Thread(target=mta, args=(port, b, outcome, retries)) for b in batches]
    for thread in mtas:
        thread.start()
    while len(outcome) < 8:
        time.sleep(0.05)
    os.kill(lmtp.popen.pid, signal.SIGKILL)
    lmtp.popen.wait()
    restarted = processes("lmtp-again", ["mail", "lmtp", "--port", str(port)])
    restarted.wait_port(port)
    for thread in mtas:
        thread.join(120)
    filed = [Ticket.objects.filter(subject=subject).count() for subject in subjects]
    report(
        "lmtp/kill-9",
        lost=filed.count(0),
        doubled=sum(n > 1 for n in filed),
        messages=len(subjects),
        retried=len(retries),
    )
    assert len(outcome) == len(subjects)
