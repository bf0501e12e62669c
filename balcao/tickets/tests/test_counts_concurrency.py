"""The kept counts under concurrency (PostgreSQL, where writers and folds run at once; SQLite
has one writer at a time): two folds at once count each row once, and neither a fold nor a
writer waits for the other."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from balcao.factories import make_company, open_ticket
from balcao.tickets import actions
from balcao.tickets.models import Status, Ticket, TicketCount

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")


def kept():
    rows = TicketCount.objects.values_list("department_id", "status", "linked").annotate(n=Sum("n"))
    return {(d, s, bool(linked)): n for d, s, linked, n in rows if n}


def counted():
    rows = (
        Ticket.objects.order_by()
        .values_list("department_id", "status", Q(company__isnull=False))
        .annotate(n=Count("id"))
    )
    return {(d, s, bool(linked)): n for d, s, linked, n in rows}


def test_a_second_fold_waits_and_counts_nothing_twice_while_writers_go_on(profile):
    _, customer = make_company()
    tickets = [open_ticket(customer, subject=f"t{i}") for i in range(6)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[:3]]).update(status=Status.CLOSED)
    assert TicketCount.objects.count() > len(kept())  # keys of several rows to fold
    folded_once, release, results, errors = threading.Event(), threading.Event(), {}, []

    def first():
        try:
            with transaction.atomic():
                results["first"] = actions.fold_ticket_counts()
                folded_once.set()
                release.wait(30)  # its rows stay locked, its sums unseen, until it commits
        except Exception as error:  # noqa: BLE001 — collected and asserted below
            errors.append(error)
        finally:
            folded_once.set()
            connection.close()

    def second():
        try:
            results["second"] = actions.fold_ticket_counts()
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert folded_once.wait(30)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.5)
    assert two.is_alive()  # waits on the rows the first fold deleted
    # a writer does not wait for either: it only inserts
    started = time.monotonic()
    open_ticket(customer, subject="while folding")
    Ticket.objects.filter(pk=tickets[4].pk).update(status=Status.ANSWERED)
    assert time.monotonic() - started < 5 and one.is_alive()
    release.set()
    one.join(30)
    two.join(30)
    assert errors == []
    assert results["first"][0] > 0
    assert results["second"] == (0, 0)  # the first's rows were gone, its sums unseen
    assert kept() == counted()
    actions.fold_ticket_counts()  # the writer's rows
    assert kept() == counted()
    assert TicketCount.objects.count() == len(counted())


def test_many_folds_and_writers_at_once_keep_the_counts(profile):
    _, customer = make_company()
    tickets = [open_ticket(customer, subject=f"t{i}") for i in range(8)]
    barrier = threading.Barrier(6)
    errors = []

    def fold():
        try:
            barrier.wait()
            for _ in range(10):
                actions.fold_ticket_counts()
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    def write(ticket):
        try:
            barrier.wait()
            for status in [Status.CLOSED, Status.OPEN, Status.ANSWERED] * 3:
                Ticket.objects.filter(pk=ticket.pk).update(status=status)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=fold) for _ in range(3)]
    threads += [threading.Thread(target=write, args=(t,)) for t in tickets[:3]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert kept() == counted()
    actions.fold_ticket_counts()
    assert kept() == counted()
    assert TicketCount.objects.count() == len(counted())


def test_a_fold_leaves_no_dead_rows_for_the_counts_to_read_through(profile):
    """Where autovacuum is off or behind (it is off on some installations), the rows a fold
    deleted stay in the table, and every read of the counts goes through them."""
    _, customer = make_company()
    tickets = [open_ticket(customer, subject=f"t{i}") for i in range(5)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(status=Status.CLOSED)
    folded, _ = actions.fold_ticket_counts()
    assert folded > 0
    with connection.cursor() as cursor:  # counted row by row (the statistics lag behind)
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        cursor.execute("SELECT dead_tuple_count FROM pgstattuple('tickets_ticketcount')")
        assert cursor.fetchone() == (0,)
    assert kept() == counted()
