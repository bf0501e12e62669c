"""What the ticket page posts (console.ticket_changes), through Django's test client: replies
and notes, assignment, progress, closing and reopening, transfer; and an unlinked ticket
linked to its company, its sender authorized or not."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from balcao.console.tests.conftest import flashes, open_unlinked, text, url
from balcao.customers.models import Contact
from balcao.events.models import Event, EventKind
from balcao.factories import StaffFactory, open_ticket
from balcao.tickets import actions
from balcao.tickets.models import Message, Status

pytestmark = pytest.mark.django_db


def test_reply_answers_and_note_stays_internal(as_agent, ticket):
    response = as_agent.post(url("message", ticket.number), {"body": "Resolvido?", "kind": "reply"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.ANSWERED
    message = ticket.messages.last()
    assert not message.internal and message.channel == "console"
    assert message.delivery == Message.Delivery.PENDING
    as_agent.post(url("message", ticket.number), {"body": "Cliente difícil", "kind": "note"})
    note = ticket.messages.last()
    assert note.internal and note.body_text == "Cliente difícil"
    ticket.refresh_from_db()
    assert ticket.status == Status.ANSWERED


def test_refused_reply_keeps_the_typed_text(as_agent, ticket, media):
    bad = SimpleUploadedFile("virus.exe", b"MZ...", content_type="application/octet-stream")
    response = as_agent.post(
        url("message", ticket.number),
        {"body": "Texto longo que não pode se perder", "kind": "reply", "attachments": [bad]},
    )
    assert response.status_code == 200
    page = text(response)
    assert "virus.exe é um tipo de arquivo que não aceitamos" in page
    assert "Texto longo que não pode se perder</textarea>" in page
    assert ticket.messages.count() == 1
    response = as_agent.post(url("message", ticket.number), {"body": "  ", "kind": "reply"})
    assert "Escreva uma mensagem." in text(response)


def test_reply_with_attachment_is_downloadable_as_attachment(as_agent, ticket, media):
    file = SimpleUploadedFile("relatório.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    as_agent.post(url("message", ticket.number), {"body": "Segue", "attachments": [file]})
    attachment = ticket.messages.last().attachments.get()
    response = as_agent.get(url("attachment", attachment.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "relat" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 demo"
    assert (
        url("attachment", attachment.pk)
        in as_agent.get(url("ticket", ticket.number)).content.decode()
    )


def test_assign_to_me_to_someone_and_refusal(as_agent, ticket, suporte_agent, atendimento_agent):
    response = as_agent.post(url("assign", ticket.number), {"assignee": "me"}, follow=True)
    ticket.refresh_from_db()
    assert ticket.assignee == suporte_agent and ticket.status == Status.ASSIGNED
    assert f"Atribuído a {suporte_agent.display_name}." in flashes(response)
    response = as_agent.post(url("assign", ticket.number), {"assignee": "me"}, follow=True)
    assert "O chamado já está atribuído dessa forma." in flashes(response)
    colleague = StaffFactory(departments=["suporte"])
    as_agent.post(url("assign", ticket.number), {"assignee": colleague.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == colleague
    response = as_agent.post(
        url("assign", ticket.number), {"assignee": atendimento_agent.pk}, follow=True
    )
    assert "Escolha alguém que trabalhe neste departamento." in flashes(response)
    as_agent.post(url("assign", ticket.number), {"assignee": ""})
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.status == Status.OPEN


def test_progress_close_reopen(as_agent, ticket, suporte_agent):
    as_agent.post(url("progress", ticket.number))
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.assignee == suporte_agent
    response = as_agent.post(url("progress", ticket.number), follow=True)
    assert "O chamado já está em andamento." in flashes(response)
    as_agent.post(url("close", ticket.number))
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    response = as_agent.post(url("close", ticket.number), follow=True)
    assert "O chamado já está fechado." in flashes(response)
    as_agent.post(url("reopen", ticket.number))
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED


def test_transfer_and_out_of_sight(as_agent, ticket, profile):
    response = as_agent.post(url("transfer", ticket.number), {"department": "suporte"}, follow=True)
    assert "Escolha outro departamento ativo." in flashes(response)
    response = as_agent.post(url("transfer", ticket.number), {"department": "financeiro"})
    assert response.status_code == 302 and response["Location"] == url("tickets")
    ticket.refresh_from_db()
    assert ticket.department.slug == "financeiro"
    assert Event.objects.filter(ticket=ticket, kind=EventKind.TRANSFERRED).exists()


def test_transfer_refused_by_plan(client, profile, suporte_agent):
    from balcao.factories import make_company

    _, primary = make_company("essencial")
    ticket = open_ticket(primary, "suporte")
    client.force_login(suporte_agent)
    response = client.post(url("transfer", ticket.number), {"department": "sucesso"}, follow=True)
    assert any("TEAM" in note for note in flashes(response))
    ticket.refresh_from_db()
    assert ticket.department.slug == "suporte"


def test_ticket_poll_answers_204_until_something_changes(as_agent, ticket, suporte_agent):
    version = as_agent.get(url("ticket", ticket.number)).context["version"]
    poll = as_agent.get(url("ticket", ticket.number), {"v": version}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 204
    reply = actions.do_add_message(ticket, actor=suporte_agent, body="Nova resposta")
    poll = as_agent.get(url("ticket", ticket.number), {"v": version}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "Nova resposta" in poll.content.decode()
    assert "<html" not in poll.content.decode()
    # the actions follow the new state too (swapped out of band)
    assert 'id="ticket-actions-card" aria-labelledby="ticket-actions" hx-swap-oob="true"' in (
        poll.content.decode()
    )
    version = poll.context["version"]
    actions.do_record_delivery(reply, message_id="<a@b>")  # delivery alone changes the version
    poll = as_agent.get(url("ticket", ticket.number), {"v": version}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "Enviado" in poll.content.decode()


# ---- unlinked tickets -------------------------------------------------------------------


@pytest.fixture
def unlinked(client, atendimento_agent, mega):
    client.force_login(atendimento_agent)
    return open_unlinked()


def test_search_companies_by_name_and_cnpj(client, unlinked, profile):
    from balcao.customers.actions import do_create_company
    from balcao.customers.models import Plan

    do_create_company(
        name="Loja Exemplo",
        plan=Plan.objects.get(slug="essencial"),
        primary_email="dono@lojaexemplo.com.br",
        cnpj="11.222.333/0001-81",
    )
    by_name = client.get(url("ticket", unlinked.number), {"company_q": "mega"})
    assert [c.name for c in by_name.context["companies"]] == ["Mega Store"]
    by_cnpj = client.get(url("ticket", unlinked.number), {"company_q": "11.222.333"})
    assert [c.name for c in by_cnpj.context["companies"]] == ["Loja Exemplo"]
    none = client.get(url("ticket", unlinked.number), {"company_q": "nada disso"})
    assert "Nenhuma empresa ativa corresponde." in text(none)


def test_link_ticket_to_a_company(client, unlinked, mega):
    company, _ = mega
    response = client.post(url("link", unlinked.number), {"company": company.pk}, follow=True)
    assert "Vinculado a Mega Store." in flashes(response)
    unlinked.refresh_from_db()
    assert unlinked.company == company and unlinked.requester is None
    assert not Contact.objects.filter(user__email=unlinked.requester_email).exists()
    response = client.post(url("link", unlinked.number), {"company": company.pk}, follow=True)
    assert "O chamado já está vinculado a Mega Store." in text(response)


def test_link_and_authorize_the_sender_with_consent(client, unlinked, mega, atendimento_agent):
    company, _ = mega
    response = client.post(
        url("link", unlinked.number),
        {"company": company.pk, "authorize": "on", "consent": ""},
    )
    assert response.status_code == 200
    assert "precisa do consentimento do contato principal" in text(response)
    unlinked.refresh_from_db()
    assert unlinked.company is None
    client.post(
        url("link", unlinked.number),
        {"company": company.pk, "authorize": "on", "consent": "por telefone, 12/03, Marcos"},
    )
    unlinked.refresh_from_db()
    contact = Contact.objects.get(user__email="desconhecido@gmail.com")
    assert contact.company == company and not contact.is_primary
    assert unlinked.company == company and unlinked.requester == contact.user
    event = Event.objects.get(kind=EventKind.CONTACT_AUTHORIZED, data__email=contact.user.email)
    assert event.actor == atendimento_agent
    assert event.data["consent"] == "por telefone, 12/03, Marcos"


def test_link_refused_authorization_links_nothing(client, unlinked, mega, profile):
    company, _ = mega
    StaffFactory(email="desconhecido@gmail.com")  # the sender's address belongs to staff
    response = client.post(
        url("link", unlinked.number),
        {"company": company.pk, "authorize": "on", "consent": "por e-mail"},
    )
    assert response.status_code == 200
    assert "pertence a um membro da equipe" in text(response)
    unlinked.refresh_from_db()
    assert unlinked.company is None


def test_link_to_an_unknown_company_is_a_clear_error(client, unlinked):
    response = client.post(url("link", unlinked.number), {"company": 999999})
    assert "Escolha uma empresa nos resultados da busca." in text(response)
