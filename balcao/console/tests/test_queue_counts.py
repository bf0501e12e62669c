"""The home's queues come from the counts the database keeps (tickets per department, status
and linked, written by triggers; the SLA clocks with their ticket's department): whatever path
changed the tickets, they say exactly what counting every visible ticket says, for every kind
of viewer, before the counts' rows are folded and after."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from balcao.accounts.models import Department, User
from balcao.console.selectors import _queue_counts
from balcao.customers.models import AddOn
from balcao.factories import StaffFactory, make_company, open_ticket
from balcao.privacy.actions import do_erase_person
from balcao.sla.actions import do_fire_alert, fold_sla_counts
from balcao.sla.models import ClockState, SlaCount, TicketSla
from balcao.sla.selectors import sla_counts
from balcao.tickets import actions
from balcao.tickets.models import Origin, Status, Ticket, TicketCount
from balcao.tickets.selectors import visible_departments, visible_tickets

from .conftest import open_unlinked

pytestmark = pytest.mark.django_db


def counted_afresh(viewer):
    """The queues as the home counted them before the kept counts: every visible ticket
    grouped by (department, status), the unlinked not closed, and the live clocks joined to
    their tickets — per visible department, (counts, at risk, breached); and the unlinked."""
    departments = list(visible_departments(viewer).values_list("pk", flat=True))
    tickets = visible_tickets(viewer).order_by()
    counts = {pk: {} for pk in departments}
    for row in tickets.values("department_id", "status").annotate(n=Count("id")):
        if row["department_id"] in counts:
            counts[row["department_id"]][row["status"]] = row["n"]
    unlinked = tickets.filter(company__isnull=True).exclude(status=Status.CLOSED).count()
    sla = dict.fromkeys(departments, (0, 0))
    if viewer.is_agent:
        now = timezone.now()
        # breached: past due, or marked breached on a target
        breached = Q(next_due__lte=now) | Q(first_response_breached=True)
        breached |= Q(next_response_breached=True) | Q(resolution_breached=True)
        at_risk = Q(at_risk_from__lte=now, next_due__gt=now) & ~breached
        rows = (
            TicketSla.objects.filter(
                state__in=[ClockState.RUNNING, ClockState.PAUSED],
                ticket__department_id__in=departments,
            )
            .values("ticket__department_id")
            .order_by()
            .annotate(at_risk=Count("pk", filter=at_risk), breaches=Count("pk", filter=breached))
        )
        for r in rows:
            sla[r["ticket__department_id"]] = (r["at_risk"], r["breaches"])
    return {pk: (counts[pk], *sla[pk]) for pk in departments}, unlinked


def counted_kept(viewer):
    queues = _queue_counts(viewer)
    per_department = {
        q.department.pk: (q.counts, q.at_risk, q.breached) for q in queues.departments
    }
    return per_department, queues.unlinked_active


def kept_per_key():
    rows = TicketCount.objects.values_list("department_id", "status", "linked").annotate(n=Sum("n"))
    return {(d, s, bool(linked)): n for d, s, linked, n in rows if n}


def tickets_per_key():
    rows = (
        Ticket.objects.order_by()
        .values_list("department_id", "status", Q(company__isnull=False))
        .annotate(n=Count("id"))
    )
    return {(d, s, bool(linked)): n for d, s, linked, n in rows}


def kept_marks():
    rows = SlaCount.objects.values_list("department_id").annotate(n=Sum("n"))
    return {department: n for department, n in rows if n}


def marks_per_department():
    marked = Q(first_response_breached=True) | Q(next_response_breached=True)
    marked |= Q(resolution_breached=True)
    live = TicketSla.objects.filter(marked, state__in=[ClockState.RUNNING, ClockState.PAUSED])
    return dict(live.order_by().values_list("department_id").annotate(n=Count("pk")))


def assert_kept(viewers):
    """The kept counts are every ticket's, and every marked clock's; each viewer's home says
    what counting says, before the folds and after them; the clocks carry their ticket's
    department."""
    for folded in (False, True):
        if folded:
            actions.fold_ticket_counts()
            fold_sla_counts()
            # a key is one row after the fold, none when it counts nothing
            rows = TicketCount.objects.values_list("department_id", "status", "linked")
            assert len(rows) == len(set(rows)) == len(kept_per_key())
            marks = SlaCount.objects.values_list("department_id", flat=True)
            assert len(marks) == len(set(marks)) == len(kept_marks())
        assert kept_per_key() == tickets_per_key()
        assert kept_marks() == marks_per_department()
        for viewer in viewers:
            assert counted_kept(viewer) == counted_afresh(viewer), viewer.email
    assert not TicketSla.objects.exclude(department_id=F("ticket__department_id")).exists()


@pytest.fixture
def viewers(profile):
    suporte = StaffFactory(departments=["suporte"])
    two = StaffFactory(departments=["atendimento", "financeiro"])
    director = StaffFactory(departments=["ouvidoria"], role=User.Role.DIRECTOR)
    director_elsewhere = StaffFactory(departments=["sucesso"], role=User.Role.DIRECTOR)
    administrator = StaffFactory(role=User.Role.ADMINISTRATOR)
    superuser = User.objects.create_superuser("root@balcao.localhost", "pw-root-1234", name="R")
    gone = StaffFactory(departments=["suporte"], is_active=False)
    return [suporte, two, director, director_elsewhere, administrator, superuser, gone]


def test_every_path_keeps_the_counts(viewers, media):
    suporte, two, director, _, administrator, *_ = viewers
    mega, customer = make_company("team", addons=AddOn.objects.all(), name="Mega")
    other, other_customer = make_company(name="Outra")
    tickets = [
        open_ticket(customer, slug, subject=f"{slug} {i}")
        for i, slug in enumerate(["suporte", "suporte", "atendimento", "financeiro", "sucesso"])
    ]
    tickets.append(open_ticket(other_customer, "suporte", subject="outra"))
    unlinked = [open_unlinked(email=f"u{i}@gmail.com") for i in range(3)]
    complaint = open_ticket(
        customer, "ouvidoria", subject="Reclamação", reference=tickets[0].number
    )
    assert_kept(viewers)

    # the actions
    actions.do_assign_ticket(tickets[0], actor=suporte, assignee=suporte)
    actions.do_start_progress(tickets[0], actor=suporte)
    actions.do_add_message(tickets[1], actor=suporte, body="Resposta")
    actions.do_close_ticket(tickets[2], actor=two)
    actions.do_reopen_ticket(tickets[2], actor=two)
    actions.do_close_ticket(tickets[3], actor=two)
    actions.do_transfer_ticket(
        tickets[1], actor=administrator, department=Department.objects.get(slug="atendimento")
    )
    actions.do_link_ticket(unlinked[0], actor=two, company=mega)
    actions.do_merge_ticket(tickets[4], actor=administrator, into=tickets[0])
    actions.do_change_status(complaint, actor=director, status=Status.IN_PROGRESS)
    assert_kept(viewers)

    # the ORM without actions: update(), bulk_create, save, delete
    Ticket.objects.filter(pk=tickets[5].pk).update(status=Status.ANSWERED)
    Ticket.objects.filter(pk__in=[t.pk for t in unlinked[1:]]).update(
        department=Department.objects.get(slug="suporte")
    )
    Ticket.objects.filter(pk=tickets[2].pk).update(company=None)  # unlinked by hand
    Ticket.objects.filter(pk=tickets[0].pk).update(subject="nothing counted changes")
    sucesso = Department.objects.get(slug="sucesso")
    Ticket.objects.bulk_create(
        [
            Ticket(
                number=900_000 + i,
                subject=f"importado {i}",
                department=sucesso,
                company=mega if i % 2 else None,
                status=[Status.OPEN, Status.CLOSED, Status.ANSWERED][i % 3],
                requester_email=f"imp{i}@x.com.br",
                origin=Origin.OTHER,
            )
            for i in range(7)
        ]
    )
    moved = Ticket.objects.get(number=900_001)
    moved.department = Department.objects.get(slug="financeiro")
    moved.status = Status.CUSTOMER_REPLY
    moved.save()
    Ticket.objects.filter(number=900_002).delete()
    assert_kept(viewers)

    # raw SQL, and a whole department's tickets at once
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tickets_ticket SET status = %s WHERE department_id = %s",
            [Status.OPEN, sucesso.pk],
        )
        cursor.execute(
            "UPDATE tickets_ticket SET department_id = %s WHERE number = %s",
            [Department.objects.get(slug="ouvidoria").pk, 900_003],
        )
    assert_kept(viewers)

    # the Ouvidoria's complaint refers to an unlinked ticket in a department the director is
    # not in: the director counts it among the unlinked waiting
    Ticket.objects.filter(pk=complaint.pk).update(reference=unlinked[1])
    assert counted_kept(director)[1] == counted_afresh(director)[1] > 0
    assert_kept(viewers)

    # an erasure (LGPD) anonymises the requester: nothing counted moves
    do_erase_person(other_customer.email, actor=administrator)
    Ticket.objects.filter(number__gte=900_000).delete()
    assert_kept(viewers)


def test_the_clocks_counts_per_department(viewers):
    """At risk and breached, per department, from the clocks alone, as joined to tickets."""
    suporte, two, _, _, administrator, *_ = viewers
    _, customer = make_company("team", addons=AddOn.objects.all())
    tickets = [open_ticket(customer, slug) for slug in ["suporte"] * 4 + ["atendimento"] * 3]
    now = timezone.now()
    clocks = TicketSla.objects.filter(ticket__in=tickets)
    assert clocks.count() == 7
    clocks.filter(ticket=tickets[0]).update(at_risk_from=now, next_due=now + timedelta(days=1))
    clocks.filter(ticket=tickets[1]).update(next_due=now)  # overdue
    clocks.filter(ticket=tickets[4]).update(first_response_breached=True)
    clocks.filter(ticket=tickets[5]).update(at_risk_from=now, next_due=now + timedelta(days=1))
    assert counted_kept(administrator)[0] == counted_afresh(administrator)[0]
    per = counted_kept(administrator)[0]
    assert per[tickets[0].department_id][1:] == (1, 1)
    assert per[tickets[4].department_id][1:] == (1, 1)
    # moved to another department, by an action and by hand: its clock follows
    actions.do_transfer_ticket(
        tickets[0], actor=administrator, department=Department.objects.get(slug="financeiro")
    )
    Ticket.objects.filter(pk=tickets[1].pk).update(department=tickets[4].department)
    assert_kept(viewers)
    per = counted_kept(administrator)[0]
    assert per[tickets[4].department_id][1:] == (1, 2)
    # a clock written with another department gets its ticket's back
    clocks.filter(ticket=tickets[2]).update(department=tickets[4].department)
    assert TicketSla.objects.get(ticket=tickets[2]).department_id == tickets[2].department_id


def test_the_breaches_marked_are_counted_by_the_database_whatever_marks_them(viewers, time_machine):
    """A clock marked breached (by its alert, a late answer, or by hand) is counted by the
    database while it is live: the home's breached count is those plus the ones past due
    not yet marked, and reads no clock marked (issue 17: 200,000 of them at a million)."""
    suporte, two, _, _, administrator, *_ = viewers
    _, customer = make_company("team", addons=AddOn.objects.all())
    tickets = [open_ticket(customer, slug) for slug in ["suporte"] * 3 + ["atendimento"] * 2]
    clocks = TicketSla.objects.filter(ticket__in=tickets)
    assert_kept(viewers)
    # the breach alert marks one, as the worker does when its due passes
    first = clocks.get(ticket=tickets[0])
    time_machine.move_to(first.first_response_due + timedelta(minutes=1), tick=False)
    assert do_fire_alert(tickets[0].pk, "first_response", "breach", first.first_response_due)
    assert kept_marks() == {tickets[0].department_id: 1}
    # one marked and two past due not yet marked, in suporte
    assert counted_kept(suporte)[0][tickets[0].department_id][1:] == (0, 3)
    assert_kept(viewers)
    # answered (paused: still live, still breached), closed (stopped), reopened (a breach
    # stays a breach), transferred
    actions.do_add_message(tickets[0], actor=suporte, body="Resposta")
    assert_kept(viewers)
    actions.do_close_ticket(tickets[0], actor=suporte)
    assert kept_marks() == {}
    actions.do_reopen_ticket(tickets[0], actor=suporte)
    assert kept_marks() == {tickets[0].department_id: 1}
    actions.do_transfer_ticket(
        tickets[0], actor=administrator, department=Department.objects.get(slug="atendimento")
    )
    assert kept_marks() == {tickets[3].department_id: 1}
    assert_kept(viewers)
    # by hand: marked twice over, unmarked, stopped, deleted with their tickets
    clocks.filter(ticket__in=tickets[1:4]).update(resolution_breached=True)
    clocks.filter(ticket=tickets[1]).update(next_response_breached=True)
    assert_kept(viewers)
    clocks.filter(ticket=tickets[2]).update(resolution_breached=False)
    clocks.filter(ticket=tickets[3]).update(state=ClockState.STOPPED)
    assert_kept(viewers)
    Ticket.objects.filter(pk__in=[tickets[1].pk, tickets[4].pk]).delete()
    assert_kept(viewers)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sla_ticketsla SET first_response_breached = %s", [True])
    assert_kept(viewers)
    # left live: the transferred one (atendimento) and one in suporte
    assert kept_marks() == {tickets[3].department_id: 1, tickets[2].department_id: 1}


def test_the_triggers_are_there():
    """After every migration: one that remakes the tickets' table on SQLite drops them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {name for (name,) in cursor.fetchall()}
    expected = {
        "tickets_count_insert",
        "tickets_count_update",
        "tickets_count_delete",
        "sla_clock_follows_ticket",
        "sla_clock_insert",
        "sla_clock_update",
        "sla_count_insert",
        "sla_count_update",
        "sla_count_delete",
    }
    if connection.vendor == "postgresql":
        expected |= {"tickets_count_truncate", "sla_count_truncate"}
    assert expected <= names


def test_a_quiet_desk_folds_nothing(viewers):
    _, customer = make_company()
    open_ticket(customer)
    open_ticket(customer)
    assert actions.fold_ticket_counts()[0] >= 2
    assert actions.fold_ticket_counts() == (0, 0)


def test_the_folds_run_each_minute():
    from balcao.core.periodic import PERIODIC
    from balcao.sla.tasks import fold_sla_counts_task
    from balcao.tickets.tasks import fold_ticket_counts_task

    for task in (fold_ticket_counts_task, fold_sla_counts_task):
        assert PERIODIC[task.module_path].every == timedelta(minutes=1)


def test_the_clocks_read_are_along_the_indexes_of_the_unmarked_ones(viewers, plan_of):
    """The breached clocks marked are not read: their count is the kept rows'."""
    _, customer = make_company("team", addons=AddOn.objects.all())
    open_ticket(customer, "suporte")
    plan = plan_of(lambda: sla_counts(viewers[0]))
    # at risk and past due: each along an index of the unmarked clocks (either serves both)
    assert plan.count("sla_unmarked_") >= 2 and "sla_counted_by_department" in plan
