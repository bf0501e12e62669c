"""The client area (Área do Cliente) in a real browser (Debian's Chromium through Playwright),
in pt-BR: opening tickets within the plan, the Ouvidoria flow, contacts, plan, and a phone."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from balcao.tickets.models import Ticket
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

LOJA = "cliente@lojaexemplo.com.br"  # Loja Exemplo, plan Essencial, no add-on
MEGA = "compras@megastore.com.br"  # Mega Store's primary contact, TEAM + Pacote Expresso
MEGA_TI = "ti@megastore.com.br"  # Mega Store's authorized contact
DIRECTOR = "diretoria@balcao.localhost"
AGENT = "agente.suporte@balcao.localhost"
PHONE = {"width": 390, "height": 844}
SCREENSHOT = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def department(page, name: str):
    return page.get_by_role("radio", name=name, exact=True)


def fill_ticket(page, subject: str, body: str) -> None:
    page.get_by_label("Assunto").fill(subject)
    page.get_by_label("Mensagem").fill(body)


def test_contact_opens_a_ticket_in_an_allowed_department_with_an_attachment(page_for):
    page = page_for(LOJA)
    expect(page.get_by_role("heading", name="Olá, Luiza Lima")).to_be_visible()
    expect(page.get_by_text("Loja Exemplo · plano Essencial")).to_be_visible()
    screenshot(page, "client-home")

    page.get_by_role("navigation").get_by_role("link", name="Abrir chamado").click()
    expect(page.get_by_role("heading", name="Abrir chamado")).to_be_visible()
    screenshot(page, "client-open-ticket")
    department(page, "Suporte").check()
    fill_ticket(page, "Relatório de vendas não carrega", "A página de relatórios fica em branco.")
    page.get_by_label("Anexos").set_input_files(
        {"name": "tela-em-branco.png", "mimeType": "image/png", "buffer": SCREENSHOT}
    )
    page.get_by_role("button", name="Abrir o chamado").click()

    ticket = Ticket.objects.get(subject="Relatório de vendas não carrega")
    expect(page).to_have_url(re.compile(rf"/cliente/chamados/{ticket.number}/$"))
    expect(
        page.get_by_text(
            f"Chamado #{ticket.number} aberto em Suporte. Responderemos aqui e por e-mail."
        )
    ).to_be_visible()
    expect(page.locator("#ticket-status")).to_have_text("Em aberto")
    expect(page.locator("#ticket-department")).to_have_text("Suporte")
    expect(page.get_by_text("A página de relatórios fica em branco.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="tela-em-branco.png").click()
    assert download.value.suggested_filename == "tela-em-branco.png"
    assert Path(download.value.path()).read_bytes() == SCREENSHOT
    screenshot(page, "client-ticket")

    page.get_by_role("navigation").get_by_role("link", name="Ver chamados").click()
    expect(page.get_by_role("heading", name="Chamados")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Relatório de vendas não carrega")
    expect(row.get_by_role("cell").first).to_have_text(f"#{ticket.number}")
    expect(row.locator(".status")).to_have_text("Em aberto")
    expect(row.get_by_role("cell", name="Suporte")).to_be_visible()
    screenshot(page, "client-tickets")

    page.get_by_label("Buscar").fill("relatório")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.locator("table.tickets tbody tr")).to_have_count(1)


def test_forbidden_departments_are_shown_disabled_with_the_reason_and_refused(
    page_for, live_server
):
    page = page_for(LOJA)
    page.goto(f"{live_server.url}/cliente/abrir-ticket/")
    before = Ticket.objects.count()

    expect(department(page, "Suporte")).to_be_enabled()
    for name, reason in [
        ("Sucesso do Cliente", "Disponível a partir do plano TEAM"),
        ("Qualidade e Projetos", "Disponível com o adicional Pacote Expresso"),
    ]:
        expect(department(page, name)).to_be_disabled()
        choice = page.locator("li.choice").filter(has=department(page, name))
        expect(choice).to_have_class(re.compile(r"\bunavailable\b"))
        expect(choice.locator(".reason")).to_contain_text("Indisponível para o seu plano.")
        expect(choice.locator(".reason")).to_contain_text(reason)
        expect(choice.get_by_role("link", name="Ver seu plano")).to_be_visible()
    # Even a forced click (skipping Playwright's own enabled check) does not choose it.
    page.locator("li.choice label", has_text="Sucesso do Cliente").click(force=True)
    department(page, "Sucesso do Cliente").click(force=True)
    expect(department(page, "Sucesso do Cliente")).not_to_be_checked()

    # A hand-edited page: the server refuses the department, with its reason, on the field.
    department(page, "Sucesso do Cliente").evaluate("radio => radio.removeAttribute('disabled')")
    department(page, "Sucesso do Cliente").check()
    fill_ticket(page, "Estratégia de marketing", "Queremos uma conversa sobre campanhas.")
    page.get_by_role("button", name="Abrir o chamado").click()
    expect(page.locator("fieldset.departments .errorlist")).to_have_text(
        re.compile("Disponível a partir do plano TEAM")
    )
    expect(department(page, "Sucesso do Cliente")).to_be_disabled()

    # A POST made without the page at all.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(
        f"{live_server.url}/cliente/abrir-ticket/",
        form={
            "csrfmiddlewaretoken": token,
            "department": "qualidade",
            "subject": "Revisão do projeto",
            "body": "Precisamos revisar o cronograma.",
        },
    )
    assert response.status == 400
    assert "Disponível com o adicional Pacote Expresso" in response.text()
    assert Ticket.objects.count() == before


def test_ouvidoria_asks_for_an_earlier_ticket_of_the_company(page_for, live_server):
    own = Ticket.objects.get(subject="Nota fiscal de outubro")  # Mega Store's, closed
    other = Ticket.objects.get(subject="Erro ao finalizar compra no checkout")  # Loja Exemplo's
    page = page_for(MEGA)
    page.goto(f"{live_server.url}/cliente/abrir-ticket/")
    reference = page.get_by_label("Número do chamado anterior")
    expect(reference).to_be_hidden()
    department(page, "Ouvidoria").check()
    expect(reference).to_be_visible()
    fill_ticket(page, "Atendimento demorado no financeiro", "Esperamos semanas pela nota fiscal.")
    page.get_by_role("button", name="Abrir o chamado").click()
    expect(page.locator("#reference-field .errorlist")).to_have_text(
        "Ouvidoria precisa do número do chamado anterior que não foi bem resolvido."
    )
    expect(department(page, "Ouvidoria")).to_be_checked()

    for number in (other.number, 99999):
        reference.fill(str(number))
        page.get_by_role("button", name="Abrir o chamado").click()
        expect(page.locator("#reference-field .errorlist")).to_have_text(
            f"O chamado {number} não é um chamado da sua empresa."
        )
    assert not Ticket.objects.filter(subject="Atendimento demorado no financeiro").exists()

    reference.fill(str(own.number))
    page.get_by_role("button", name="Abrir o chamado").click()
    ticket = Ticket.objects.get(subject="Atendimento demorado no financeiro")
    assert ticket.department.slug == "ouvidoria" and ticket.reference == own
    expect(page.get_by_text(f"Chamado #{ticket.number} aberto em Ouvidoria.")).to_be_visible()
    expect(page.get_by_role("link", name=f"#{own.number}")).to_be_visible()

    director = page_for(DIRECTOR)
    director.goto(f"{live_server.url}/console/chamados/{ticket.number}/")
    expect(
        director.get_by_role("heading", name=f"#{ticket.number} Atendimento demorado")
    ).to_be_visible()
    expect(director.get_by_text("Esperamos semanas pela nota fiscal.")).to_be_visible()

    agent = page_for(AGENT)
    response = agent.goto(f"{live_server.url}/console/chamados/{ticket.number}/")
    assert response.status == 404
    expect(agent.get_by_text("Esperamos semanas pela nota fiscal.")).to_have_count(0)


def test_primary_contact_authorizes_and_removes_a_contact(page_for):
    page = page_for(MEGA)
    page.get_by_role("navigation").get_by_role("link", name="Contatos autorizados").click()
    rows = page.locator("table.contacts tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=MEGA)).to_contain_text("Contato principal")

    page.get_by_label("Nome", exact=True).fill("Fernanda Financeiro")
    page.get_by_label("E-mail", exact=True).fill("fernanda@megastore.com.br")
    page.get_by_role("button", name="Autorizar", exact=True).click()
    expect(page.get_by_text("Confirme que esta pessoa pode falar com o suporte.")).to_be_visible()
    page.get_by_label("Esta pessoa trabalha conosco").check()
    page.get_by_role("button", name="Autorizar", exact=True).click()
    expect(
        page.get_by_text("fernanda@megastore.com.br agora é um contato autorizado.")
    ).to_be_visible()
    added = rows.filter(has_text="fernanda@megastore.com.br")
    expect(added).to_contain_text("Fernanda Financeiro")
    expect(added).to_contain_text("Contato autorizado")
    expect(added).to_contain_text("Convite pendente")
    expect(added.get_by_role("button", name="Reenviar convite")).to_be_visible()
    screenshot(page, "client-contacts")

    expect(page.get_by_role("link", name=f"Remover {MEGA}")).to_have_count(0)
    page.get_by_role("link", name="Remover fernanda@megastore.com.br").click()
    expect(page.get_by_role("heading", name="Remover um contato")).to_be_visible()  # asked first
    screenshot(page, "client-contact-remove")
    page.get_by_role("button", name="Sim, remover fernanda@megastore.com.br").click()
    expect(
        page.get_by_text(
            "fernanda@megastore.com.br não pode mais falar com o suporte pela empresa."
        )
    ).to_be_visible()
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="fernanda@megastore.com.br")).to_have_count(0)


def test_other_contacts_see_the_list_only(page_for, live_server):
    page = page_for(MEGA_TI)
    page.goto(f"{live_server.url}/cliente/contatos/")
    expect(page.locator("table.contacts tbody tr")).to_have_count(2)
    expect(page.get_by_text(MEGA)).to_be_visible()
    expect(page.get_by_text("Só o contato principal da sua empresa")).to_be_visible()
    expect(page.get_by_role("button", name="Autorizar")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Remover"))).to_have_count(0)


def test_my_plan_shows_the_plan_channels_sla_and_the_next_plan(page_for):
    page = page_for(LOJA)
    page.get_by_role("navigation").get_by_role("link", name="Meu plano").click()
    expect(page.get_by_role("heading", name="Plano Essencial")).to_be_visible()
    expect(page.locator("ul.channels li")).to_have_text(["WhatsApp Comercial", "E-mail"])
    sla = page.locator("section").filter(
        has=page.get_by_role("heading", name="Prazos de resposta (SLA)")
    )
    expect(sla.locator("dt")).to_have_text(
        ["Primeira resposta", "Respostas seguintes", "Resolução"]
    )
    expect(sla.locator("dd")).to_have_text(
        ["16 horas comerciais", "16 horas comerciais", "80 horas comerciais"]
    )
    expect(
        page.get_by_text("O adicional Pacote Expresso libera o departamento Qualidade e Projetos.")
    ).to_be_visible()
    upgrade = page.locator("section.upgrade")
    expect(upgrade.get_by_role("heading")).to_have_text("O que o plano Profissional acrescentaria")
    expect(upgrade.get_by_text("Canal: Chat")).to_be_visible()
    expect(upgrade.get_by_text("Primeira resposta em até 8 horas comerciais")).to_be_visible()
    screenshot(page, "client-plan")

    page.get_by_role("navigation").get_by_role("link", name="Ajuda").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, "client-help")


def test_the_client_area_fits_a_phone(page_for, live_server):
    ticket = Ticket.objects.get(subject="Erro ao finalizar compra no checkout")
    page = page_for(LOJA, viewport=PHONE)
    pages = [
        ("client-phone-home", "/cliente/", "Olá, Luiza Lima"),
        ("client-phone-open-ticket", "/cliente/abrir-ticket/", "Abrir chamado"),
        ("client-phone-tickets", "/cliente/chamados/", "Chamados"),
        (
            "client-phone-ticket",
            f"/cliente/chamados/{ticket.number}/",
            f"#{ticket.number} · Erro ao finalizar compra no checkout",
        ),
    ]
    for name, path, heading in pages:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= PHONE["width"], f"{path} scrolls sideways on a phone ({overflow}px)"
        screenshot(page, name)
    expect(page.locator("#ticket-status")).to_have_text("Em aberto")
