"""The chat pages: the client area's start and room, the console's queue; others' chats 404."""

import pytest
import time_machine
from django.urls import reverse

from balcao.accounts.models import Department
from balcao.connectors.webchat.actions import do_start_chat
from balcao.connectors.webchat.tests.conftest import SATURDAY
from balcao.factories import SESSION, make_company
from balcao.tickets.models import Origin, Status, Ticket

pytestmark = pytest.mark.django_db


def start_chat(user, body="Preciso de ajuda com o checkout."):
    return do_start_chat(actor=user, department=Department.objects.get(slug="suporte"), body=body)


def test_a_contact_starts_a_chat_that_is_a_ticket(client, at_work, team):
    _company, contact = team
    client.force_login(contact)
    page = client.get(reverse("webchat:start"))
    assert page.status_code == 200 and "Iniciar chat" in page.text
    done = client.post(reverse("webchat:start"), {"department": "suporte", "body": "Oi, ajuda?"})
    ticket = Ticket.objects.get()
    assert done.url == reverse("webchat:room", args=[ticket.number])
    assert ticket.origin == Origin.CHAT and ticket.subject == "Chat: Oi, ajuda?"
    room = client.get(done.url)
    assert "Oi, ajuda?" in room.text and "data-chat-socket" in room.text
    client.post(reverse("webchat:send", args=[ticket.number]), {"body": "Sem socket."})
    ticket.refresh_from_db()
    assert ticket.status == Status.CUSTOMER_REPLY
    assert ticket.messages.last().channel == Origin.CHAT


def test_the_chat_offers_only_the_departments_the_contact_can_open_there(client, at_work, team):
    """The plan's departments, without the Ouvidoria: a chat has no field for the earlier
    ticket's number it needs (R4)."""
    client.force_login(team[1])
    page = client.get(reverse("webchat:start"))
    offered = set(page.context["form"].fields["department"].choices)
    assert ("suporte", "Suporte") in offered
    assert not {slug for slug, _name in offered} & {"ouvidoria", "qualidade"}
    refused = client.post(reverse("webchat:start"), {"department": "ouvidoria", "body": "Oi"})
    assert refused.status_code == 400 and not Ticket.objects.exists()


def test_outside_hours_the_page_says_when_it_opens_and_offers_a_ticket(client, profile):
    _company, contact = make_company("team")
    client.force_login(contact)
    with time_machine.travel(SATURDAY):
        page = client.get(reverse("webchat:start"))
        refused = client.post(reverse("webchat:start"), {"department": "suporte", "body": "Oi"})
    assert "O chat está fechado agora e abre segunda-feira às 9:00." in page.text
    assert reverse("portal:open_ticket") in page.text and "Iniciar chat" not in page.text
    assert refused.status_code == 400 and not Ticket.objects.exists()


def test_a_plan_without_chat_says_so(client, at_work):
    _company, contact = make_company("essencial")
    client.force_login(contact)
    assert "Seu plano não inclui chat." in client.get(reverse("webchat:start")).text


def test_another_company_s_chat_is_404(client, at_work, team, agent):
    ticket = start_chat(team[1])
    client.force_login(make_company("team")[1])
    assert client.get(reverse("webchat:room", args=[ticket.number])).status_code == 404
    assert client.post(reverse("webchat:end", args=[ticket.number])).status_code == 404
    assert client.get(reverse("webchat:queue")).status_code == 404


def test_the_queue_lists_chats_in_constant_queries(
    client, at_work, team, agent, django_assert_num_queries
):
    client.force_login(agent)
    start_chat(team[1])
    with django_assert_num_queries(SESSION + 2):  # user, chats
        first = client.get(reverse("webchat:queue"))
    for _ in range(3):
        start_chat(make_company("team")[1])
    with django_assert_num_queries(SESSION + 2):
        page = client.get(reverse("webchat:queue"))
    assert first.text.count("Chat: Preciso") == 1 and page.text.count("Chat: Preciso") == 4


def test_an_agent_takes_the_chat_and_answers(client, at_work, team, agent):
    ticket = start_chat(team[1])
    client.force_login(agent)
    client.post(reverse("webchat:join", args=[ticket.number]))
    client.post(reverse("webchat:send", args=[ticket.number]), {"body": "Olá!"})
    ticket.refresh_from_db()
    assert ticket.assignee == agent and ticket.status == Status.ANSWERED
    page = client.get(reverse("webchat:console_room", args=[ticket.number]))
    assert "Olá!" in page.text and "Assumir este chat" not in page.text
