"""What everyone sees: channels, badges, counts, queue, report, API."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse

from balcao.accounts.actions import do_issue_api_token
from balcao.factories import PASSWORD, StaffFactory, make_company, open_ticket
from balcao.sla.models import ChannelHours
from balcao.sla.selectors import breach_queue, company_channels, sla_counts
from balcao.tickets import actions
from balcao.tickets.models import Ticket

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")


def sp(*args) -> datetime:
    return datetime(*args, tzinfo=SP)


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"])


def test_channels_of_a_plan_open_and_closed(profile, time_machine):
    company, _ = make_company("essencial")  # WhatsApp Comercial only, of the plan-gated ones
    time_machine.move_to(sp(2026, 3, 6, 18), tick=False)  # Friday after hours
    states = {c.channel: c for c in company_channels(company, meetings=True)}
    assert not states["chat"].available_in_plan and states["whatsapp_commercial"].available_in_plan
    assert "phone" not in states  # only the plans with the phone see it (R14)
    team, _ = make_company("team")
    assert {c.channel: c for c in company_channels(team)}["phone"].available_in_plan
    assert not states["whatsapp_commercial"].open_now
    assert states["whatsapp_commercial"].opens_at == sp(2026, 3, 9, 9)
    assert states["whatsapp_commercial"].state == "abre segunda-feira às 9:00"
    assert not states["meeting_consultant"].available_in_plan
    assert states["meeting_consultant"].state == "com hora marcada"
    time_machine.move_to(sp(2026, 3, 9, 9, 30), tick=False)
    states = {c.channel: c for c in company_channels(company)}
    assert states["whatsapp_commercial"].state == "aberto agora"


def test_channels_api(profile, client, time_machine):
    company, primary = make_company("team")
    time_machine.move_to(sp(2026, 2, 16, 10), tick=False)  # Carnival Monday
    token = do_issue_api_token(email=primary.email, password=PASSWORD)
    response = client.get("/api/v1/channels", headers={"authorization": f"Bearer {token}"})
    chat = next(c for c in response.json() if c["channel"] == "chat")
    assert chat == {
        "channel": "chat",
        "name": "Chat",
        "available_in_plan": True,
        "open_now": False,
        "opens_at": "2026-02-18T12:00:00Z",
        "hours": "segunda-feira a sexta-feira, 9:00–17:00 (horário de Brasília),"
        " fechado nos feriados",
        "state": "abre quarta-feira às 9:00",
        "by_appointment": False,
    }
    meeting = next(c for c in response.json() if c["channel"] == "meeting_consultant")
    assert meeting["available_in_plan"] and meeting["by_appointment"]
    primary.time_zone = "Europe/Lisbon"  # the caller's own zone, as on the pages
    primary.save(update_fields=["time_zone"])
    response = client.get("/api/v1/channels", headers={"authorization": f"Bearer {token}"})
    chat = next(c for c in response.json() if c["channel"] == "chat")
    assert chat["state"] == "abre quarta-feira às 9:00 (quarta-feira às 12:00 no seu fuso horário)"


def test_ticket_api_has_its_sla(profile, client, time_machine):
    company, primary = make_company("team")
    time_machine.move_to(sp(2026, 3, 2, 10), tick=False)
    ticket = open_ticket(primary)
    token = do_issue_api_token(email=primary.email, password=PASSWORD)
    response = client.get(
        f"/api/v1/tickets/{ticket.number}", headers={"authorization": f"Bearer {token}"}
    )
    assert response.json()["sla"] == {
        "state": "running",
        "first_response_due": "2026-03-02T17:00:00Z",
        "next_response_due": None,
        "resolution_due": "2026-03-04T17:00:00Z",
    }


def test_counts_queue_and_badges(agent, time_machine, django_assert_num_queries):
    company, primary = make_company("team")
    time_machine.move_to(sp(2026, 3, 2, 9), tick=False)
    late = open_ticket(primary, subject="Atrasado")
    time_machine.move_to(sp(2026, 3, 2, 12), tick=False)
    risky = open_ticket(primary, subject="Em risco")
    answered = open_ticket(primary, subject="Respondido")
    actions.do_add_message(answered, actor=agent, body="Pronto.")
    open_ticket(primary, department="financeiro")  # out of the agent's sight
    time_machine.move_to(sp(2026, 3, 2, 15, 30), tick=False)
    suporte = late.department_id
    assert sla_counts(agent) == {suporte: (1, 1)}
    assert list(breach_queue(agent)) == [late, risky]
    ids = [late.pk, risky.pk, answered.pk]
    with django_assert_num_queries(1):
        tickets = list(Ticket.objects.filter(pk__in=ids).select_related("sla").order_by("id"))
        html = Template(
            "{% load sla_tags %}{% for t in tickets %}{% sla_badge t %}|{% endfor %}"
        ).render(Context({"tickets": tickets}))
    assert html.count("SLA violado") == 1 and html.count("SLA em risco") == 1
    assert "SLA pausado" in html


def test_the_old_sla_report_address_leads_to_the_reports_sla_page(agent, client, time_machine):
    company, primary = make_company("team")
    time_machine.move_to(sp(2026, 3, 2, 10), tick=False)
    met = open_ticket(primary)
    late = open_ticket(primary)
    time_machine.move_to(sp(2026, 3, 2, 11), tick=False)
    actions.do_add_message(met, actor=agent, body="Resposta.")
    time_machine.move_to(sp(2026, 3, 3, 10), tick=False)
    actions.do_add_message(late, actor=agent, body="Resposta.")
    period = {"start": "2026-03-01", "end": "2026-03-31"}
    client.force_login(primary)
    assert client.get("/console/sla/", period, follow=True).status_code == 404
    client.force_login(agent)
    response = client.get("/console/sla/", period, follow=True)
    assert response.redirect_chain == [
        (reverse("reports:report", args=["sla"]) + "?start=2026-03-01&end=2026-03-31", 302)
    ]
    html = response.content.decode()
    assert 'value="2026-03-01"' in html and 'value="2026-03-31"' in html
    department = response.context["result"].tables[0].rows[0]
    assert department[1:4] == [1, 1, 50.0]  # first response: met, breached, compliance


def test_without_stored_channel_hours_the_default_ones_answer(profile, time_machine):
    ChannelHours.objects.all().delete()
    time_machine.move_to(sp(2026, 3, 7, 10), tick=False)  # a Saturday
    states = {s.channel: s for s in company_channels(None, meetings=True)}
    assert set(states) == {
        "chat",
        "whatsapp_commercial",
        "whatsapp_support",
        "phone",
        "meeting_consultant",
        "meeting_marketing",
    }
    assert not states["chat"].open_now
    assert states["chat"].opens_at == sp(2026, 3, 9, 9)
