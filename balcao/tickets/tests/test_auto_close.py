"""After the answer: a ticket Answered with no reply from the customer gets a reminder, then
closes after its department's business days (holidays skipped), recorded with the reason; a
reply before then keeps it open."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from balcao.accounts.models import Department
from balcao.events.models import EventKind
from balcao.factories import StaffFactory, make_company, open_ticket
from balcao.sla.calendar import add_business_days
from balcao.sla.profile import default_calendar
from balcao.tickets.actions import do_add_message
from balcao.tickets.history import visible_events
from balcao.tickets.models import Status
from balcao.tickets.tasks import auto_close_task, follow_up_answer_task, remind_customer_task

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")


def sp(*args) -> datetime:
    return datetime(*args, tzinfo=SP)


def test_business_days_skip_weekends_and_holidays():
    friday = sp(2026, 4, 17, 10, 0)  # Tiradentes is Tuesday the 21st
    cal = default_calendar()
    assert add_business_days(cal, friday, 1) == sp(2026, 4, 20, 10, 0)
    assert add_business_days(cal, friday, 2) == sp(2026, 4, 22, 10, 0)
    assert add_business_days(cal, friday, 5) == sp(2026, 4, 27, 10, 0)


@pytest.fixture
def answered(profile, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(sp(2026, 4, 17, 10, 0), tick=False)
    _company, primary = make_company()
    ticket = open_ticket(primary)
    with django_capture_on_commit_callbacks(execute=True):
        answer = do_add_message(ticket, actor=StaffFactory(departments=["suporte"]), body="Feito.")
    return ticket, answer, primary


def test_the_answer_schedules_a_reminder_then_the_close_in_business_days(answered, tasks):
    _ticket, answer, _primary = answered
    assert ("follow_up_answer_task", [answer.pk]) in [(r.task.name, r.args) for r in tasks.results]
    tasks.clear()
    follow_up_answer_task.call(answer.pk)
    when = {r.task.name: r.task.run_after for r in tasks.results}
    assert when == {
        "remind_customer_task": sp(2026, 4, 24, 10, 0),
        "auto_close_task": sp(2026, 4, 27, 10, 0),
    }


def test_without_a_reply_the_customer_is_reminded_then_the_ticket_closes(answered, mailoutbox):
    ticket, answer, primary = answered
    remind_customer_task.call(answer.pk)
    [reminder] = mailoutbox
    assert reminder.to == [primary.email] and f"#{ticket.number}" in reminder.body
    assert "próximo dia útil" in reminder.body
    auto_close_task.call(answer.pk)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.events.get(kind=EventKind.AUTO_CLOSED).data == {"days": 5}
    seen = [e.text for e in visible_events(primary, ticket) if e.event is not None]
    assert "Fechado automaticamente: sem resposta por 5 dias úteis." in seen


def test_a_reply_before_then_keeps_it_open_and_nothing_is_sent(answered, mailoutbox):
    ticket, answer, primary = answered
    do_add_message(ticket, actor=primary, body="Ainda não funcionou.")
    remind_customer_task.call(answer.pk)
    auto_close_task.call(answer.pk)
    ticket.refresh_from_db()
    assert ticket.status == Status.CUSTOMER_REPLY and mailoutbox == []
    assert not ticket.events.filter(kind=EventKind.AUTO_CLOSED).exists()


def test_a_department_may_never_close_by_itself(profile, tasks, django_capture_on_commit_callbacks):
    Department.objects.filter(slug="suporte").update(auto_close_days=0)
    _company, primary = make_company()
    ticket = open_ticket(primary)
    with django_capture_on_commit_callbacks(execute=True):
        do_add_message(ticket, actor=StaffFactory(departments=["suporte"]), body="Feito.")
    assert "follow_up_answer_task" not in [r.task.name for r in tasks.results]
