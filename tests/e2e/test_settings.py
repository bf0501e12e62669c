"""An administrator sets Balcão up in the admin, in a real browser: each settings form saves a
valid value, refuses a bad one with the message beside the field, and a bad value stored
behind the forms' back never breaks a customer's page."""

import pytest
from playwright.sync_api import expect

from balcao.accounts.models import Department
from balcao.customers.models import Company, Plan
from balcao.events.models import Event, EventKind
from balcao.sla.models import BusinessCalendar, ChannelHours, RealtimeChannel, SlaPolicy
from balcao.sla.profile import BUSINESS_HOURS
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

ADMIN = "admin@balcao.localhost"
LOJA = "cliente@lojaexemplo.com.br"


@pytest.fixture
def admin(page_for, live_server):
    page = page_for(ADMIN)

    def open_page(path: str):
        page.goto(f"{live_server.url}/admin/{path}")
        return page

    return open_page


@pytest.fixture
def business_hours(demo):
    """The default hours, for every real-time channel (a transactional test starts without
    the rows migrations stored)."""
    calendar, _ = BusinessCalendar.objects.get_or_create(
        slug=BUSINESS_HOURS["slug"],
        defaults={
            "name": BUSINESS_HOURS["name"],
            "tz": BUSINESS_HOURS["tz"],
            "weekly": BUSINESS_HOURS["weekly"],
            "is_default": True,
        },
    )
    for position, channel in enumerate(RealtimeChannel.values):
        ChannelHours.objects.get_or_create(
            channel=channel, defaults={"calendar": calendar, "position": position}
        )
    return calendar


def save(page) -> None:
    page.get_by_role("button", name="Salvar", exact=True).click()


def error_beside(page, field: str):
    """The error list Django's admin puts in the row of ``field``."""
    return page.locator(f".field-{field} .errorlist")


def test_the_admin_index_speaks_the_product(admin):
    page = admin("")
    expect(page.locator("#site-name")).to_have_text("Administração do Balcão")
    for section in ["Planos e canais", "Horários e feriados", "Empresas e contatos", "Equipe"]:
        expect(page.get_by_role("link", name=section, exact=True)).to_be_visible()
    expect(page.get_by_text("Task Results")).to_have_count(0)
    screenshot(page, "admin-index")


def test_business_hours(admin, business_hours):
    calendar = business_hours
    page = admin(f"sla/businesscalendar/{calendar.pk}/change/")
    page.get_by_label("segunda-feira").fill("9h às 17h")
    save(page)
    expect(error_beside(page, "monday")).to_contain_text("não é um intervalo")
    calendar.refresh_from_db()
    assert calendar.weekly[0] == [["09:00", "17:00"]]

    page.get_by_label("segunda-feira").fill("08:00-12:00, 13:00-18:00")
    page.get_by_label("sábado").fill("09:00-13:00")
    page.get_by_label("datas fechadas adicionais").fill("24/12/2026")
    screenshot(page, "admin-business-hours")
    save(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    calendar.refresh_from_db()
    assert calendar.weekly[0] == [["08:00", "12:00"], ["13:00", "18:00"]]
    assert calendar.weekly[5] == [["09:00", "13:00"]] and calendar.closed_dates == ["2026-12-24"]


def test_the_channel_matrix_of_a_plan(admin):
    plan = Plan.objects.get(slug="essencial")
    page = admin(f"customers/plan/{plan.pk}/change/")
    page.get_by_label("Chat", exact=True).check()
    page.get_by_label("resolução (minutos úteis)").fill("10")
    save(page)
    expect(error_beside(page, "resolution_minutes")).to_contain_text("antes da primeira resposta")
    plan.refresh_from_db()
    assert "chat" not in plan.channels

    page.get_by_label("resolução (minutos úteis)").fill("4800")
    save(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    plan.refresh_from_db()
    assert "chat" in plan.channels and plan.resolution_minutes == 4800
    matrix = admin("customers/plan/")
    expect(
        matrix.locator("tr", has_text="Essencial").locator(".field-channel_chat img")
    ).to_have_attribute("alt", "True")


def test_sla_targets_of_a_department(admin):
    page = admin("sla/slapolicy/add/")
    page.get_by_label("departamento").select_option(label="Financeiro")
    page.get_by_label("primeira resposta (minutos úteis)").fill("0")
    save(page)
    expect(error_beside(page, "first_response_minutes")).to_contain_text("pelo menos um minuto")
    assert not SlaPolicy.objects.exists()
    page.get_by_label("primeira resposta (minutos úteis)").fill("240")
    save(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    policy = SlaPolicy.objects.get()
    assert policy.department.slug == "financeiro" and policy.first_response_minutes == 240


def test_sla_by_a_company_contract(admin):
    company = Company.objects.get(name="Loja Exemplo")
    page = admin(f"customers/company/{company.pk}/change/")
    page.get_by_label("primeira resposta pelo contrato (minutos úteis)").fill("120")
    page.get_by_label("resolução pelo contrato (minutos úteis)").fill("60")
    save(page)
    expect(error_beside(page, "contract_resolution_minutes")).to_contain_text("antes da")
    page.get_by_label("resolução pelo contrato (minutos úteis)").fill("")
    save(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    company.refresh_from_db()
    assert company.contract_first_response_minutes == 120
    event = Event.objects.get(kind=EventKind.COMPANY_CHANGED, company=company)
    assert event.data["changes"]["contract_first_response_minutes"] == [None, 120]


def test_a_department_s_texts_and_address(admin):
    department = Department.objects.get(slug="financeiro")
    page = admin(f"accounts/department/{department.pk}/change/")
    page.get_by_label("endereço de e-mail de entrada").fill("financeiro arroba loja")
    save(page)
    expect(error_beside(page, "email")).to_be_visible()
    page.get_by_label("endereço de e-mail de entrada").fill("financeiro@balcao.localhost")
    page.get_by_label("o que informar (pt-BR)").fill("Informe o número da nota fiscal.")
    save(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    department.refresh_from_db()
    assert department.guidance == "Informe o número da nota fiscal."


def test_customer_pages_answer_after_a_bad_stored_value(page_for, live_server, business_hours):
    BusinessCalendar.objects.update(weekly="segunda a sexta, 9 às 17")
    page = page_for(LOJA)
    for path, heading in [("/cliente/meu-plano/", "Meu plano"), ("/chat/", "Chat")]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
