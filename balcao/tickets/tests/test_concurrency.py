"""Two agents acting on one ticket at once cannot corrupt it: the row lock serialises them."""

import threading

import pytest
from django.db import connection, transaction

from balcao.factories import (
    StaffFactory,
    contact_sender,
    inbound_message,
    make_company,
    open_ticket,
)
from balcao.tickets import actions
from balcao.tickets.inbound import do_receive_inbound
from balcao.tickets.models import Status, Ticket


@pytest.mark.django_db(transaction=True)
def test_concurrent_replies_and_close_keep_a_consistent_ticket(profile):
    _, primary = make_company()
    ticket = open_ticket(primary)
    agents = [StaffFactory(departments=["suporte"]) for _ in range(2)]
    errors = []
    barrier = threading.Barrier(2)

    def work(agent):
        try:
            barrier.wait()
            for i in range(5):
                actions.do_add_message(ticket, actor=agent, body=f"resposta {i}")
            actions.do_assign_ticket(ticket, actor=agent, assignee=agent)
        except Exception as error:  # noqa: BLE001 — collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.messages.count() == 11
    assert ticket.status == Status.ANSWERED
    assigned = list(
        ticket.events.filter(kind="assigned").order_by("id").values_list("data", flat=True)
    )
    # The second assignment saw the first one's result (old == the first assignee), never a stale row.
    assert assigned[0]["old"] is None and assigned[1]["old"] == assigned[0]["new"]
    assert ticket.assignee.pk == assigned[1]["new"]["id"]


@pytest.mark.django_db(transaction=True)
def test_the_same_message_filed_by_several_processes_at_once_is_one_ticket(profile):
    """The funnel's unique (channel, key), not a look-up first: on PostgreSQL the second
    insert waits for the first to commit and is then told it is a duplicate."""
    _, primary = make_company()
    messages = [
        inbound_message(sender=contact_sender(primary), message_id="same@x", body=f"cópia {n}")
        for n in range(4)
    ]
    errors, filed = [], []
    barrier = threading.Barrier(len(messages))

    def work(message):
        try:
            barrier.wait()
            filed.append(do_receive_inbound(message))
        except Exception as error:  # noqa: BLE001 — collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(m,)) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Ticket.objects.count() == 1 and Ticket.objects.get().messages.count() == 1
    assert sorted(f.duplicate for f in filed) == [False, True, True, True]


@pytest.mark.django_db(transaction=True)
def test_a_ticket_is_numbered_while_another_opening_is_still_uncommitted(profile):
    """Openings do not queue behind each other's transactions for a number (issue 17: the
    counter's row lock, held to the commit, put every opening in one line on PostgreSQL;
    SQLite has one writer at a time anyway). Numbers stay unique and increasing. (Openings in
    one department wait on its row from their last write to their commit: another one here.)"""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    _, customer = make_company()
    first = open_ticket(customer, subject="before")
    numbered, release, errors = threading.Event(), threading.Event(), []

    def slow_opening():
        try:
            with transaction.atomic():
                results.append(open_ticket(customer, subject="slow").number)
                numbered.set()
                release.wait(30)  # its transaction stays open
        except Exception as error:  # noqa: BLE001 — collected and asserted below
            errors.append(error)
        finally:
            numbered.set()
            connection.close()

    results: list[int] = []
    slow = threading.Thread(target=slow_opening)
    slow.start()
    assert numbered.wait(30)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")  # waiting for the slow one fails the test
    try:
        meanwhile = open_ticket(customer, "financeiro", subject="meanwhile")
    finally:
        release.set()
        slow.join(30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert errors == []
    assert first.number < results[0] < meanwhile.number
    assert Ticket.objects.filter(subject__in=["slow", "meanwhile"]).count() == 2
