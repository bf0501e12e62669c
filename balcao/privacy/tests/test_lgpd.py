"""LGPD: a person's data exported whole and only theirs; erased everywhere, with no trace of
their address, name or number left in any table or in the media folder; a second run no-op."""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone

from balcao.accounts.actions import record_account_event
from balcao.accounts.models import AccountEvent, Department, User
from balcao.connectors.email.actions import RawMail, do_receive_mail
from balcao.connectors.whatsapp.actions import do_receive_webhook, do_register_number
from balcao.connectors.whatsapp.models import BusinessNumber
from balcao.connectors.whatsapp.tests.conftest import notification, text_message
from balcao.customers.actions import do_authorize_contact
from balcao.factories import StaffFactory, make_authorized, make_company, open_ticket
from balcao.meetings.actions import do_book_meeting
from balcao.meetings.models import Host, Kind, Meeting
from balcao.meetings.selectors import list_slots, local_today
from balcao.meetings.tests.conftest import make_host
from balcao.privacy.actions import do_erase_person, do_open_data_request, do_record_access
from balcao.privacy.models import AccessRecord, DataRequest, Erasure
from balcao.privacy.selectors import personal_data
from balcao.satisfaction.actions import do_rate_ticket
from balcao.tickets.actions import NewAttachment, do_add_message, do_close_ticket
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db

NAME, EMAIL, NUMBER = "Zuleica Pereirinha", "zuleica@megastore.com.br", "5511955554444"
ADDRESS = "203.0.113.61"
FILE = b"conteudo-secreto-da-zuleica"


@pytest.fixture
def zuleica(profile, media):
    company, primary = make_company("team", name="Mega Store")
    user = make_authorized(company, primary, EMAIL)
    user.name = NAME
    user.save()
    record_account_event(user, AccountEvent.Kind.TOKEN_CREATED, actor=user, client=ADDRESS)
    do_register_number(user.contact, actor=primary, number=NUMBER)
    ticket = open_ticket(
        user,
        body="Meu CPF é 123.456.789-00.",
        attachments=[NewAttachment("rg.txt", "text/plain", FILE)],
    )
    do_add_message(ticket, actor=StaffFactory(departments=["suporte"]), body="Recebido.")
    do_receive_mail(RawMail(make_mail(sender=f"{NAME} <{EMAIL}>", subject="Boleto")))
    BusinessNumber.objects.create(
        phone_number_id="106540352242923",
        display_number="+55 11 4000-0002",
        channel="whatsapp_support",
        department=Department.objects.get(slug="suporte"),
    )
    do_receive_webhook(json.dumps(notification(messages=[text_message(NUMBER, "Oi")])).encode())
    other = open_ticket(primary, body="Assunto do primário.")
    host = make_host()
    host.user.name = "Consultora Carla"
    host.user.save()
    [slot, *_] = list_slots(user, Kind.CONSULTANT, local_today(), local_today() + timedelta(14))
    do_book_meeting(
        actor=user, kind=Kind.CONSULTANT, start=slot.start, topic=f"{NAME} 123.456.789-00"
    )
    do_close_ticket(ticket, actor=user)
    do_rate_ticket(ticket, actor=user, score=2, comment=f"Sou {NAME}, CPF 123.456.789-00.")
    return user, ticket, other, primary


def test_export_has_everything_of_the_person_and_nothing_of_others(zuleica):
    _user, ticket, other, primary = zuleica
    data = personal_data(EMAIL)
    assert data["profile"]["name"] == NAME and data["contact"]["company"] == "Mega Store"
    assert data["whatsapp_numbers"] == [NUMBER]
    numbers = [t["number"] for t in data["tickets"]]
    assert ticket.number in numbers and other.number not in numbers and len(numbers) == 4
    texts = [m["text"] for m in data["messages"]]
    assert "Meu CPF é 123.456.789-00." in texts and "Recebido." not in texts
    assert data["attachments"][0]["name"] == "rg.txt"
    assert {e["kind"] for e in data["events"]} >= {"contact_authorized", "whatsapp_number_added"}
    assert [m["subject"] for m in data["emails_received"]] == ["Boleto"]
    assert [e["address"] for e in data["account_events"]] == [ADDRESS]
    [rating] = data["satisfaction"]
    assert (rating["ticket"], rating["score"]) == (ticket.number, 2) and NAME in rating["comment"]
    assert primary.email not in json.dumps(data) and "Assunto do primário" not in json.dumps(data)
    [meeting] = data["meetings"]
    assert meeting["topic"] == f"{NAME} 123.456.789-00" and meeting["host"] == "Consultora Carla"
    assert meeting["kind"] == "consultant" and meeting["status"] == "booked"
    assert meeting["start"] < meeting["end"] and meeting["ticket"] in numbers
    host = Host.objects.get().user
    assert host.email not in json.dumps(data)  # the host's name, never a staff address


def test_the_command_prints_the_same_export(zuleica, capsys):
    call_command("lgpd", "export", EMAIL)
    assert json.loads(capsys.readouterr().out) == json.loads(
        json.dumps(personal_data(EMAIL), ensure_ascii=False)
    )


def _traces(needles: list[str]) -> list[str]:
    """Every text, JSON and binary value of every table that contains one of ``needles``."""
    found = []
    kinds = (models.CharField, models.TextField, models.JSONField, models.BinaryField)
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, kinds)]
        if not fields:
            continue
        for row in model.objects.values("pk", *fields).iterator():
            for name in fields:
                value = row[name]
                if value is None:
                    continue
                text = (
                    bytes(value).decode("utf-8", "replace")
                    if isinstance(value, bytes | memoryview)
                    else value
                    if isinstance(value, str)
                    else json.dumps(value, ensure_ascii=False)
                )
                for needle in needles:
                    if needle.lower() in text.lower():
                        found.append(f"{model._meta.label}.{name}#{row['pk']}: {needle}")
    return found


def test_erase_leaves_no_trace_and_keeps_the_company_s_tickets(zuleica, media):
    _user, ticket, other, _primary = zuleica
    needles = [EMAIL, NAME, NUMBER, "123.456.789-00"]
    staff = StaffFactory()
    data_request = do_open_data_request(
        actor=staff,
        kind=DataRequest.Kind.ERASURE,
        email=EMAIL,
        channel=DataRequest.Channel.PHONE,
        received_at=timezone.now(),
        details=f"{NAME} ligou pedindo a eliminação.",
    )
    do_record_access(actor=staff, email=EMAIL, what=AccessRecord.What.TICKET, ticket_number=1)
    assert _traces(needles)  # the scan sees them before
    erasure = do_erase_person(EMAIL, actor=staff, request=data_request)
    assert _traces(needles) == []
    assert not AccountEvent.objects.filter(client_address=ADDRESS).exists()
    assert not any(FILE in path.read_bytes() for path in media.rglob("*") if path.is_file())
    # Nor the raw e-mail they sent, kept in the raw store's files.
    assert not any(
        EMAIL.encode() in path.read_bytes() for path in media.rglob("*") if path.is_file()
    )
    ticket.refresh_from_db()
    assert ticket.company.name == "Mega Store" and ticket.messages.count() == 2
    other.refresh_from_db()
    assert other.messages.get().body_text == "Assunto do primário."
    assert erasure.counts["tickets"] == 4 and erasure.counts["files"] == 1
    meeting = Meeting.objects.get()  # kept, for the statistics, without what they wrote
    assert meeting.status == "booked" and meeting.company.name == "Mega Store"
    assert erasure.counts["meetings"] == 1 and NAME not in meeting.topic
    assert ticket.satisfaction.score == 2  # the statistics stay, the words go
    assert erasure.counts["satisfaction_comments"] == 1
    assert do_erase_person(EMAIL) is None and Erasure.objects.count() == 1
    data_request.refresh_from_db()
    assert data_request.erasure == erasure and data_request.kind == "erasure"
    assert AccessRecord.objects.get().ticket_number == 1  # the look stays, not whose


def test_a_list_kept_rendered_shows_the_erasure_at_once(
    zuleica, client, django_capture_on_commit_callbacks
):
    admin = StaffFactory(role=User.Role.ADMINISTRATOR)
    client.force_login(admin)
    assert NAME in client.get(reverse("console:tickets")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the list token moves on commit
        do_erase_person(EMAIL, actor=admin)
    page = client.get(reverse("console:tickets")).content.decode()
    assert EMAIL not in page and NAME not in page


def test_the_command_asks_before_erasing(zuleica, monkeypatch, capsys):
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(Exception, match="Nothing was erased"):
        call_command("lgpd", "erase", EMAIL)
    assert personal_data(EMAIL)["profile"] is not None
    call_command("lgpd", "erase", EMAIL, "--yes")
    assert json.loads(capsys.readouterr().out)["erased"] is True


def test_a_contact_downloads_its_data_from_the_client_area(client, zuleica):
    user = zuleica[0]
    client.force_login(user)
    page = client.get("/cliente/meus-dados/")
    assert page.status_code == 200 and "Baixar meus dados" in page.text
    assert "/cliente/meus-dados/" in client.get("/cliente/").text
    download = client.get("/cliente/meus-dados/?download=1")
    assert download["Content-Disposition"].startswith("attachment")
    assert json.loads(download.content) == json.loads(json.dumps(personal_data(EMAIL)))
    client.force_login(StaffFactory())
    assert client.get("/cliente/meus-dados/?download=1").status_code == 302


def test_the_export_says_who_authorized_the_contact_when_and_how_consent_was_given(zuleica):
    data = personal_data(EMAIL)
    consent = data["consent"]
    assert consent["given_by"] == "primary contact" and consent["primary_contact"] is False
    assert consent["recorded_at"][:16] == data["contact"]["authorized_at"][:16]  # same minute
    company, primary = make_company("team", name="Outra Loja")
    staff = StaffFactory(name="Ana Agente")
    do_authorize_contact(
        company, actor=staff, email="bia@outraloja.com.br", consent="E-mail do primário, 1/12"
    )
    by_staff = personal_data("bia@outraloja.com.br")["consent"]
    assert (by_staff["given_by"], by_staff["recorded_by"], by_staff["how"]) == (
        "staff",
        "Ana Agente",
        "E-mail do primário, 1/12",
    )
    assert "agent" not in json.dumps(by_staff)  # the staff member's name, not their address
