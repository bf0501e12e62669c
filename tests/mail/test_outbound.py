"""What Balcão sends, captured by a real SMTP server (aiosmtpd): threading headers, token,
language, automatic answers marked as such, retries and the failure recorded on the ticket."""

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from balcao.connectors.email.models import InboundMail
from balcao.customers.actions import do_remove_contact
from balcao.events.models import EventKind
from balcao.factories import StaffFactory
from balcao.tickets.actions import NewAttachment, do_add_message
from balcao.tickets.delivery import MAX_ATTEMPTS
from balcao.tickets.models import Message, Receipt, Ticket
from balcao.tickets.tasks import deliver_answer_task, deliver_reply_task
from tests.mail.conftest import make_mail, receive

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Capture:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.original_content))
        return "250 OK"

    def parsed(self, index=-1):
        rcpt, raw = self.messages[index]
        return rcpt, message_from_bytes(raw, policy=policy.default)


@pytest.fixture
def smtp(settings):
    capture = Capture()
    controller = Controller(capture, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield capture
    controller.stop()


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"], name="Ana Suporte")


def test_reply_threads_and_the_answer_to_it_joins_the_ticket(loja, agent, smtp):
    _, primary = loja
    opened = receive(make_mail(sender=primary.email, Message_ID="<cust-1@cliente.example>"))
    ticket = Ticket.objects.get(number=opened.ticket)
    reply = do_add_message(ticket, actor=agent, body="Pode limpar o cache?")
    deliver_reply_task.call(reply.pk, 1)
    rcpt, sent = smtp.parsed()
    reply.refresh_from_db()
    assert rcpt == [primary.email]
    assert sent["Subject"] == f"[#{ticket.number}] Checkout fora do ar"
    assert sent["From"] == "Suporte <suporte@balcao.localhost>"
    assert sent["Message-ID"].strip() == f"<{reply.message_id}>"
    assert sent["In-Reply-To"] == "<cust-1@cliente.example>"
    assert "<cust-1@cliente.example>" in sent["References"]
    assert sent["Auto-Submitted"] == "no"
    assert "Pode limpar o cache?" in sent.get_body(("plain",)).get_content()
    assert "responda a este e-mail" in sent.get_body(("plain",)).get_content()
    assert reply.delivery == Message.Delivery.SENT

    answer = make_mail(
        sender=primary.email,
        subject=f"Re: {sent['Subject']}",
        In_Reply_To=sent["Message-ID"].strip(),
        References=sent["References"] + " " + sent["Message-ID"],
        body="Limpei e continua.\n\nOn Mon, 24 Nov 2026 at 10:00, Suporte wrote:\n> Pode limpar o cache?",
    )
    joined = receive(answer)
    assert joined.action == "joined" and joined.ticket == ticket.number
    assert ticket.messages.last().body_text == "Limpei e continua."


def test_acknowledgement_of_an_email_ticket_is_an_automatic_answer(loja, smtp):
    opened = receive(make_mail(sender=loja[1].email, Message_ID="<cust-2@cliente.example>"))
    ticket = Ticket.objects.get(number=opened.ticket)
    deliver_answer_task.call(Receipt.objects.get(ticket=ticket).pk)
    _, sent = smtp.parsed()
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["In-Reply-To"] == "<cust-2@cliente.example>"
    assert f"Recebemos seu chamado #{ticket.number}" in sent.get_body(("plain",)).get_content()


def test_requesters_language_is_used(loja, smtp):
    _, primary = loja
    primary.language = "en"
    primary.save()
    opened = receive(make_mail(sender=primary.email))
    deliver_answer_task.call(Receipt.objects.get(ticket__number=opened.ticket).pk)
    _, sent = smtp.parsed()
    assert "We received your ticket" in sent.get_body(("plain",)).get_content()


def test_no_acknowledgement_to_an_auto_reply(loja, smtp):
    opened = receive(make_mail(sender=loja[1].email, Auto_Submitted="auto-replied"))
    receipt = Receipt.objects.get(ticket__number=opened.ticket)
    deliver_answer_task.call(receipt.pk)
    assert receipt.answer == "" and smtp.messages == []


def test_unlinked_sender_is_told_how_to_write(profile, smtp):
    opened = receive(make_mail(sender="alguem@gmail.com", Message_ID="<pessoal@gmail.com>"))
    deliver_answer_task.call(Receipt.objects.get().pk)
    rcpt, sent = smtp.parsed()
    text = sent.get_body(("plain",)).get_content()
    assert rcpt == ["alguem@gmail.com"] and sent["Auto-Submitted"] == "auto-replied"
    assert sent["In-Reply-To"] == "<pessoal@gmail.com>"
    assert sent["Subject"].startswith(f"[#{opened.ticket}]")
    assert "e-mail cadastrado" in text


def test_refused_department_is_explained(loja, smtp):
    receive(make_mail(sender=loja[1].email, to="sucesso@balcao.localhost"))
    deliver_answer_task.call(Receipt.objects.get().pk)
    text = smtp.parsed()[1].get_body(("plain",)).get_content()
    assert "Atendimento" in text and "TEAM" in text


def test_smtp_failure_is_retried_then_recorded_on_the_ticket(loja, agent, settings, tasks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    opened = receive(make_mail(sender=loja[1].email))
    ticket = Ticket.objects.get(number=opened.ticket)
    reply = do_add_message(ticket, actor=agent, body="Resposta")
    tasks.clear()
    deliver_reply_task.call(reply.pk, 1)
    reply.refresh_from_db()
    [retry] = [r for r in tasks.results if r.task.name == "deliver_reply_task"]
    assert retry.args == [reply.pk, 2] and retry.task.run_after is not None
    assert reply.delivery == Message.Delivery.PENDING

    deliver_reply_task.call(reply.pk, MAX_ATTEMPTS)
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.FAILED and reply.delivery_error
    assert ticket.events.filter(kind=EventKind.DELIVERY_FAILED).exists()


def test_a_bounce_of_a_reply_marks_it_not_delivered(loja, agent, smtp):
    opened = receive(make_mail(sender=loja[1].email))
    ticket = Ticket.objects.get(number=opened.ticket)
    reply = do_add_message(ticket, actor=agent, body="Resposta")
    deliver_reply_task.call(reply.pk, 1)
    _, sent = smtp.parsed()
    bounce = (
        "From: MAILER-DAEMON@mx.lojaexemplo.com.br\r\n"
        "To: suporte@balcao.localhost\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Auto-Submitted: auto-replied\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.lojaexemplo.com.br\r\n\r\n"
        f"Final-Recipient: rfc822; {loja[1].email}\r\nAction: failed\r\nStatus: 5.2.2\r\n"
        "Diagnostic-Code: smtp; 552 mailbox full\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {sent['Message-ID'].strip()}\r\nSubject: {sent['Subject']}\r\n\r\n"
        "--B--\r\n"
    ).encode()
    result = receive(bounce, envelope_sender="")
    reply.refresh_from_db()
    assert result.action == "joined" and result.ticket == ticket.number
    assert reply.delivery == Message.Delivery.FAILED and "552 mailbox full" in reply.delivery_error
    assert ticket.events.filter(kind=EventKind.DELIVERY_FAILED).exists()
    assert Ticket.objects.count() == 1 and ticket.messages.count() == 2
    assert InboundMail.objects.get(auto_generated=True).ticket == ticket


def test_a_removed_contact_no_longer_receives_the_company_s_ticket_emails(mega, agent, smtp):
    """R2: once the primary contact removes an authorized contact, the team's replies on the
    tickets that contact opened are not e-mailed to it; the ticket shows why."""
    company, primary, ti = mega
    opened = receive(make_mail(sender=ti.email))
    ticket = Ticket.objects.get(number=opened.ticket)
    do_remove_contact(ti.contact, actor=primary)
    reply = do_add_message(ticket, actor=agent, body="Resolvido.")
    deliver_reply_task.call(reply.pk, 1)
    reply.refresh_from_db()
    assert smtp.messages == []
    assert reply.delivery == Message.Delivery.FAILED
    assert "não é mais um contato autorizado" in reply.delivery_error


def test_a_contact_naming_another_company_s_ticket_is_told_it_is_not_theirs(loja, mega, smtp):
    ticket = Ticket.objects.get(number=receive(make_mail(sender=loja[1].email)).ticket)
    subject = f"Re: [#{ticket.number}] {ticket.subject}"
    held = receive(make_mail(sender=mega[2].email, subject=subject))
    deliver_answer_task.call(Receipt.objects.get(ticket__number=held.ticket).pk)
    rcpt, sent = smtp.parsed()
    text = sent.get_body(("plain",)).get_content()
    assert rcpt == [mega[2].email] and f"#{ticket.number}" in text
    assert "não é um chamado da sua empresa" in text and "cadastrado" not in text


def _mime_files(sent):
    return {
        part.get_filename(): (part.get_content_type(), len(part.get_content()))
        for part in sent.iter_attachments()
    }


def test_files_of_a_reply_go_out_with_its_e_mail(loja, agent, smtp, media):
    _, primary = loja
    opened = receive(make_mail(sender=primary.email, subject="Segunda via do boleto"))
    ticket = Ticket.objects.get(number=opened.ticket)
    boleto = b"%PDF-1.4 boleto " + b"0" * 5000
    reply = do_add_message(
        ticket,
        actor=agent,
        body="Segue o boleto e a nota.",
        channel="console",
        attachments=[
            NewAttachment("boleto.pdf", "application/pdf", boleto),
            NewAttachment("nota fiscal.xml", "application/xml", b"<nfe/>"),
        ],
    )
    deliver_reply_task.call(reply.pk, 1)
    rcpt, sent = smtp.parsed()
    assert rcpt == [primary.email]
    assert sent.get_content_type() == "multipart/mixed"
    assert _mime_files(sent) == {
        "boleto.pdf": ("application/pdf", len(boleto)),
        "nota fiscal.xml": ("application/xml", len(b"<nfe/>")),
    }
    assert next(sent.iter_attachments()).get_content() == boleto
    assert "Segue o boleto" in sent.get_body(("plain",)).get_content()


def test_a_reply_without_files_has_no_attachment_parts(loja, agent, smtp):
    _, primary = loja
    opened = receive(make_mail(sender=primary.email))
    reply = do_add_message(Ticket.objects.get(number=opened.ticket), actor=agent, body="Ok.")
    deliver_reply_task.call(reply.pk, 1)
    assert _mime_files(smtp.parsed()[1]) == {}


def test_replies_go_to_the_requester_and_the_copied_authorized_contacts(mega, agent, smtp):
    company, primary, ti = mega
    outsider = "curioso@fora.example"
    opened = receive(
        make_mail(sender=primary.email, Cc=f"{ti.email}, {outsider}", subject="Pedido travado")
    )
    ticket = Ticket.objects.get(number=opened.ticket)
    assert list(ticket.cc.values_list("email", flat=True)) == [ti.email]
    reply = do_add_message(ticket, actor=agent, body="Destravamos.")
    deliver_reply_task.call(reply.pk, 1)
    rcpt, sent = smtp.parsed()
    assert sorted(rcpt) == sorted([primary.email, ti.email])
    assert sent["To"] == primary.email
    assert sent["Cc"] == ti.email

    do_remove_contact(ti.contact, actor=primary)
    second = do_add_message(ticket, actor=agent, body="Mais uma coisa.")
    deliver_reply_task.call(second.pk, 1)
    rcpt, sent = smtp.parsed()
    assert rcpt == [primary.email]
    assert sent["Cc"] is None
