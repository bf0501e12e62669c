"""Agents told of what needs them: who, by which way, once; from the ticket actions, after
commit. The task is run as the worker would run it."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail

from balcao.accounts.models import Department, User
from balcao.factories import StaffFactory, make_company, open_ticket
from balcao.notifications.actions import (
    do_follow_ticket,
    do_mark_notifications_read,
    do_notify,
    do_set_notification_preferences,
)
from balcao.notifications.actions import (
    tell as tell_again,
)
from balcao.notifications.models import Kind, Notification
from balcao.notifications.selectors import (
    list_notifications,
    notification_text,
    unread_count,
    user_group,
)
from balcao.notifications.tasks import email_notification_task, tell_task
from balcao.tickets import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(profile):
    return make_company("team", name="Mega Store")


@pytest.fixture
def ana(profile):
    return StaffFactory(departments=["suporte"], name="Ana Suporte", email="ana@balcao.localhost")


@pytest.fixture
def bia(profile):
    return StaffFactory(departments=["suporte"], name="Bia Suporte", email="bia@balcao.localhost")


@pytest.fixture
def caio(profile):
    return StaffFactory(departments=["financeiro"], name="Caio Fin", email="caio@balcao.localhost")


def tell(tasks):
    """Run the notification e-mails scheduled so far, as the worker would."""
    for result in [r for r in tasks.results if r.task.name == "email_notification_task"]:
        email_notification_task.call(*result.args)
    tasks.clear()


def told(kind=None):
    rows = Notification.objects.order_by("recipient__email")
    if kind:
        rows = rows.filter(kind=kind)
    return [n.recipient.email for n in rows]


def test_a_new_ticket_tells_the_department_by_console_and_threaded_e_mail(
    team, ana, bia, caio, tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(team[1], subject="Checkout fora do ar")
    mail.outbox.clear()
    tell(tasks)
    assert told(Kind.NEW_TICKET) == [ana.email, bia.email]
    assert sorted(m.to[0] for m in mail.outbox) == [ana.email, bia.email]
    sent = mail.outbox[0]
    assert sent.subject.startswith(f"[#{ticket.number}]")
    assert f"/console/chamados/{ticket.number}/" in sent.body
    assert sent.extra_headers["References"] == f"<ticket-{ticket.number}.team@balcao.localhost>"
    assert unread_count(ana) == 1
    assert "Checkout fora do ar" in notification_text(list_notifications(ana)[0])


def test_nothing_is_told_before_commit(team, ana, tasks):
    open_ticket(team[1])
    assert told() == []
    assert tasks.results == [] or all(
        r.task.name != "email_notification_task" for r in tasks.results
    )


def test_telling_again_tells_nobody_twice(team, ana, tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(team[1])
    tell(tasks)
    mail.outbox.clear()
    tell_again(ticket.events.get(kind="ticket_opened"))
    tell(tasks)
    assert told() == [ana.email]
    assert mail.outbox == []


def test_customer_reply_tells_the_assignee_and_followers_not_the_team_reply(
    team, ana, bia, caio, tasks, django_capture_on_commit_callbacks
):
    ticket = open_ticket(team[1])
    actions.do_assign_ticket(ticket, actor=ana, assignee=ana)
    do_follow_ticket(ticket, actor=bia)
    tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_add_message(ticket, actor=ana, body="Pode testar?")
    tell(tasks)
    assert told() == []
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_add_message(ticket, actor=team[1], body="Ainda fora.")
    tell(tasks)
    assert told(Kind.CUSTOMER_REPLY) == [ana.email, bia.email]


def test_assignment_tells_the_assignee_unless_they_took_it_themselves(
    team, ana, bia, tasks, django_capture_on_commit_callbacks
):
    ticket = open_ticket(team[1])
    tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_assign_ticket(ticket, actor=ana, assignee=ana)
    tell(tasks)
    assert told() == []
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_assign_ticket(ticket, actor=ana, assignee=bia)
    tell(tasks)
    assert told(Kind.ASSIGNED) == [bia.email]


def test_transfer_tells_the_department_it_goes_to(
    team, ana, caio, tasks, django_capture_on_commit_callbacks
):
    ticket = open_ticket(team[1])
    tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_transfer_ticket(
            ticket, actor=ana, department=Department.objects.get(slug="financeiro")
        )
    tell(tasks)
    assert told(Kind.TRANSFERRED) == [caio.email]


def test_the_ombudsman_tells_directors_only(profile, tasks, django_capture_on_commit_callbacks):
    company, primary = make_company("team")
    earlier = open_ticket(primary)
    director = StaffFactory(role=User.Role.DIRECTOR, email="diretora@balcao.localhost")
    StaffFactory(departments=["suporte"])
    tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(primary, department="ouvidoria", reference=earlier.number)
    tell(tasks)
    assert told(Kind.NEW_TICKET) == [director.email]


def test_each_agent_chooses_the_way_per_kind(
    team, ana, bia, tasks, django_capture_on_commit_callbacks
):
    do_set_notification_preferences(ana, {Kind.NEW_TICKET: (False, True)})
    do_set_notification_preferences(bia, {Kind.NEW_TICKET: (True, False)})
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(team[1])
    mail.outbox.clear()
    tell(tasks)
    assert told() == [ana.email]
    assert [m.to for m in mail.outbox] == [[bia.email]]


def test_reading_marks_and_counts(team, ana, tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(team[1])
        open_ticket(team[1], subject="Outro")
    tell(tasks)
    first, second = list_notifications(ana)
    assert unread_count(ana) == 2
    do_mark_notifications_read(ana, [first.pk])
    assert unread_count(ana) == 1
    do_mark_notifications_read(ana)
    assert unread_count(ana) == 0


def test_customers_have_no_preferences_and_follow_nothing(team):
    from balcao.core.errors import ActionRefused

    ticket = open_ticket(team[1])
    with pytest.raises(ActionRefused):
        do_set_notification_preferences(team[1], {Kind.NEW_TICKET: (False, False)})
    with pytest.raises(ActionRefused):
        do_follow_ticket(ticket, actor=team[1])


def test_where_a_worker_reaches_the_open_pages_one_task_tells_them_after_commit(
    team, ana, bia, tasks, settings, django_capture_on_commit_callbacks
):
    """NOTIFY_BY_TASK (the queue and the channel layer on Redis): the request that acted only
    enqueues the task, with its other tasks; the worker writes the rows, pushes them live and
    sends the e-mails; run again, it tells nobody twice."""
    settings.NOTIFY_BY_TASK = True
    layer = get_channel_layer()
    listening = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(ana.pk), listening)
    open_ticket(team[1])  # not committed (the test's transaction): nothing scheduled
    assert [r for r in tasks.results if r.task.name == "tell_task"] == []
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(team[1], subject="Checkout fora do ar")
    opened = ticket.events.get(kind="ticket_opened")
    telling = [r for r in tasks.results if r.task.name == "tell_task"]
    assert [r.args for r in telling] == [[opened.pk]]
    assert told() == [] and mail.outbox == []
    tasks.clear()

    tell_task.call(*telling[0].args)
    assert told(Kind.NEW_TICKET) == [ana.email, bia.email]
    pushed = async_to_sync(layer.receive)(listening)
    assert pushed["type"] == "notification.new"
    assert "Checkout fora do ar" in str(pushed["item"])
    mail.outbox.clear()
    tell(tasks)
    assert sorted(m.to[0] for m in mail.outbox) == [ana.email, bia.email]

    tell_task.call(*telling[0].args)
    tell(tasks)
    assert told() == [ana.email, bia.email]
    assert len(mail.outbox) == 2


def test_who_is_told_is_one_statement_built_once_per_shape(
    team, ana, bia, caio, tasks, django_assert_num_queries, built_sql
):
    """Issue 17: building and compiling it cost more than running it, once per e-mail."""
    first, second = open_ticket(team[1]), open_ticket(team[1], department="financeiro")
    do_follow_ticket(first, actor=bia)
    built_sql.clear()  # what opening and following built
    opened = [ticket.events.get(kind="ticket_opened") for ticket in (first, second)]
    with django_assert_num_queries(2):  # who, then their rows
        assert do_notify(opened[0])[0] == Kind.NEW_TICKET
    with django_assert_num_queries(2):
        do_notify(opened[1])
    assert told(Kind.NEW_TICKET) == [ana.email, bia.email, caio.email]
    assert do_notify(opened[1])[1:] == ([], [])  # told already: nobody twice
    assert len(built_sql) == 1
    reply = actions.do_add_message(first, actor=team[1], body="Ainda fora.")
    assert reply.direction == "in"
    built_sql.clear()  # what the reply built (its clock's read)
    do_notify(first.events.get(kind="message_added"))
    assert told(Kind.CUSTOMER_REPLY) == [bia.email]  # a follower, no assignee
    assert len(built_sql) == 1  # another shape: a kind told to the followers
