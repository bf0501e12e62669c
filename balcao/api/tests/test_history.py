"""A ticket's history through the API, for a customer and for staff: the same reader as the
client area (``visible_events``), so a contact sees exactly the same entries, order and words."""

import json
from html import unescape
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balcao.accounts.selectors import get_department
from balcao.api.tests.test_api import api_client
from balcao.customers.models import AddOn
from balcao.events.models import EventKind
from balcao.factories import PASSWORD, StaffFactory, make_company, open_ticket
from balcao.sla.actions import do_fire_alert
from balcao.sla.models import SlaAlert, Target
from balcao.tickets import actions
from balcao.tickets.models import Attachment

pytestmark = pytest.mark.django_db


@pytest.fixture
def mega(profile):
    return make_company("team", addons=AddOn.objects.all(), name="Mega Store")


@pytest.fixture
def agent(profile):
    return StaffFactory(
        departments=["suporte", "atendimento"], name="Ana Suporte", email="ana@balcao.localhost"
    )


@pytest.fixture
def busy_ticket(mega, agent):
    """Notes, an assignment, a transfer, status changes, an SLA clock with its warning, a reply
    whose e-mail bounced, and the customer's answer."""
    customer = mega[1]
    ticket = open_ticket(customer, "suporte", subject="Checkout fora do ar")
    actions.do_add_message(ticket, actor=agent, body="Nota: cliente difícil", internal=True)
    actions.do_assign_ticket(ticket, actor=agent, assignee=agent)
    actions.do_transfer_ticket(ticket, actor=agent, department=get_department("atendimento"))
    sla = ticket.sla
    assert do_fire_alert(ticket.pk, Target.FIRST_RESPONSE, SlaAlert.Stage.WARNING, sla.next_due)
    reply = actions.do_add_message(ticket, actor=agent, body="Corrigimos o gateway.")
    actions.do_record_delivery(
        reply, message_id="<x@y>", error="550 5.2.2 <ana@balcao.localhost>: mailbox full"
    )
    actions.do_add_message(ticket, actor=customer, body="Funcionou, obrigado!")
    actions.do_close_ticket(ticket, actor=customer)
    actions.do_add_message(ticket, actor=customer, body="Voltou a falhar.")
    return ticket


class Thread(HTMLParser):
    """The client area's conversation as (kind, message id or sentence), in page order."""

    def __init__(self):
        super().__init__()
        self.entries, self._event, self._depth = [], None, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and "msg" in (attrs.get("class") or "").split():
            self.entries.append(("message", int(attrs["id"].removeprefix("message-"))))
        elif tag == "li" and attrs.get("class") == "event":
            self._event = [attrs["data-kind"], ""]

    def handle_data(self, data):
        if self._event is not None:
            self._event[1] += data

    def handle_endtag(self, tag):
        if tag == "li" and self._event is not None:
            kind, text = self._event
            self.entries.append((kind, unescape(text.split(" · ", 1)[1]).strip()))
            self._event = None


def test_contact_sees_the_same_history_in_the_client_area_and_the_api(
    client, mega, agent, busy_ticket, media
):
    customer = mega[1]
    assert client.login(username=customer.email, password=PASSWORD)
    page = client.get(f"/cliente/chamados/{busy_ticket.number}/").content.decode()
    thread = Thread()
    thread.feed(page)
    data = api_client(customer).get(f"/api/v1/tickets/{busy_ticket.number}").json()
    api = [
        (h["kind"], h["message"] if h["kind"] == "message" else h["text"]) for h in data["history"]
    ]
    assert thread.entries == api
    messages = list(busy_ticket.messages.filter(internal=False).values_list("pk", flat=True))
    assert api == [
        ("message", messages[0]),
        (EventKind.TICKET_OPENED, "Aberto em Suporte via Área do Cliente."),
        (EventKind.STATUS_CHANGED, "Status alterado para “Atribuído”."),
        (EventKind.TRANSFERRED, "Transferido para o departamento Atendimento."),
        ("message", messages[1]),
        (EventKind.STATUS_CHANGED, "Status alterado para “Respondido”."),
        (
            EventKind.DELIVERY_FAILED,
            "A resposta da equipe não pôde ser entregue a você; ela está aqui na íntegra.",
        ),
        ("message", messages[2]),
        (EventKind.STATUS_CHANGED, "Status alterado para “Resposta do cliente”."),
        (EventKind.STATUS_CHANGED, "Status alterado para “Fechado”."),
        ("message", messages[3]),
        (EventKind.STATUS_CHANGED, "Reaberto: o status agora é “Resposta do cliente”."),
    ]  # no note, assignment, SLA clock or warning, nor the bounce's technical text
    for shown in (page, json.dumps(data, ensure_ascii=False)):
        assert "cliente difícil" not in shown and "mailbox full" not in shown
        assert agent.email not in shown  # no staff address, anywhere
    assert "Ana Suporte (equipe de suporte)" in page
    assert [m["author_name"] for m in data["messages"] if m["direction"] == "out"] == [
        "Ana Suporte"
    ]
    assert all(e["data"] is None and e["actor"] is None for e in data["events"])
    assert data["assignee"] is None and data["assignee_name"] == "Ana Suporte"


def test_staff_see_every_event_with_its_data_and_people_by_name(agent, busy_ticket):
    data = api_client(agent).get(f"/api/v1/tickets/{busy_ticket.number}").json()
    kinds = {e["kind"] for e in data["events"]}
    assert {
        EventKind.ASSIGNED,
        EventKind.SLA_STARTED,
        EventKind.SLA_WARNING,
        EventKind.DELIVERY_FAILED,
        EventKind.REOPENED,
    } <= kinds
    failed = next(e for e in data["events"] if e["kind"] == EventKind.DELIVERY_FAILED)
    assert "mailbox full" in failed["text"] and "mailbox full" in failed["data"]["error"]
    moved = next(e for e in data["events"] if e["kind"] == EventKind.TRANSFERRED)
    assert moved["text"] == "Transferido: Suporte → Atendimento."
    assert moved["actor"] == agent.email and moved["actor_name"] == "Ana Suporte"
    assert data["assignee"] == agent.email and data["assignee_name"] == "Ana Suporte"
    assert [h["kind"] for h in data["history"]].count("message") == 5  # the note included


@pytest.mark.parametrize("replies", [2, 20])
def test_ticket_detail_takes_a_constant_number_of_queries(mega, agent, replies, media):
    customer = mega[1]
    ticket = open_ticket(customer, "suporte")
    for i in range(replies):
        actions.do_add_message(
            ticket,
            actor=agent if i % 2 else customer,
            body=f"Mensagem {i}",
            attachments=[actions.NewAttachment(f"f{i}.txt", "text/plain", b"x")],
        )
    actions.do_transfer_ticket(ticket, actor=agent, department=get_department("atendimento"))
    for viewer in (customer, agent):
        client = api_client(viewer)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/tickets/{ticket.number}")
        assert response.status_code == 200
        # token with its user, the ticket (with department, company and plan, assignee,
        # earlier ticket and the one it was merged into), its SLA clock, messages (with
        # authors), attachments, events (with actors), departments (to name transfers), the
        # copied contacts, tags
        assert len(queries) == 9, [q["sql"] for q in queries]


def test_files_purged_by_the_retention_policy_are_marked_purged(mega, agent, media):
    customer = mega[1]
    ticket = open_ticket(
        customer,
        "suporte",
        attachments=[
            actions.NewAttachment("velho.txt", "text/plain", b"velho"),
            actions.NewAttachment("novo.txt", "text/plain", b"novo"),
        ],
    )
    Attachment.objects.filter(name="velho.txt").update(purged_at=timezone.now())
    for viewer in (customer, agent):
        data = api_client(viewer).get(f"/api/v1/tickets/{ticket.number}").json()
        [message] = data["messages"]
        assert {a["name"]: a["purged"] for a in message["attachments"]} == {
            "velho.txt": True,
            "novo.txt": False,
        }
