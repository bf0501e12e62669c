"""Who opened whose data: a staff member opening a customer's ticket page is recorded with one
insert (who, whose, what, when, from where) — its polls are not; administrators read the
record, overall and per person, and nobody can change it."""

import pytest
from django.urls import reverse

from balcao.accounts.models import User
from balcao.factories import SESSION, StaffFactory, make_authorized, make_company, open_ticket
from balcao.privacy.actions import do_record_access
from balcao.privacy.models import AccessRecord

pytestmark = pytest.mark.django_db

EMAIL = "zuleica@megastore.com.br"


@pytest.fixture
def ticket(profile, media):
    company, primary = make_company("team", name="Mega Store")
    return open_ticket(make_authorized(company, primary, EMAIL))


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"], name="Ana Agente")


@pytest.fixture
def administrator(profile):
    return StaffFactory(role=User.Role.ADMINISTRATOR, name="Ada Admin")


def test_opening_a_customer_s_ticket_is_recorded_and_its_polls_are_not(client, ticket, agent):
    client.force_login(agent)
    url = reverse("console:ticket", args=[ticket.number])
    assert client.get(url, REMOTE_ADDR="203.0.113.9").status_code == 200
    record = AccessRecord.objects.get()
    assert (record.actor, record.subject_email, record.what, record.ticket_number) == (
        agent,
        EMAIL,
        "ticket",
        ticket.number,
    )
    assert record.client_address == "203.0.113.9" and record.at is not None
    client.get(url, {"v": "x"}, HTTP_HX_REQUEST="true")  # the page's poll
    assert AccessRecord.objects.count() == 1


def test_administrators_read_the_record_overall_and_per_person(
    client, ticket, agent, administrator
):
    do_record_access(actor=agent, email=EMAIL, what=AccessRecord.What.TICKET, ticket_number=7)
    do_record_access(actor=agent, email="outra@x.com.br", what=AccessRecord.What.EXPORT)
    client.force_login(administrator)
    overall = client.get(reverse("lgpd:accesses"))
    assert len(overall.context["page"].object_list) == 2
    assert "Quem abriu dados pessoais" in overall.text and "Página do chamado #7" in overall.text
    mine = client.get(reverse("lgpd:accesses"), {"email": EMAIL.upper()})
    assert [r.subject_email for r in mine.context["page"].object_list] == [EMAIL]
    client.force_login(agent)
    assert client.get(reverse("lgpd:accesses")).status_code == 404


@pytest.mark.parametrize("n", [3, 30])
def test_the_record_takes_a_constant_number_of_queries(
    client, agent, administrator, n, django_assert_num_queries
):
    for i in range(n):
        do_record_access(actor=agent, email=f"p{i}@x.com.br", what=AccessRecord.What.TICKET)
    client.force_login(administrator)
    with django_assert_num_queries(SESSION + 3):  # user, count, the page with who
        client.get(reverse("lgpd:accesses"))


def test_nobody_edits_or_deletes_the_record_in_the_admin(client, administrator, agent):
    record = do_record_access(actor=agent, email=EMAIL, what=AccessRecord.What.TICKET)
    administrator.is_staff = True
    administrator.save()
    client.force_login(administrator)
    listed = client.get("/admin/privacy/accessrecord/")
    assert listed.status_code == 200 and EMAIL in listed.text
    change = f"/admin/privacy/accessrecord/{record.pk}/change/"
    client.post(change, {"subject_email": "x@x.com", "what": "export"})
    assert client.post(f"/admin/privacy/accessrecord/{record.pk}/delete/").status_code == 403
    record.refresh_from_db()
    assert record.subject_email == EMAIL and record.what == "ticket"
    assert client.get("/admin/privacy/accessrecord/add/").status_code == 403
