"""`balcao mail deliver` while the database comes and goes: each attempt either stores the
message (exit 0) or asks the MTA to retry (exit 75); retried as an MTA would, every message
ends as exactly one ticket."""

import os
import random
import subprocess
import threading
import time

import pytest

from balcao.tickets.models import Ticket
from tests.faults.conftest import BALCAO, report
from tests.mail.conftest import make_mail


def flapping(relay, stop: threading.Event):
    """Down 0.2–0.5 s, up 0.2–0.7 s, until stopped: uneven, so that deliveries of a steady
    length cannot fall in step with the outages and always meet the database up."""
    rng = random.Random(17)
    while not stop.is_set():
        relay.cut()
        time.sleep(rng.uniform(0.2, 0.5))
        relay.restore()
        stop.wait(rng.uniform(0.2, 0.7))


@pytest.mark.django_db(transaction=True)
def test_deliver_while_the_database_comes_and_goes(profile, relay, tmp_path):
    subjects: list[str] = []
    stop = threading.Event()
    flapper = threading.Thread(target=flapping, args=(relay, stop), daemon=True)
    flapper.start()
    env = {"DATABASE_URL": relay.url, "BALCAO_HOME": str(tmp_path), "REDIS_URL": ""}
    codes = []
    try:
        # At least 10 messages, and on until an outage met a delivery (at most 40).
        while len(subjects) < 10 or (75 not in codes and len(subjects) < 40):
            subject = f"Pedido {len(subjects):03d}"
            subjects.append(subject)
            raw = make_mail(sender="alguem@gmail.com", subject=subject)
            for _ in range(30):  # the MTA's queue: try again until stored
                done = subprocess.run(
                    [*BALCAO, "mail", "deliver", "--to", "suporte@balcao.localhost"],
                    input=raw,
                    capture_output=True,
                    env={**os.environ, **env},
                    timeout=120,
                    check=False,
                )
                codes.append(done.returncode)
                assert done.returncode in (0, 75), done.stderr.decode()
                if done.returncode == 0:
                    break
    finally:
        stop.set()
        flapper.join()
        relay.restore()
    filed = [Ticket.objects.filter(subject=subject).count() for subject in subjects]
    report(
        "deliver/database-flapping",
        lost=filed.count(0),
        doubled=sum(1 for count in filed if count > 1),
        messages=len(subjects),
        attempts=len(codes),
        tempfail=codes.count(75),
    )
    assert codes.count(75) > 0, "the outage never met a delivery: the test proved nothing"
