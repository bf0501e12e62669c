"""The client area's meeting pages and the console's agenda: what each person may do, checked on
the server, and their pinned query counts."""

import pytest
from django.test import Client

from balcao.factories import PASSWORD, SESSION, StaffFactory, make_company
from balcao.meetings.actions import do_book_meeting
from balcao.meetings.models import Block, Kind, Meeting, MeetingStatus
from balcao.meetings.tests.conftest import sp
from balcao.tickets.models import Message

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def test_a_team_contact_books_on_the_page(monday, consultant, team):
    client = signed_in(team[1])
    page = client.get("/cliente/reunioes/")
    assert page.status_code == 200
    assert b"/cliente/reunioes/agendar/consultant/" in page.content
    assert b"/cliente/reunioes/agendar/marketing/" not in page.content  # Enterprise only
    form = client.get("/cliente/reunioes/agendar/consultant/")
    assert b'value="2026-03-03T12:00:00+00:00"' in form.content
    booked = client.post(
        "/cliente/reunioes/agendar/consultant/",
        {"topic": "Campanha de Natal", "start": "2026-03-03T12:00:00+00:00"},
    )
    meeting = Meeting.objects.get()
    assert booked.status_code == 302
    assert booked["Location"] == f"/cliente/chamados/{meeting.ticket.number}/"
    assert client.get(booked["Location"]).status_code == 200
    ics = client.get(f"/cliente/reunioes/{meeting.pk}/convite.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    # Another company taking the same time is told so (409), and nothing is booked for it.
    other = signed_in(make_company("team")[1])
    again = other.post(
        "/cliente/reunioes/agendar/consultant/",
        {"topic": "Outra", "start": "2026-03-03T12:00:00+00:00"},
    )
    assert again.status_code == 409 and Meeting.objects.count() == 1
    assert other.get(f"/cliente/reunioes/{meeting.pk}/convite.ics").status_code == 404
    assert other.post(f"/cliente/reunioes/{meeting.pk}/cancelar/").status_code == 404
    client.post(f"/cliente/reunioes/{meeting.pk}/cancelar/")
    assert Meeting.objects.get().status == MeetingStatus.CANCELLED


def test_the_contact_who_booked_reschedules_on_the_page(monday, consultant, team, enterprise):
    client = signed_in(team[1])
    meeting = do_book_meeting(
        actor=team[1], kind=Kind.CONSULTANT, start=sp(2026, 3, 3, 9), topic="Metas"
    )
    do_book_meeting(
        actor=enterprise[1], kind=Kind.CONSULTANT, start=sp(2026, 3, 3, 9, 40), topic="Outra"
    )
    url = f"/cliente/reunioes/{meeting.pk}/remarcar/"
    assert url.encode() in client.get("/cliente/reunioes/").content
    form = client.get(url)
    assert form.status_code == 200 and b"Remarcar" in form.content
    assert b'value="2026-03-03T17:00:00+00:00"' in form.content  # 14:00 in Brasília
    assert b'value="2026-03-03T12:40:00+00:00"' not in form.content  # taken by the other
    taken = client.post(url, {"start": "2026-03-03T12:40:00+00:00"})
    assert taken.status_code == 409 and "acabou de ser reservado" in taken.text
    moved = client.post(url, {"start": "2026-03-03T17:00:00+00:00"})
    assert moved.status_code == 302 and moved["Location"] == "/cliente/reunioes/"
    meeting.refresh_from_db()
    assert (meeting.start, meeting.sequence) == (sp(2026, 3, 3, 14), 1)
    assert signed_in(enterprise[1]).get(url).status_code == 404


def test_a_plan_without_the_kind_sees_what_opens_it_and_cannot_post(monday, consultant, profile):
    client = signed_in(make_company("essencial")[1])
    page = client.get("/cliente/reunioes/agendar/consultant/")
    assert page.status_code == 403 and b"TEAM" in page.content
    posted = client.post(
        "/cliente/reunioes/agendar/consultant/",
        {"topic": "x", "start": "2026-03-03T12:00:00+00:00"},
    )
    assert posted.status_code == 403 and not Meeting.objects.exists()


def test_the_booking_page_shows_the_visitors_own_time_when_it_differs(monday, consultant, team):
    contact = team[1]
    contact.time_zone = "Europe/Lisbon"
    contact.save()
    page = signed_in(contact).get("/cliente/reunioes/agendar/consultant/").content.decode()
    assert "09:00" in page and "(12:00)" in page  # Brasília 9:00 is 12:00 in Lisbon in March


def test_the_meetings_page_has_a_pinned_query_count(
    monday, consultant, team, django_assert_num_queries
):
    client = signed_in(team[1])
    client.get("/cliente/reunioes/")
    for hour in (9, 14):  # constant: one meeting or two
        do_book_meeting(actor=team[1], kind=Kind.CONSULTANT, start=sp(2026, 3, 3, hour), topic="T")
        with django_assert_num_queries(SESSION + 4):  # the contact comes with the user
            client.get("/cliente/reunioes/")


def test_the_host_works_the_agenda(monday, consultant, team, time_machine):
    meeting = do_book_meeting(
        actor=team[1], kind=Kind.CONSULTANT, start=sp(2026, 3, 3, 9), topic="Metas"
    )
    client = signed_in(consultant.user)
    page = client.get("/console/agenda/?dia=2026-03-03&vista=semana")
    assert page.status_code == 200 and b"Metas" in page.content
    client.post(
        "/console/agenda/bloquear/",
        {"start": "2026-03-04T09:00", "end": "2026-03-04T12:00", "reason": "Médico"},
    )
    assert Block.objects.get().reason == "Médico"
    client.post(f"/console/agenda/{meeting.pk}/remarcar/", {"start": "2026-03-03T14:00"})
    meeting.refresh_from_db()
    assert meeting.start == sp(2026, 3, 3, 14) and meeting.sequence == 1
    client.post(f"/console/agenda/{meeting.pk}/nota/", {"body": "Cliente quer ampliar."})
    assert Message.objects.get(internal=True, ticket=meeting.ticket).body_text == (
        "Cliente quer ampliar."
    )
    time_machine.move_to(sp(2026, 3, 3, 14, 40), tick=False)
    client.post(f"/console/agenda/{meeting.pk}/marcar/", {"status": "attended"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ATTENDED
    # Another agent may not touch it; a contact never gets in.
    agent = signed_in(StaffFactory(departments=["sucesso"]))
    assert agent.post(f"/console/agenda/{meeting.pk}/cancelar/").status_code == 404
    assert agent.get("/console/agenda/").status_code == 200
    stranger = signed_in(make_company("team")[1])
    assert stranger.get("/console/agenda/").status_code == 404


def test_the_booking_page_and_the_agenda_have_pinned_query_counts(
    monday, consultant, team, django_assert_num_queries
):
    contact = signed_in(team[1])
    host = signed_in(consultant.user)
    contact.get("/cliente/reunioes/agendar/consultant/")
    host.get("/console/agenda/?dia=2026-03-03&vista=semana")
    for hour in (9, 14):  # constant: one meeting or two
        do_book_meeting(actor=team[1], kind=Kind.CONSULTANT, start=sp(2026, 3, 3, hour), topic="T")
        with django_assert_num_queries(SESSION + 5):  # the contact comes with the user
            contact.get("/cliente/reunioes/agendar/consultant/")
        with django_assert_num_queries(SESSION + 7):
            host.get("/console/agenda/?dia=2026-03-03&vista=semana")


def test_the_reschedule_page_has_a_pinned_query_count(
    monday, consultant, team, enterprise, django_assert_num_queries
):
    contact = signed_in(team[1])
    meeting = do_book_meeting(
        actor=team[1], kind=Kind.CONSULTANT, start=sp(2026, 3, 3, 9), topic="T"
    )
    url = f"/cliente/reunioes/{meeting.pk}/remarcar/"
    contact.get(url)
    for hour in (9, 14):  # constant: however many meetings the host has
        do_book_meeting(
            actor=enterprise[1], kind=Kind.CONSULTANT, start=sp(2026, 3, 4, hour), topic="T"
        )
        # the session, user with contact (the plan's horizon too), the meeting with its host,
        # the host's claims, blocks, the default calendar
        with django_assert_num_queries(SESSION + 5):
            contact.get(url)
