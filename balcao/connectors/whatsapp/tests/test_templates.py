"""Writing to a customer outside WhatsApp's 24-hour window: approved templates configured in
the settings (checked on save), chosen by the agent in the console or the API, sent as Meta
documents them and recorded in the history; a free-form reply then is refused plainly."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from balcao.accounts.actions import do_issue_api_token
from balcao.connectors.whatsapp.models import MessageTemplate, TemplateReply
from balcao.connectors.whatsapp.tests.conftest import SUPPORT_ID, notification, post, text_message
from balcao.events.models import EventKind
from balcao.factories import PASSWORD, StaffFactory
from balcao.tickets.history import visible_events
from balcao.tickets.models import Message, Ticket
from balcao.tickets.tasks import deliver_reply_task

pytestmark = pytest.mark.django_db

WEDNESDAY_NOON = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
MEGA = "5511987654321"
FOLLOW_UP = (
    "Olá {{1}}, temos novidades sobre o chamado #{{2}}. Responda esta mensagem para continuar."
)


@pytest.fixture
def template(profile):
    return MessageTemplate.objects.create(
        name="retomar_atendimento",
        language="pt_BR",
        body=FOLLOW_UP,
        parameters=["customer_name", "ticket_number"],
    )


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"], name="Ana Souza")


@pytest.fixture
def closed_window(client, mega, agent):
    """A WhatsApp ticket whose customer wrote 25 hours ago."""
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        response = post(client, notification(messages=[text_message(MEGA, "O checkout caiu")]))
    ticket = Ticket.objects.get(number=response.json()["created"][0])
    with time_machine.travel(WEDNESDAY_NOON + timedelta(hours=25), tick=False) as traveller:
        client.force_login(agent)
        yield ticket, traveller


def test_admin_checks_a_template_on_save(client, admin_user, profile):
    client.force_login(admin_user)
    url = reverse("admin:whatsapp_messagetemplate_add")
    form = {
        "name": "Retomar Atendimento",
        "language": "portuguese",
        "body": "Olá {{1}}, chamado #{{3}}.",
        "parameters": "customer_name, saldo",
        "is_active": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and not MessageTemplate.objects.exists()
    errors = response.context["adminform"].form.errors
    assert "letras minúsculas" in str(errors["name"])
    assert "pt_BR" in str(errors["language"])
    assert "{{1}}, {{2}}… sem lacunas" in str(errors["body"])
    assert "customer_name, ticket_number, agent_name, company" in str(errors["parameters"])
    form.update(name="retomar_atendimento", language="pt_BR", body=FOLLOW_UP)
    response = client.post(url, {**form, "parameters": "customer_name"})
    assert "2 variáveis e foram dados 1" in str(response.context["adminform"].form.errors)
    response = client.post(url, {**form, "parameters": "customer_name, ticket_number"})
    assert response.status_code == 302
    saved = MessageTemplate.objects.get()
    assert saved.parameters == ["customer_name", "ticket_number"] and saved.is_active


def test_a_free_form_reply_outside_the_window_is_refused_plainly(client, closed_window, graph):
    ticket, _traveller = closed_window
    page = client.get(reverse("console:ticket", args=[ticket.number])).content.decode()
    assert 'id="whatsapp-window"' in page
    assert "Nenhum modelo aprovado está configurado" in page
    response = client.post(
        reverse("console:message", args=[ticket.number]), {"kind": "reply", "body": "Oi?"}
    )
    assert response.status_code == 200
    assert "não é possível enviar uma resposta livre" in response.content.decode()
    assert not ticket.messages.filter(direction=Message.Direction.OUTBOUND).exists()
    # An internal note is always possible.
    response = client.post(
        reverse("console:message", args=[ticket.number]), {"kind": "note", "body": "Ligar amanhã"}
    )
    assert response.status_code == 302 and graph.requests == []


def test_the_agent_sends_an_approved_template_recorded_in_the_history(
    client, closed_window, template, graph, agent, django_capture_on_commit_callbacks
):
    ticket, _traveller = closed_window
    MessageTemplate.objects.create(  # a hand edit the admin's form would refuse
        name="quebrado", language="pt_BR", body="Olá {{1}} e {{2}}", parameters=["saldo"]
    )
    page = client.get(reverse("console:ticket", args=[ticket.number])).content.decode()
    assert "retomar_atendimento" in page and f'value="{template.pk}"' in page
    assert f"temos novidades sobre o chamado #{ticket.number}" in page  # the agent's preview
    assert "quebrado" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("console:message", args=[ticket.number]),
            {"kind": "reply", "whatsapp_template": template.pk},
        )
    assert response.status_code == 302
    reply = ticket.messages.get(direction=Message.Direction.OUTBOUND)
    customer = ticket.requester.name
    assert reply.body_text == (
        f"Olá {customer}, temos novidades sobre o chamado #{ticket.number}."
        " Responda esta mensagem para continuar."
    )
    assert TemplateReply.objects.get(message=reply).values == [customer, str(ticket.number)]
    deliver_reply_task.call(reply.pk, 1)
    [sent] = graph.sends()
    assert sent["path"] == f"/{SUPPORT_ID}/messages"
    assert sent["json"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": MEGA,
        "type": "template",
        "template": {
            "name": "retomar_atendimento",
            "language": {"code": "pt_BR"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": customer},
                        {"type": "text", "text": str(ticket.number)},
                    ],
                }
            ],
        },
    }
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.SENT
    history = visible_events(agent, ticket)
    [event] = [h for h in history if h.event and h.event.kind == EventKind.TEMPLATE_SENT]
    assert "modelo aprovado “retomar_atendimento” (pt_BR)" in event.text
    customer_view = visible_events(ticket.requester, ticket)
    assert reply in [h.message for h in customer_view]
    assert not any(h.event and h.event.kind == EventKind.TEMPLATE_SENT for h in customer_view)


def test_inside_the_window_the_reply_is_free_and_no_template_is_offered(
    client, mega, agent, template
):
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        response = post(client, notification(messages=[text_message(MEGA, "Oi")]))
        ticket = Ticket.objects.get(number=response.json()["created"][0])
        client.force_login(agent)
        page = client.get(reverse("console:ticket", args=[ticket.number])).content.decode()
        assert 'id="whatsapp-window"' not in page
        response = client.post(
            reverse("console:message", args=[ticket.number]), {"kind": "reply", "body": "Olá!"}
        )
    assert response.status_code == 302
    assert ticket.messages.filter(direction=Message.Direction.OUTBOUND).count() == 1


def test_the_api_refuses_free_form_and_sends_the_template(client, closed_window, template, agent):
    ticket, _traveller = closed_window
    token = do_issue_api_token(email=agent.email, password=PASSWORD)
    headers = {"authorization": f"Bearer {token}"}
    url = f"/api/v1/tickets/{ticket.number}/messages"
    response = client.post(url, {"body": "Oi?"}, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert "janela de 24 horas" in response.json()["detail"]
    response = client.post(
        url, {"whatsapp_template": template.pk}, content_type="application/json", headers=headers
    )
    assert response.status_code == 201
    assert TemplateReply.objects.get().template == template
    note = client.post(
        url,
        {"body": "Só a equipe", "internal": True},
        content_type="application/json",
        headers=headers,
    )
    assert note.status_code == 201
