"""Contatos autorizados, Meu plano and Ajuda: what the primary contact manages and what every
contact reads about the company's support level (R2, R3, R13)."""

import pytest
from django.urls import reverse

from balcao.customers.models import Company
from balcao.events.models import Event, EventKind

pytestmark = pytest.mark.django_db


def test_the_primary_contact_authorizes_a_colleague_with_consent(client_for, mega, customer):
    company, _ = mega
    client = client_for(customer)
    url = reverse("portal:contacts")
    refused = client.post(url, {"name": "Bia", "email": "bia@megastore.com.br"})
    assert refused.status_code == 400
    assert "Confirme que esta pessoa pode falar com o suporte." in refused.content.decode()

    response = client.post(url, {"name": "Bia", "email": "bia@megastore.com.br", "consent": "on"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "bia@megastore.com.br agora é um contato autorizado" in page
    assert company.contacts.filter(user__email="bia@megastore.com.br").exists()
    event = Event.objects.get(kind=EventKind.CONTACT_AUTHORIZED, data__email="bia@megastore.com.br")
    assert event.actor == customer and "Área do Cliente" in event.data["consent"]


def test_an_e_mail_already_of_another_company_is_a_clear_error(client_for, customer, loja):
    response = client_for(customer).post(
        reverse("portal:contacts"),
        {"name": "X", "email": loja[1].email.upper(), "consent": "on"},
    )
    assert response.status_code == 400
    assert "já é contato de uma empresa" in response.content.decode()


def test_the_primary_contact_removes_a_colleague(client_for, mega, customer, authorized):
    company, _ = mega
    client = client_for(customer)
    response = client.post(reverse("portal:contact_remove", args=[authorized.contact.pk]))
    assert response.status_code == 302
    assert not company.contacts.filter(user=authorized).exists()
    assert "não pode mais falar com o suporte" in client.get(response.url).content.decode()


def test_the_primary_contact_cannot_remove_itself(client_for, customer):
    response = client_for(customer).post(
        reverse("portal:contact_remove", args=[customer.contact.pk])
    )
    assert response.status_code in (302, 404)
    customer.contact.refresh_from_db()
    assert customer.contact.is_primary


def test_other_contacts_see_the_list_without_the_form(client_for, customer, authorized):
    page = client_for(authorized).get(reverse("portal:contacts")).content.decode()
    assert customer.email in page and authorized.email in page
    assert "Autorizar um contato" not in page
    assert "Só o contato principal da sua empresa" in page


def test_my_plan_shows_channels_sla_add_ons_and_the_next_plan(client_for, loja):
    page = client_for(loja[1]).get(reverse("portal:plan")).content.decode()
    assert "Plano Essencial" in page
    assert "Prazos de resposta (SLA)" in page and "horário comercial" in page
    assert "Nenhum adicional contratado." in page
    assert "O que o plano Profissional acrescentaria" in page
    assert "Canal: Chat" in page  # what the upgrade adds


def test_my_plan_promises_the_contract_s_targets_where_it_sets_them(client_for, loja):
    """R15, "vide contrato": a target the company's contract sets wins over its plan's."""
    company, primary = loja
    page = client_for(primary).get(reverse("portal:plan")).content.decode()
    first = "<dt>Primeira resposta</dt><dd>%s</dd>"
    assert first % "16 horas comerciais" in page  # the Essencial plan's
    Company.objects.filter(pk=company.pk).update(contract_first_response_minutes=120)
    page = client_for(primary).get(reverse("portal:plan")).content.decode()
    assert first % "2 horas comerciais" in page
    assert "<dt>Respostas seguintes</dt><dd>16 horas comerciais</dd>" in page  # not in it


def test_the_plan_page_names_the_add_on_that_opens_a_department(client_for, loja):
    page = client_for(loja[1]).get(reverse("portal:plan")).content.decode()
    assert "O adicional Pacote Expresso libera o departamento Qualidade e Projetos." in page


def test_my_plan_of_the_top_plan_says_so(client_for, profile):
    from balcao.customers.models import Plan
    from balcao.factories import make_company

    top = Plan.objects.order_by("-tier").first()
    _, primary = make_company(top.slug)
    page = client_for(primary).get(reverse("portal:plan")).content.decode()
    assert "Você tem nosso plano mais completo" in page


def test_help_explains_departments_and_statuses(client_for, customer):
    page = client_for(customer).get(reverse("portal:help")).content.decode()
    assert "Ouvidoria" in page and "Financeiro" in page
    assert "Resposta do cliente" in page  # the legend of R11


def test_my_plan_tells_which_real_time_channels_are_open_now(client_for, loja, time_machine):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
    time_machine.move_to(saturday, tick=False)
    page = client_for(loja[1]).get(reverse("portal:plan")).content.decode()
    assert "abre segunda-feira às 9:00" in page  # WhatsApp Comercial, in the Essencial plan
    assert "Não incluído no seu plano: Chat" in page
    assert "abra um chamado" in page.lower()

    time_machine.move_to(saturday.replace(day=30), tick=False)  # Monday 10:00
    page = client_for(loja[1]).get(reverse("portal:plan")).content.decode()
    assert "aberto agora" in page


def test_the_phone_and_its_number_show_only_for_plans_that_include_it(client_for, loja, mega):
    """R14: TEAM includes the phone in the default profile; Essencial does not."""
    page = client_for(mega[1]).get(reverse("portal:plan")).content.decode()
    assert 'id="reach-phone"' in page and 'href="tel:+551140000000"' in page
    assert "+55 11 4000-0000" in page
    page = client_for(loja[1]).get(reverse("portal:plan")).content.decode()
    assert 'id="reach-phone"' not in page and "+55 11 4000-0000" not in page
    assert "Telefone" not in page


def _reach(page: str, channel: str) -> str:
    start = page.index(f'id="reach-{channel}"')
    return page[start : page.index("</li>", start)]


def test_my_plan_tells_how_to_reach_each_channel_with_its_configured_hours(
    client_for, mega, time_machine
):
    """R13, R14: the WhatsApp numbers, the phone, the chat and the meetings of the plan, each
    with the hours of its calendar and its state now; a change of hours shows at once."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from balcao.accounts.models import Department
    from balcao.connectors.whatsapp.models import BusinessNumber
    from balcao.sla.models import BusinessCalendar, ChannelHours

    for phone_id, display, channel in [
        ("1065", "+55 11 4000-0001", BusinessNumber.Kind.COMMERCIAL),
        ("1066", "+55 11 4000-0002", BusinessNumber.Kind.SUPPORT),
    ]:
        BusinessNumber.objects.create(
            phone_number_id=phone_id,
            display_number=display,
            channel=channel,
            department=Department.objects.get(slug="suporte"),
        )
    afternoons = BusinessCalendar.objects.create(
        slug="tardes",
        name="Tardes",
        weekly=[[["14:00", "20:00"]]] * 6 + [[]],
        carnival=False,
    )
    ChannelHours.objects.filter(channel="whatsapp_support").update(calendar=afternoons)
    monday_morning = datetime(2026, 3, 9, 10, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
    time_machine.move_to(monday_morning, tick=False)
    client = client_for(mega[1])
    page = client.get(reverse("portal:plan")).content.decode()
    commercial = _reach(page, "whatsapp_commercial")
    assert 'href="https://wa.me/551140000001"' in commercial and "aberto agora" in commercial
    assert "segunda-feira a sexta-feira, 9:00–17:00 (horário de Brasília)" in commercial
    support = _reach(page, "whatsapp_support")
    assert 'href="https://wa.me/551140000002"' in support and "abre hoje às 14:00" in support
    assert "segunda-feira a sábado, 14:00–20:00 (horário de Brasília)" in support
    assert 'href="/chat/"' in _reach(page, "chat")
    assert "com hora marcada" in _reach(page, "meeting_consultant")
    assert "Não incluído no seu plano: Reuniões com analistas de marketing" in page
    assert "Chat, WhatsApp e telefone: segunda a sexta" not in page  # no fixed text left

    user = mega[1]
    user.time_zone = "Europe/Lisbon"
    user.save(update_fields=["time_zone"])
    page = client.get(reverse("portal:plan")).content.decode()
    assert "abre hoje às 14:00 (hoje às 17:00 no seu fuso horário)" in _reach(
        page, "whatsapp_support"
    )
