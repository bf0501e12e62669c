"""Data subjects' requests: recorded with their legal deadline (15 calendar days, Brasília),
listed by due date with the overdue ones marked, warned about before they are due, and
answered from the console by the client area's own export or by an erasure an administrator
confirms by typing the address — each closing the request with its reference."""

import io
import json
import zipfile
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from balcao.accounts.models import User
from balcao.factories import SESSION, StaffFactory, make_authorized, make_company, open_ticket
from balcao.privacy.actions import do_open_data_request
from balcao.privacy.models import AccessRecord, DataRequest, Erasure
from balcao.privacy.selectors import personal_data, today
from balcao.tickets.actions import NewAttachment
from balcao.tickets.models import Attachment

pytestmark = pytest.mark.django_db

BRT = ZoneInfo("America/Sao_Paulo")
EMAIL = "zuleica@megastore.com.br"


@pytest.fixture
def person(profile, media):
    company, primary = make_company("team", name="Mega Store")
    user = make_authorized(company, primary, EMAIL)
    open_ticket(
        user, body="Meu pedido.", attachments=[NewAttachment("rg.txt", "text/plain", b"RG")]
    )
    return user


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"], name="Ana Agente")


@pytest.fixture
def administrator(profile):
    return StaffFactory(role=User.Role.ADMINISTRATOR, name="Ada Admin")


def request_for(actor, email=EMAIL, kind=DataRequest.Kind.ACCESS, received_at=None):
    return do_open_data_request(
        actor=actor,
        kind=kind,
        email=email,
        channel=DataRequest.Channel.EMAIL,
        received_at=received_at or timezone.now(),
    )


def test_staff_record_a_request_due_15_days_after_the_day_it_arrived_in_brasilia(client, agent):
    client.force_login(agent)
    page = client.get(reverse("lgpd:request_new"))
    assert page.status_code == 200 and "Registrar um pedido" in page.text
    # 23:30 in Brasília is already the next day in UTC: the day counted is Brasília's.
    response = client.post(
        reverse("lgpd:request_new"),
        {
            "kind": "portability",
            "email": "Zuleica@MegaStore.com.br",
            "channel": "phone",
            "received_at": "2026-03-10T23:30",
            "details": "Quer uma cópia dos dados.",
        },
    )
    created = DataRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/lgpd/{created.pk}/"
    assert created.email == EMAIL and created.recorded_by == agent
    assert created.received_at == datetime(2026, 3, 10, 23, 30, tzinfo=BRT)
    assert created.due_on == date(2026, 3, 25) and created.status == "open"


def test_a_request_cannot_be_received_in_the_future(client, agent):
    client.force_login(agent)
    tomorrow = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(
        reverse("lgpd:request_new"),
        {"kind": "access", "email": EMAIL, "channel": "email", "received_at": tomorrow},
    )
    assert page.status_code == 200 and not DataRequest.objects.exists()
    assert "não pode ter sido recebido no futuro" in page.text


def test_the_list_is_by_due_date_with_the_overdue_marked(client, agent):
    now = timezone.now()
    late = request_for(agent, "atrasado@x.com.br", received_at=now - timedelta(days=20))
    soon = request_for(agent, "logo@x.com.br", received_at=now - timedelta(days=13))
    fresh = request_for(agent, "novo@x.com.br", received_at=now)
    client.force_login(agent)
    page = client.get(reverse("lgpd:requests"))
    assert [r.pk for r in page.context["page"].object_list] == [late.pk, soon.pk, fresh.pk]
    rows = page.text.split("<tbody>")[1].split("</tr>")
    assert 'class="overdue"' in rows[0] and "atrasado" in rows[0] and "em atraso" in rows[0]
    assert 'class="overdue"' not in rows[1] + rows[2]
    assert "Pedidos LGPD" in page.text  # under "Mais" in the console's bar


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_takes_a_constant_number_of_queries(client, agent, n, django_assert_num_queries):
    for i in range(n):
        done = request_for(agent, f"p{i}@x.com.br")
        done.handled_by = agent
        done.save()
    client.force_login(agent)
    with django_assert_num_queries(SESSION + 3):  # user, count, the page with who recorded/handled
        assert client.get(reverse("lgpd:requests")).status_code == 200


def test_the_console_warns_of_requests_near_or_past_their_deadline(client, agent):
    client.force_login(agent)
    assert "lgpd/prazos/" in client.get(reverse("console:home")).text  # loaded by every page
    assert client.get(reverse("lgpd:deadlines")).text.strip() == ""
    now = timezone.now()
    request_for(agent, received_at=now - timedelta(days=12))  # due in 3 days
    request_for(agent, received_at=now - timedelta(days=5))  # due in 10 days: not yet
    banner = client.get(reverse("lgpd:deadlines")).text
    assert "1 pedido de titular vence em até 3 dias" in banner and "prazo legal" not in banner
    request_for(agent, received_at=now - timedelta(days=16))
    banner = client.get(reverse("lgpd:deadlines")).text
    assert "1 pedido de titular passou do prazo legal" in banner


def test_the_deadline_warning_is_one_query(client, agent, django_assert_num_queries):
    client.force_login(agent)
    with django_assert_num_queries(SESSION + 2):  # user, the counts
        client.get(reverse("lgpd:deadlines"))


def _zip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_file_purged_by_the_retention_policy_is_marked_so_in_the_export(client, person):
    open_ticket(
        person, body="Antigo.", attachments=[NewAttachment("velho.txt", "text/plain", b"VELHO")]
    )
    Attachment.objects.filter(name="velho.txt").update(purged_at=timezone.now())
    client.force_login(person)
    mine = _zip(b"".join(client.get("/cliente/meus-dados/?download=zip").streaming_content))
    listed = {a["name"]: a["purged"] for a in json.loads(mine["dados.json"])["attachments"]}
    assert listed == {"rg.txt": False, "velho.txt": True}
    assert [v for k, v in mine.items() if k.startswith("anexos/")] == [b"RG"]


def test_staff_export_for_a_request_is_the_client_area_s_zip_and_closes_it(client, person, agent):
    data_request = request_for(agent, kind=DataRequest.Kind.PORTABILITY)
    client.force_login(person)
    mine = _zip(b"".join(client.get("/cliente/meus-dados/?download=zip").streaming_content))
    assert json.loads(mine["dados.json"]) == json.loads(json.dumps(personal_data(EMAIL)))
    assert [v for k, v in mine.items() if k.startswith("anexos/")] == [b"RG"]
    client.force_login(agent)
    response = client.post(
        reverse("lgpd:export", args=[data_request.pk]), REMOTE_ADDR="198.51.100.7"
    )
    assert response["Content-Type"] == "application/zip"
    assert _zip(b"".join(response.streaming_content)) == mine
    data_request.refresh_from_db()
    record = AccessRecord.objects.get(what="export")
    assert (record.actor, record.subject_email, record.client_address) == (
        agent,
        EMAIL,
        "198.51.100.7",
    )
    assert data_request.status == "done" and data_request.export == record
    assert data_request.handled_by == agent and data_request.closed_at is not None
    assert (
        f"registro de acesso nº {record.pk}"
        in client.get(reverse("lgpd:request", args=[data_request.pk])).text
    )


def test_the_request_page_shows_what_is_erased_and_kept_and_records_the_look(
    client, person, administrator
):
    data_request = request_for(administrator, kind=DataRequest.Kind.ERASURE)
    client.force_login(administrator)
    page = client.get(reverse("lgpd:request", args=[data_request.pk]))
    summary = page.context["summary"]
    assert (summary.company, summary.tickets, summary.messages, summary.attachments) == (
        "Mega Store",
        1,
        1,
        1,
    )
    assert "Apagado em todo lugar" in page.text and "Mantido:" in page.text
    assert "Digite o e-mail da pessoa para confirmar" in page.text
    assert AccessRecord.objects.get().what == AccessRecord.What.SUMMARY


def test_an_administrator_erases_by_typing_the_address_and_the_request_closes(
    client, person, administrator
):
    data_request = request_for(administrator, kind=DataRequest.Kind.ERASURE)
    client.force_login(administrator)
    url = reverse("lgpd:erase", args=[data_request.pk])
    page = client.post(url, {"confirm": "outra@megastore.com.br"})
    assert page.status_code == 200 and "nada foi apagado" in page.text
    assert not Erasure.objects.exists() and User.objects.filter(email=EMAIL).exists()
    response = client.post(url, {"confirm": EMAIL.upper()})
    assert response.status_code == 302
    erasure = Erasure.objects.get()
    data_request.refresh_from_db()
    assert not User.objects.filter(email=EMAIL).exists() and erasure.actor == administrator
    assert data_request.status == "done" and data_request.erasure == erasure
    assert data_request.email.endswith("@anonimo.invalid")  # the request stays, not the address
    assert not AccessRecord.objects.filter(subject_email=EMAIL).exists()
    looked = AccessRecord.objects.count()
    after = client.get(reverse("lgpd:request", args=[data_request.pk]))
    assert after.context["summary"] is None and "registro de eliminação nº" in after.text
    assert AccessRecord.objects.count() == looked  # nobody's data is shown any more
    assert client.post(url, {"confirm": data_request.email}).status_code == 302
    assert Erasure.objects.count() == 1  # a closed request erases nothing more


def test_only_administrators_erase_and_customers_see_nothing(client, person, agent):
    data_request = request_for(agent, kind=DataRequest.Kind.ERASURE)
    client.force_login(agent)
    page = client.get(reverse("lgpd:request", args=[data_request.pk]))
    assert "Digite o e-mail" not in page.text
    assert (
        client.post(reverse("lgpd:erase", args=[data_request.pk]), {"confirm": EMAIL}).status_code
        == 404
    )
    assert User.objects.filter(email=EMAIL).exists()
    client.force_login(person)
    for name in ("requests", "accesses", "deadlines"):
        assert client.get(reverse(f"lgpd:{name}")).status_code == 404
    assert client.post(reverse("lgpd:export", args=[data_request.pk])).status_code == 404


def test_a_request_is_closed_by_hand_with_its_answer(client, agent):
    data_request = request_for(agent, kind=DataRequest.Kind.CORRECTION)
    client.force_login(agent)
    url = reverse("lgpd:close", args=[data_request.pk])
    assert client.post(url, {"status": "done", "answer": " "}).status_code == 200
    client.post(url, {"status": "refused", "answer": "Não é titular dos dados."})
    data_request.refresh_from_db()
    assert (data_request.status, data_request.answer, data_request.handled_by) == (
        "refused",
        "Não é titular dos dados.",
        agent,
    )
    listed = client.get(reverse("lgpd:requests") + "?show=closed")
    assert [r.pk for r in listed.context["page"].object_list] == [data_request.pk]
    assert not client.get(reverse("lgpd:requests")).context["page"].object_list


def test_today_is_brasilia_s_date():
    assert today() == timezone.now().astimezone(BRT).date()


def test_a_contact_asks_for_erasure_in_the_client_area_and_staff_see_it(client, person, agent):
    client.force_login(person)
    page = client.get("/cliente/meus-dados/")
    assert "Pedir algo sobre os seus dados" in page.text
    response = client.post(
        "/cliente/meus-dados/", {"kind": "erasure", "details": "Não uso mais."}, follow=True
    )
    created = DataRequest.objects.get()
    assert (created.kind, created.email, created.channel, created.recorded_by) == (
        "erasure",
        EMAIL,
        "client_area",
        person,
    )
    assert created.due_on == today() + timedelta(days=15)
    assert "Seu pedido foi registrado" in response.text and "Eliminação" in response.text
    client.force_login(agent)
    listed = client.get(reverse("lgpd:requests"))
    assert [r.pk for r in listed.context["page"].object_list] == [created.pk]


def test_an_export_does_not_close_a_request_it_does_not_answer(client, person, agent):
    correction = request_for(agent, kind=DataRequest.Kind.CORRECTION)
    client.force_login(agent)
    assert client.post(reverse("lgpd:export", args=[correction.pk])).status_code == 200
    correction.refresh_from_db()
    assert correction.status == "open" and correction.export is None
    assert AccessRecord.objects.filter(what="export", subject_email=EMAIL).count() == 1


@pytest.mark.parametrize("n", [1, 10])
def test_the_request_page_takes_a_constant_number_of_queries(
    client, person, administrator, n, django_assert_num_queries
):
    for i in range(n):
        open_ticket(person, body=f"Mensagem {i}")
    data_request = request_for(administrator)
    client.force_login(administrator)
    # the session, user, request, the access record (insert), the person (user, contact,
    # numbers), counts of tickets, messages, files and e-mails, the accesses to their data
    with django_assert_num_queries(SESSION + 11):
        client.get(reverse("lgpd:request", args=[data_request.pk]))
