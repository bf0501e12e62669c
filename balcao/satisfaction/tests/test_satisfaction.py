"""Como foi o atendimento?: asked by signed links when a ticket closes, recorded only when the
customer confirms (a GET records nothing), one answer per ticket, changeable for 7 days; a
low score tells the department's directors."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from balcao.accounts.models import User
from balcao.core.errors import ActionRefused
from balcao.events.models import EventKind
from balcao.factories import PASSWORD, StaffFactory, make_company, open_ticket
from balcao.notifications.models import Kind, Notification
from balcao.satisfaction.actions import do_rate_ticket
from balcao.satisfaction.models import Rating
from balcao.satisfaction.selectors import SALT, survey_url
from balcao.tickets.actions import do_assign_ticket, do_close_ticket
from balcao.tickets.history import visible_events
from balcao.tickets.tasks import ask_satisfaction_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(profile, django_capture_on_commit_callbacks):
    _company, primary = make_company()
    agent = StaffFactory(departments=["suporte"])
    ticket = open_ticket(primary)
    do_assign_ticket(ticket, actor=agent, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        do_close_ticket(ticket, actor=agent)
    ticket.refresh_from_db()
    return ticket, primary, agent


def api_client(user) -> Client:
    response = Client().post(
        "/api/v1/auth/token",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    return Client(headers={"Authorization": f"Bearer {response.json()['token']}"})


def _confirm(client, url, score, comment=""):
    return client.post(url.split("?")[0], {"score": score, "comment": comment})


def test_closing_emails_the_question_with_one_signed_link_per_score(closed, tasks, mailoutbox):
    ticket, primary, _agent = closed
    assert ("ask_satisfaction_task", [ticket.pk]) in [(r.task.name, r.args) for r in tasks.results]
    ask_satisfaction_task.call(ticket.pk)
    [mail] = mailoutbox
    assert mail.to == [primary.email] and f"#{ticket.number}" in mail.subject
    assert "Como foi o atendimento?" in mail.body
    links = re.findall(r"http://\S+/cliente/avaliacao/\S+\?nota=(\d)", mail.body)
    assert links == ["1", "2", "3", "4", "5"]


def test_a_get_of_the_link_records_nothing_and_preselects_the_score(closed, client):
    ticket, _primary, _agent = closed
    response = client.get(survey_url(ticket, 4))
    assert response.status_code == 200
    assert re.search(r'value="4"[^>]*checked|checked[^>]*value="4"', response.content.decode())
    assert not Rating.objects.exists()
    assert not ticket.events.filter(kind=EventKind.SATISFACTION_RATED).exists()


def test_confirming_records_the_answer_without_login_for_that_ticket_only(closed, client):
    ticket, _primary, agent = closed
    url = survey_url(ticket, 5)
    response = _confirm(client, url, 5, "Resolveram rápido.")
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.ticket, rating.score, rating.comment) == (ticket, 5, "Resolveram rápido.")
    assert (rating.department, rating.agent, rating.answered_by) == (ticket.department, agent, None)
    seen = [e.text for e in visible_events(agent, ticket) if e.event is not None]
    assert "O cliente avaliou o atendimento com 5 de 5. Comentário: “Resolveram rápido.”" in seen


def test_tampered_expired_or_foreign_links_are_refused(closed, client, time_machine):
    ticket, _primary, _agent = closed
    token = reverse("portal:satisfaction", args=["x"]).rstrip("x/")
    url = survey_url(ticket)
    tampered = url.replace(":", ";", 1) if ":" in url else url[:-3] + "AA/"
    assert client.get(tampered).status_code == 404
    forged = signing.dumps(ticket.pk, salt="another purpose")
    assert _confirm(client, f"{token}{forged}/", 5).status_code == 404
    other = signing.dumps(ticket.pk + 1000, salt=SALT)
    assert _confirm(client, f"{token}{other}/", 5).status_code == 404
    time_machine.move_to(ticket.closed_at + timedelta(days=31))
    response = _confirm(client, url, 5)
    assert response.status_code == 404 and "expirou" in response.content.decode()
    assert not Rating.objects.exists()


def test_one_answer_changeable_for_seven_days_then_read_only(closed, client, time_machine):
    ticket, _primary, _agent = closed
    url = survey_url(ticket)
    time_machine.move_to(ticket.closed_at + timedelta(hours=1), tick=False)
    _confirm(client, url, 3)
    time_machine.move_to(ticket.closed_at + timedelta(days=6), tick=False)
    assert _confirm(client, url, 4, "Melhorou").status_code == 302
    rating = Rating.objects.get()
    assert (rating.score, rating.comment) == (4, "Melhorou") and rating.changed_at is not None
    changed = ticket.events.filter(kind=EventKind.SATISFACTION_RATED).last()
    assert (changed.data["previous"], changed.data["score"]) == (3, 4)
    time_machine.move_to(ticket.closed_at + timedelta(days=7, hours=2), tick=False)
    response = _confirm(client, url, 1)
    assert response.status_code == 400
    assert Rating.objects.get().score == 4 and Rating.objects.count() == 1
    page = client.get(url).content.decode()
    assert "Você deu nota 4 de 5." in page and '<form method="post" novalidate id' not in page


def test_an_open_ticket_cannot_be_rated_and_staff_never_rate(closed):
    ticket, primary, agent = closed
    with pytest.raises(ActionRefused):
        do_rate_ticket(ticket, actor=agent, score=5)
    ticket2 = open_ticket(primary)
    with pytest.raises(ActionRefused):
        do_rate_ticket(ticket2, actor=primary, score=5)
    with pytest.raises(ActionRefused):
        do_rate_ticket(ticket, actor=primary, score=6)
    assert not Rating.objects.exists()


def test_a_low_score_alerts_the_departments_directors(
    closed, client, django_capture_on_commit_callbacks, mailoutbox
):
    ticket, _primary, agent = closed
    director = StaffFactory(role=User.Role.DIRECTOR, departments=["suporte"])
    StaffFactory(role=User.Role.DIRECTOR, departments=["financeiro"])
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(client, survey_url(ticket), 2, "Demorou demais.")
    [note] = Notification.objects.all()
    assert (note.recipient, note.kind, note.ticket) == (director, Kind.LOW_SATISFACTION, ticket)
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(client, survey_url(ticket), 1, "Demorou demais.")  # still low: told once
    assert Notification.objects.count() == 1


def test_a_good_score_alerts_nobody(closed, client, django_capture_on_commit_callbacks):
    ticket, _primary, _agent = closed
    StaffFactory(role=User.Role.DIRECTOR, departments=["suporte"])
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(client, survey_url(ticket), 4)
    assert not Notification.objects.exists()


def test_the_client_area_ticket_page_asks_and_the_customer_never_sees_the_event(closed, client):
    ticket, primary, _agent = closed
    client.login(email=primary.email, password=PASSWORD)
    page = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert "Como foi o atendimento?" in page and "?nota=5" in page
    _confirm(client, survey_url(ticket), 5, "Ótimo")
    assert Rating.objects.get().answered_by == primary
    page = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert "Você deu nota 5 de 5." in page and "Ótimo" not in page


def test_staff_read_the_score_in_the_api_and_customers_do_not(closed):
    ticket, primary, agent = closed
    do_rate_ticket(ticket, actor=primary, score=2, comment="Lento")
    body = api_client(agent).get(f"/api/v1/tickets/{ticket.number}").json()
    assert body["satisfaction"]["score"] == 2 and body["satisfaction"]["comment"] == "Lento"
    body = api_client(primary).get(f"/api/v1/tickets/{ticket.number}").json()
    assert body["satisfaction"] is None


def test_a_reopened_ticket_is_not_asked_by_the_task(closed, mailoutbox):
    ticket, primary, _agent = closed
    from balcao.tickets.actions import do_add_message

    do_add_message(ticket, actor=primary, body="Voltou a falhar.")
    ask_satisfaction_task.call(ticket.pk)
    assert mailoutbox == []


def test_without_a_director_in_the_department_every_director_and_administrator_is_told(
    closed, client, django_capture_on_commit_callbacks
):
    ticket, _primary, _agent = closed
    elsewhere = StaffFactory(role=User.Role.DIRECTOR, departments=["financeiro"])
    administrator = StaffFactory(role=User.Role.ADMINISTRATOR)
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(client, survey_url(ticket), 1)
    told = set(Notification.objects.values_list("recipient", flat=True))
    assert told == {elsewhere.pk, administrator.pk}
