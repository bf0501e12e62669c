"""Issue 11 in the console: open a ticket for a customer, priority and tags, canned replies,
merge — through Django's test client."""

import pytest
from django.urls import reverse

from balcao.console.tests.conftest import url
from balcao.events.models import EventKind
from balcao.factories import StaffFactory, make_company, open_ticket
from balcao.tickets import actions
from balcao.tickets.models import CannedResponse, Origin, Priority, Status, Ticket

pytestmark = pytest.mark.django_db


def test_open_a_ticket_for_a_customer_from_a_phone_call(
    as_agent, mega, customer, tasks, django_capture_on_commit_callbacks
):
    company, _ = mega
    found = as_agent.get(url("new_ticket"), {"company_q": "mega"})
    assert company in found.context["companies"]
    form = as_agent.get(url("new_ticket"), {"company": company.pk})
    assert customer.email in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_agent.post(
            url("new_ticket") + f"?company={company.pk}",
            {
                "company": company.pk,
                "requester": customer.email,
                "channel": "phone",
                "department": "suporte",
                "priority": "high",
                "subject": "Ligou: frete errado",
                "body": "O frete está dobrado no checkout.",
                "notify_customer": "on",
            },
            follow=True,
        )
    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == url("ticket", ticket.number)
    assert ticket.origin == Origin.PHONE and ticket.priority == Priority.HIGH
    assert ticket.requester == customer
    assert "acknowledge_ticket_task" in [r.task.name for r in tasks.results]


def test_a_department_outside_the_plan_needs_a_reason(as_agent, loja_company):
    company, contact = loja_company
    data = {
        "company": company.pk,
        "requester": contact.email,
        "channel": "meeting",
        "department": "sucesso",
        "priority": "normal",
        "subject": "Estratégia",
        "body": "Conversamos sobre campanhas.",
    }
    refused = as_agent.post(url("new_ticket") + f"?company={company.pk}", data)
    assert refused.status_code == 200 and not Ticket.objects.exists()
    assert "TEAM" in refused.content.decode()
    as_agent.post(
        url("new_ticket") + f"?company={company.pk}", {**data, "override_reason": "Cortesia"}
    )
    ticket = Ticket.objects.get()
    assert ticket.events.filter(kind=EventKind.DEPARTMENT_OVERRIDDEN).exists()


@pytest.fixture
def loja_company(profile):
    return make_company("essencial", name="Loja")


def test_priority_tags_and_their_autocomplete(as_agent, ticket, suporte_agent):
    as_agent.post(url("priority", ticket.number), {"priority": "urgent"})
    as_agent.post(url("tags", ticket.number), {"tags": "Boleto, nota fiscal"})
    ticket.refresh_from_db()
    assert ticket.priority == Priority.URGENT
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["boleto", "nota fiscal"]
    options = as_agent.get(url("tag_options"), {"tag": "bo"}).content.decode()
    assert 'value="boleto"' in options and "nota fiscal" not in options
    page = as_agent.get(url("tickets"), {"tag": "boleto", "priority": "urgent"})
    assert [t.number for t in page.context["page"].object_list] == [ticket.number]


def test_bulk_priority_and_tag(as_agent, customer):
    a, b = open_ticket(customer), open_ticket(customer)
    numbers = [a.number, b.number]
    as_agent.post(url("bulk"), {"tickets": numbers, "operation": "priority", "priority": "high"})
    as_agent.post(url("bulk"), {"tickets": numbers, "operation": "tag", "tag": "Lote"})
    for ticket in (a, b):
        ticket.refresh_from_db()
        assert ticket.priority == Priority.HIGH
        assert list(ticket.tags.values_list("name", flat=True)) == ["lote"]


def test_canned_reply_picked_filled_and_sent_with_its_actions(
    as_agent, ticket, customer, suporte_agent
):
    canned = CannedResponse.objects.create(
        title="Resolvido", body="Olá {customer_name}, resolvido. {agent_name}", set_status="closed"
    )
    options = as_agent.get(url("canned_picker", ticket.number), {"q": "resol"}).content.decode()
    filled = f"Olá {customer.name}, resolvido. {suporte_agent.name}"
    assert filled in options
    as_agent.post(
        url("message", ticket.number),
        {"kind": "reply", "body": filled + " Qualquer coisa, chame.", "canned_response": canned.pk},
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.messages.last().body_text == filled + " Qualquer coisa, chame."


def test_an_agent_keeps_canned_replies_of_their_own(client, suporte_agent, profile):
    client.force_login(suporte_agent)
    client.post(url("canned"), {"title": "Prazo", "body": "Até {sla_due}.", "department": ""})
    mine = CannedResponse.objects.get()
    assert mine.owner == suporte_agent
    other = StaffFactory(departments=["suporte"])
    client.force_login(other)
    assert "Prazo" not in client.get(url("canned")).content.decode()
    assert client.post(url("canned_delete", mine.pk)).status_code == 404
    client.force_login(suporte_agent)
    client.post(url("canned_delete", mine.pk))
    assert not CannedResponse.objects.exists()


def test_merge_from_the_ticket_page(as_agent, customer, ticket):
    duplicate = open_ticket(customer, subject="Duplicado")
    response = as_agent.post(url("merge", duplicate.number), {"into": ticket.number}, follow=True)
    assert response.redirect_chain[-1][0] == url("ticket", ticket.number)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == ticket
    page = as_agent.get(url("ticket", duplicate.number)).content.decode()
    assert f"#{ticket.number}" in page
    actions.do_add_message(ticket, actor=customer, body="ok")  # the survivor lives on


def test_administrators_keep_the_teams_canned_replies_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:tickets_cannedresponse_add"),
        {"title": "Boas-vindas", "body": "Olá {customer_name}", "add_tags": "Boas Vindas"},
    )
    assert response.status_code == 302, response.content
    canned = CannedResponse.objects.get()
    assert canned.owner is None and canned.add_tags == "boas vindas"


def test_an_agent_edits_their_own_canned_reply_only(client, suporte_agent, profile):
    mine = actions.do_save_canned_response(actor=suporte_agent, title="Prazo", body="Até amanhã.")
    team = CannedResponse.objects.create(title="Da equipe", body="x")
    client.force_login(suporte_agent)
    form = client.get(url("canned"), {"edit": mine.pk})
    assert form.context["form"].initial["title"] == "Prazo"
    client.post(
        url("canned") + f"?edit={mine.pk}",
        {"title": "Prazo novo", "body": "Até {sla_due}.", "department": "suporte"},
    )
    mine.refresh_from_db()
    assert (mine.title, mine.department.slug, mine.owner) == (
        "Prazo novo",
        "suporte",
        suporte_agent,
    )
    assert client.get(url("canned"), {"edit": team.pk}).status_code == 404
    assert CannedResponse.objects.count() == 2
