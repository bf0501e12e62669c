from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from balcao.accounts.models import Department
from balcao.events.models import EventKind
from balcao.factories import open_ticket
from balcao.tickets import actions
from balcao.tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db

OPEN = "/cliente/abrir-ticket/"


def test_the_form_offers_every_department_and_disables_those_the_plan_does_not_allow(
    client_for, loja
):
    page = client_for(loja[1]).get(OPEN).content.decode()
    assert 'value="suporte"' in page and "Dúvidas técnicas" in page
    sucesso = page[page.index('value="sucesso"') : page.index('value="sucesso"') + 400]
    assert "disabled" in sucesso
    assert "a partir do plano TEAM" in page  # the reason, and what would open it
    qualidade = page[page.index('value="qualidade"') : page.index('value="qualidade"') + 400]
    assert "disabled" in qualidade and "Pacote Expresso" in page


def test_a_contact_opens_a_ticket_with_attachments(client_for, customer, media):
    client = client_for(customer)
    response = client.post(
        OPEN,
        {
            "department": "suporte",
            "subject": "Checkout  fora do ar",
            "body": "Desde as 10h ninguém paga.",
            "attachments": [
                SimpleUploadedFile("tela.png", b"\x89PNG...", "image/png"),
                SimpleUploadedFile("log.txt", b"erro 500", "text/plain"),
            ],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == f"/cliente/chamados/{ticket.number}/"
    assert ticket.subject == "Checkout fora do ar" and ticket.department.slug == "suporte"
    assert ticket.requester == customer and ticket.status == Status.OPEN
    names = sorted(a.name for a in ticket.messages.get().attachments.all())
    assert names == ["log.txt", "tela.png"]
    page = client.get(response.url).content.decode()
    assert f"Chamado #{ticket.number} aberto em Suporte" in page


def test_a_department_the_plan_does_not_allow_is_refused_and_nothing_is_lost(client_for, loja):
    response = client_for(loja[1]).post(
        OPEN, {"department": "sucesso", "subject": "Estratégia", "body": "Quero crescer."}
    )
    page = response.content.decode()
    assert response.status_code == 400 and not Ticket.objects.exists()
    assert "a partir do plano TEAM" in page
    assert 'value="Estratégia"' in page and "Quero crescer." in page


def test_the_ouvidoria_needs_an_earlier_ticket_of_the_company(client_for, customer, other):
    client = client_for(customer)
    data = {"department": "ouvidoria", "subject": "Reclamação", "body": "Não foi resolvido."}
    response = client.post(OPEN, data)
    assert response.status_code == 400 and "precisa do número" in response.content.decode()
    response = client.post(OPEN, {**data, "reference": other.number})
    assert response.status_code == 400
    assert f"{other.number} não é um chamado da sua empresa" in response.content.decode()
    assert Ticket.objects.filter(department__slug="ouvidoria").count() == 0
    mine = open_ticket(customer, "suporte")
    response = client.post(OPEN, {**data, "reference": mine.number})
    ouvidoria = Ticket.objects.get(department__slug="ouvidoria")
    assert response.url == f"/cliente/chamados/{ouvidoria.number}/"
    assert ouvidoria.reference == mine


def test_the_reference_field_is_tied_to_departments_that_need_it(client_for, customer):
    page = client_for(customer).get(OPEN).content.decode()
    ouvidoria = page[page.index('value="ouvidoria"') : page.index('value="ouvidoria"') + 300]
    suporte = page[page.index('value="suporte"') : page.index('value="suporte"') + 300]
    assert "data-reference" in ouvidoria and "data-reference" not in suporte
    assert 'id="reference-field"' in page


def test_attachment_limits_are_clear_errors_and_keep_the_text(
    client_for, customer, media, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    response = client_for(customer).post(
        OPEN,
        {
            "department": "suporte",
            "subject": "Arquivos",
            "body": "Veja os anexos.",
            "attachments": [
                SimpleUploadedFile("grande.pdf", b"x" * (1024 * 1024 + 1), "application/pdf"),
                SimpleUploadedFile("virus.exe", b"MZ", "application/octet-stream"),
            ],
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and not Ticket.objects.exists()
    assert "grande.pdf tem mais de 1 MB" in page
    assert "virus.exe é um tipo de arquivo que não aceitamos" in page
    assert "Veja os anexos." in page and "escolha-os de novo" in page


def test_missing_fields_are_named(client_for, customer):
    page = client_for(customer).post(OPEN, {}).content.decode()
    assert "Escolha o departamento" in page and "Este campo é obrigatório." in page


def test_ticket_list_filters_searches_and_explains_statuses(client_for, customer):
    first = open_ticket(customer, "suporte", subject="Checkout fora do ar")
    second = open_ticket(customer, "financeiro", subject="Boleto de março")
    actions.do_close_ticket(second, actor=customer)
    client = client_for(customer)
    page = client.get("/cliente/chamados/").content.decode()
    assert "Checkout fora do ar" in page and "Boleto de março" in page
    assert "Ainda não chegamos ao seu chamado" in page  # meaning of Em aberto (R11)
    assert "O que significa cada status" in page
    page = client.get("/cliente/chamados/?status=closed").content.decode()
    assert "Boleto de março" in page and "Checkout fora do ar" not in page
    page = client.get("/cliente/chamados/?department=suporte").content.decode()
    assert "Checkout fora do ar" in page and "Boleto de março" not in page
    page = client.get(f"/cliente/chamados/?q=%23{first.number}").content.decode()
    assert "Checkout fora do ar" in page and "Boleto de março" not in page
    page = client.get("/cliente/chamados/?q=boleto").content.decode()
    assert "Boleto de março" in page and "Checkout fora do ar" not in page
    page = client.get("/cliente/chamados/?q=nada-disso").content.decode()
    assert "Nenhum chamado corresponde" in page


def test_ticket_list_is_paginated_by_25(client_for, customer):
    for n in range(27):
        open_ticket(customer, subject=f"Assunto {n:02d}")
    client = client_for(customer)
    page = client.get("/cliente/chamados/").content.decode()
    assert page.count("<tr>") == 26  # header + 25
    assert "Página 1 de 2" in page
    page = client.get("/cliente/chamados/?page=2").content.decode()
    assert "Assunto 00" in page and "Assunto 01" in page and "Assunto 02" not in page


def test_authorized_contacts_see_the_company_tickets(client_for, customer, authorized, ticket):
    page = client_for(authorized).get("/cliente/chamados/").content.decode()
    assert "Checkout fora do ar" in page


def test_ticket_page_shows_the_public_conversation_never_the_notes(
    client_for, customer, agent, ticket, media
):
    actions.do_add_message(ticket, actor=agent, body="Nota: cliente difícil", internal=True)
    reply = actions.do_add_message(
        ticket,
        actor=agent,
        body="Corrigimos o gateway.\nPode testar?",
        attachments=[actions.NewAttachment("passos.txt", "text/plain", b"1. teste")],
    )
    actions.do_record_delivery(reply, message_id="<x@y>", error="550 mailbox full")
    actions.do_add_message(ticket, actor=customer, body="<b>Funcionou</b>, obrigado!")
    page = client_for(customer).get(f"/cliente/chamados/{ticket.number}/").content.decode()
    assert "cliente difícil" not in page and "Nota" not in page
    assert "Corrigimos o gateway.<br>Pode testar?" in page
    assert "&lt;b&gt;Funcionou&lt;/b&gt;" in page  # text is escaped
    assert "Ana Suporte (equipe de suporte)" in page
    assert "não pôde ser entregue a você; ela está aqui na íntegra" in page  # R10
    assert "550" not in page  # without the technical error
    attachment = reply.attachments.get()
    assert f'href="/cliente/anexos/{attachment.pk}/"' in page and "passos.txt" in page
    assert "Resposta do cliente" in page and "Suporte" in page
    assert "Status alterado para “Respondido”" in page


def test_sanitized_html_of_a_message_is_rendered_as_html(client_for, customer, ticket):
    actions.do_add_message(
        ticket, actor=customer, body="", body_html="<p>Olá <strong>equipe</strong></p>"
    )
    page = client_for(customer).get(f"/cliente/chamados/{ticket.number}/").content.decode()
    assert "<p>Olá <strong>equipe</strong></p>" in page


def test_times_are_shown_in_brasilia_time(client_for, customer, ticket):
    from zoneinfo import ZoneInfo

    local = ticket.created_at.astimezone(ZoneInfo("America/Sao_Paulo"))
    page = client_for(customer).get(f"/cliente/chamados/{ticket.number}/").content.decode()
    assert local.strftime("%H:%M") in page and local.isoformat() in page


def test_reply_makes_it_customer_reply(client_for, customer, agent, ticket):
    actions.do_add_message(ticket, actor=agent, body="Resolvido?")
    client = client_for(customer)
    response = client.post(f"/cliente/chamados/{ticket.number}/responder/", {"body": "Ainda não."})
    assert response.url == f"/cliente/chamados/{ticket.number}/"
    ticket.refresh_from_db()
    assert ticket.status == Status.CUSTOMER_REPLY
    assert ticket.messages.last().body_text == "Ainda não."
    assert "Mensagem enviada." in client.get(response.url).content.decode()


def test_replying_to_a_closed_ticket_reopens_it_and_says_so(client_for, customer, ticket):
    actions.do_close_ticket(ticket, actor=customer)
    client = client_for(customer)
    page = client.get(f"/cliente/chamados/{ticket.number}/").content.decode()
    assert "Enviar e reabrir" in page and "Fechar este chamado" not in page
    response = client.post(
        f"/cliente/chamados/{ticket.number}/responder/", {"body": "Voltou a falhar."}
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.CUSTOMER_REPLY and ticket.closed_at is None
    assert ticket.events.filter(kind=EventKind.REOPENED).exists()
    page = client.get(response.url).content.decode()
    assert "foi reaberto" in page and "Reaberto: o status agora é" in page


def test_an_empty_reply_is_refused_with_a_clear_error(client_for, customer, ticket):
    response = client_for(customer).post(
        f"/cliente/chamados/{ticket.number}/responder/", {"body": "  "}
    )
    assert response.status_code == 400 and "Este campo é obrigatório." in response.content.decode()
    assert ticket.messages.count() == 1


def test_the_contact_closes_a_ticket(client_for, customer, ticket):
    client = client_for(customer)
    response = client.post(f"/cliente/chamados/{ticket.number}/fechar/")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert "Chamado fechado." in client.get(response.url).content.decode()
    response = client.post(f"/cliente/chamados/{ticket.number}/fechar/")
    assert "já está fechado" in client.get(response.url).content.decode()


def test_attachment_is_served_as_a_download(client_for, customer, media):
    ticket = open_ticket(
        customer, attachments=[actions.NewAttachment("relatório.pdf", "application/pdf", b"%PDF")]
    )
    attachment = ticket.messages.get().attachments.get()
    response = client_for(customer).get(f"/cliente/anexos/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "relat" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF"


def test_transfers_are_shown_with_the_department_name(client_for, customer, agent, ticket):
    actions.do_transfer_ticket(
        ticket, actor=agent, department=Department.objects.get(slug="financeiro")
    )
    page = client_for(customer).get(f"/cliente/chamados/{ticket.number}/").content.decode()
    assert "Transferido para o departamento Financeiro." in page


def test_a_linked_ticket_shows_when_the_answer_is_expected(client_for, customer, ticket):
    from balcao.sla.selectors import ticket_sla

    due = ticket_sla(ticket).first_response_due
    page = client_for(customer).get(f"/cliente/chamados/{ticket.number}/").content.decode()
    assert "Resposta esperada até" in page
    assert due.astimezone(ZoneInfo("America/Sao_Paulo")).isoformat() in page


def test_the_form_offers_to_search_the_help_articles_first(client_for, customer):
    page = client_for(customer).get("/cliente/abrir-ticket/").content.decode()
    assert 'action="/cliente/ajuda/artigos/"' in page and "Buscar na ajuda" in page
