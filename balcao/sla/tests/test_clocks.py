"""The SLA clock through the ticket lifecycle, with a frozen clock; warnings and breaches."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from balcao.events.models import EventKind
from balcao.factories import StaffFactory, make_company, open_ticket, receive
from balcao.notifications.models import Kind, Notification
from balcao.sla.models import SlaAlert, TicketSla
from balcao.sla.selectors import sla_status, ticket_sla
from balcao.tickets import actions
from balcao.tickets.inbound import Sender

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")


def sp(*args) -> datetime:
    return datetime(*args, tzinfo=SP)


@pytest.fixture
def team(profile):
    return make_company("team")  # 4 h first and next response, 20 h resolution


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"])


def sla_kinds(ticket):
    return [k for k in ticket.events.values_list("kind", flat=True) if k.startswith("sla_")]


def alert_tasks(tasks):
    return [r for r in tasks.results if r.task.name == "sla_alerts_task"]


def scheduled(tasks):
    """(instant, target, stage) of every alert scheduled."""
    return sorted(
        (datetime.fromisoformat(at), target, stage)
        for r in alert_tasks(tasks)
        for at, target, stage, _due in r.args[1]
    )


def run_alerts(tasks, time_machine, until):
    """Run the alert tasks as the worker would, each at its instant, up to ``until``, those
    they schedule included; returns those run."""
    done: list = []
    while waiting := [
        r for r in alert_tasks(tasks) if r.task.run_after <= until and all(r is not d for d in done)
    ]:
        result = min(waiting, key=lambda r: r.task.run_after)
        time_machine.move_to(result.task.run_after, tick=False)
        run(result)
        done.append(result)
    return done


def test_lifecycle_in_business_hours(
    team, agent, time_machine, tasks, django_capture_on_commit_callbacks
):
    time_machine.move_to(sp(2026, 3, 2, 10), tick=False)  # Monday
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(team[1])
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.first_response_due == sp(2026, 3, 2, 14)
    assert sla.resolution_due == sp(2026, 3, 4, 14)  # 7 h Monday, 8 h Tuesday, 5 h Wednesday
    assert scheduled(tasks) == [
        (sp(2026, 3, 2, 13, 12), "first_response", "warning"),  # 80 % of 4 h
        (sp(2026, 3, 2, 14), "first_response", "breach"),
        (sp(2026, 3, 4, 10), "resolution", "warning"),
        (sp(2026, 3, 4, 14), "resolution", "breach"),
    ]
    # one task, at the first of their instants (issue 17: was four)
    assert [r.task.run_after for r in alert_tasks(tasks)] == [sp(2026, 3, 2, 13, 12)]
    assert ticket_sla(ticket).state == "running"

    time_machine.move_to(sp(2026, 3, 2, 11, 30), tick=False)
    actions.do_add_message(ticket, actor=agent, body="Verificamos: já está corrigido.")
    sla.refresh_from_db()
    assert sla.first_response_time == timedelta(hours=1, minutes=30)
    assert not sla.first_response_breached
    assert ticket_sla(ticket).as_api() == {
        "state": "paused",
        "first_response_due": None,
        "next_response_due": None,
        "resolution_due": None,
    }

    # Customer-Reply Tuesday 16:00: next response in 4 h, resolution resumes with 18.5 h left.
    time_machine.move_to(sp(2026, 3, 3, 16), tick=False)
    actions.do_add_message(ticket, actor=team[1], body="Ainda falha no Pix.")
    status = ticket_sla(ticket)
    assert status.state == "running"
    assert status.next_response_due == sp(2026, 3, 4, 12)
    assert status.resolution_due == sp(2026, 3, 6, 10, 30)

    time_machine.move_to(sp(2026, 3, 4, 11), tick=False)
    actions.do_add_message(ticket, actor=agent, body="Corrigido o Pix.")
    time_machine.move_to(sp(2026, 3, 5, 9), tick=False)
    actions.do_close_ticket(ticket, actor=agent)
    sla.refresh_from_db()
    assert sla.resolution_used == timedelta(hours=1.5 + 1 + 2)
    assert ticket_sla(ticket).state == "met"
    assert sla_kinds(ticket) == [
        EventKind.SLA_STARTED,
        EventKind.SLA_PAUSED,
        EventKind.SLA_RESUMED,
        EventKind.SLA_PAUSED,
        EventKind.SLA_STOPPED,
    ]

    # Reopened by the customer's new information: resolution resumes where it stopped.
    time_machine.move_to(sp(2026, 3, 9, 9), tick=False)
    actions.do_add_message(ticket, actor=team[1], body="Voltou a falhar.")
    status = ticket_sla(ticket)
    assert status.state == "running"
    assert status.next_response_due == sp(2026, 3, 9, 13)
    assert status.resolution_due == sp(2026, 3, 10, 16, 30)  # 15.5 h left


def test_unlinked_ticket_has_no_clock_until_linked(team, agent, time_machine):
    time_machine.move_to(sp(2026, 3, 6, 16), tick=False)  # Friday
    email = "alguem@desconhecido.com.br"
    ticket = receive(sender=Sender(address=email, email=email), subject="Pedido", body="Quem sou?")
    assert ticket_sla(ticket).as_api()["state"] == "none"
    time_machine.move_to(sp(2026, 3, 7, 12), tick=False)  # Saturday
    actions.do_link_ticket(ticket, actor=agent, company=team[0])
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.started_at == sp(2026, 3, 7, 12)
    assert sla.first_response_due == sp(2026, 3, 9, 13)
    event = ticket.events.get(kind=EventKind.SLA_STARTED)
    assert event.actor == agent and event.data["first_response_due"] == "2026-03-09T16:00:00+00:00"


def test_due_passed_is_breached_before_its_task_runs(team, time_machine):
    time_machine.move_to(sp(2026, 3, 2, 10), tick=False)
    ticket = open_ticket(team[1])
    time_machine.move_to(sp(2026, 3, 2, 14, 0, 1), tick=False)
    assert ticket_sla(ticket).state == "breached"


def run(result):
    return result.task.func(*result.args, **result.kwargs)


def test_breach_fires_once_at_its_instant_and_tells_the_department(
    team, agent, time_machine, tasks, django_capture_on_commit_callbacks
):
    time_machine.move_to(sp(2026, 3, 2, 10), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(team[1])
    mail.outbox.clear()
    ran = run_alerts(tasks, time_machine, sp(2026, 3, 2, 14))  # the warning, then the breach
    assert [r.task.run_after for r in ran] == [sp(2026, 3, 2, 13, 12), sp(2026, 3, 2, 14)]
    for result in ran:
        run(result)  # a retried or duplicated task fires nothing more
    assert sla_kinds(ticket).count(EventKind.SLA_BREACHED) == 1
    assert sla_kinds(ticket).count(EventKind.SLA_WARNING) == 1
    assert TicketSla.objects.get(ticket=ticket).first_response_breached
    assert SlaAlert.objects.filter(sla__ticket=ticket, stage="breach").count() == 1
    # what is left runs later, as one task: the resolution's warning and breach
    left = alert_tasks(tasks)[-1]
    assert left.task.run_after == sp(2026, 3, 4, 10)
    assert [tuple(a[1:3]) for a in left.args[1]] == [
        ("resolution", "warning"),
        ("resolution", "breach"),
    ]
    assert [m.to for m in mail.outbox] == [[agent.email]]
    assert "SLA violado" in mail.outbox[0].subject and f"#{ticket.number}" in mail.outbox[0].subject


def test_warning_goes_to_the_assignee(
    team, agent, time_machine, tasks, django_capture_on_commit_callbacks
):
    StaffFactory(departments=["suporte"])
    time_machine.move_to(sp(2026, 3, 2, 10), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(team[1])
    actions.do_assign_ticket(ticket, actor=agent, assignee=agent)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_alerts(tasks, time_machine, sp(2026, 3, 2, 13, 12))
    assert sla_kinds(ticket)[-1] == EventKind.SLA_WARNING
    run([r for r in tasks.results if r.task.name == "email_notification_task"][-1])
    assert [m.to for m in mail.outbox] == [[agent.email]]
    assert Notification.objects.filter(recipient=agent, kind=Kind.SLA_WARNING).count() == 1
    assert ticket_sla(ticket).at_risk


def test_no_alert_for_a_ticket_answered_or_closed_meanwhile(
    team, agent, time_machine, tasks, django_capture_on_commit_callbacks
):
    time_machine.move_to(sp(2026, 3, 2, 10), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        answered = open_ticket(team[1])
        closed = open_ticket(team[1])
    actions.do_add_message(answered, actor=agent, body="Resposta.")
    actions.do_close_ticket(closed, actor=agent)
    mail.outbox.clear()
    ran = run_alerts(tasks, time_machine, sp(2026, 3, 10, 10))
    # each ticket's task ran at the first warning's instant and, nothing being pending any
    # more, scheduled nothing after it
    assert sorted(r.args[0] for r in ran) == sorted([answered.pk, closed.pk])
    assert mail.outbox == []
    assert not SlaAlert.objects.exists()
    assert EventKind.SLA_BREACHED not in sla_kinds(answered) + sla_kinds(closed)
    assert sla_status(TicketSla.objects.get(ticket=answered)).state == "paused"
