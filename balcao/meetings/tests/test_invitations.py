"""Invitations read back with the icalendar package, reminders that fire once, and the API —
with two bookings of one slot at the same instant from real threads."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from icalendar import Calendar

from balcao.factories import PASSWORD, make_company
from balcao.meetings.actions import do_book_meeting, do_cancel_meeting, do_reschedule_meeting
from balcao.meetings.models import Kind, Meeting, Reminder
from balcao.meetings.tasks import meeting_reminder_task, send_invitation_task
from balcao.meetings.tests.conftest import SP, make_host, sp

pytestmark = pytest.mark.django_db


def parsed(meeting: Meeting):
    from balcao.meetings.ics import invitation

    cal = Calendar.from_ical(invitation(Meeting.objects.get(pk=meeting.pk)))
    return cal, cal.walk("VEVENT")[0]


def test_request_then_update_then_cancel_keep_the_uid_and_raise_the_sequence(
    monday, consultant, team
):
    meeting = do_book_meeting(
        actor=team[1], kind=Kind.CONSULTANT, start=sp(2026, 3, 3, 9), topic="Metas"
    )
    cal, event = parsed(meeting)
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == meeting.uid and int(event["SEQUENCE"]) == 0
    start = event.decoded("DTSTART")
    assert start == sp(2026, 3, 3, 9) and start.tzinfo is not None
    assert str(event["DTSTART"].params["TZID"]) == "America/Sao_Paulo"
    assert event.decoded("DTEND") - start == timedelta(minutes=30)
    assert str(event["ORGANIZER"]) == f"mailto:{consultant.user.email}"
    assert f"mailto:{team[1].email}" in [str(a) for a in event["ATTENDEE"]]
    assert str(event["LOCATION"]) == consultant.place
    assert cal.walk("VTIMEZONE")

    do_reschedule_meeting(meeting, actor=consultant.user, start=sp(2026, 3, 3, 14))
    cal, event = parsed(meeting)
    assert (str(cal["METHOD"]), str(event["UID"]), int(event["SEQUENCE"])) == (
        "REQUEST",
        meeting.uid,
        1,
    )
    assert event.decoded("DTSTART") == sp(2026, 3, 3, 14)

    do_cancel_meeting(meeting, actor=team[1])
    cal, event = parsed(meeting)
    assert (str(cal["METHOD"]), str(event["UID"]), int(event["SEQUENCE"])) == (
        "CANCEL",
        meeting.uid,
        2,
    )
    assert str(event["STATUS"]) == "CANCELLED"


def test_the_invitation_mail_goes_to_both_with_a_calendar_part(monday, consultant, team):
    meeting = do_book_meeting(
        actor=team[1], kind=Kind.CONSULTANT, start=sp(2026, 3, 3, 9), topic="Metas"
    )
    send_invitation_task.call(meeting.pk, 0)
    send_invitation_task.call(meeting.pk, 5)  # an older or newer version: not sent
    [sent] = mail.outbox
    assert set(sent.to) == {team[1].email, consultant.user.email}
    part = next(p for p in sent.message().walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    assert Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]["UID"] == meeting.uid


def test_reminders_fire_once_and_not_for_a_time_the_meeting_left(monday, consultant, team):
    meeting = do_book_meeting(
        actor=team[1], kind=Kind.CONSULTANT, start=sp(2026, 3, 3, 9), topic="Metas"
    )
    old = meeting.start.isoformat()
    meeting_reminder_task.call(meeting.pk, old, 24)
    meeting_reminder_task.call(meeting.pk, old, 24)  # delivered twice by the queue
    assert len(mail.outbox) == 1
    do_reschedule_meeting(meeting, actor=consultant.user, start=sp(2026, 3, 3, 14))
    meeting_reminder_task.call(meeting.pk, old, 1)  # scheduled for the old time: silent
    new = sp(2026, 3, 3, 14).isoformat()
    meeting_reminder_task.call(meeting.pk, new, 1)
    meeting_reminder_task.call(meeting.pk, new, 1)
    assert len(mail.outbox) == 2
    assert Reminder.objects.count() == 2


# --- the API -------------------------------------------------------------------------------


def api_for(user) -> Client:
    token = (
        Client()
        .post(
            "/api/v1/auth/token",
            {"email": user.email, "password": PASSWORD},
            content_type="application/json",
        )
        .json()["token"]
    )
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_the_api_lists_books_refuses_and_cancels(monday, consultant, team, profile):
    client = api_for(team[1])
    slots = client.get("/api/v1/meetings/slots?kind=consultant&from=2026-03-03&to=2026-03-03")
    assert slots.status_code == 200
    first = slots.json()[0]
    assert first == {
        "start": "2026-03-03T09:00:00-03:00",
        "end": "2026-03-03T09:30:00-03:00",
        "staff": consultant.user.name,
    }
    assert (
        client.get(
            "/api/v1/meetings/slots?kind=marketing&from=2026-03-03&to=2026-03-03"
        ).status_code
        == 403
    )
    booked = client.post(
        "/api/v1/meetings",
        {"kind": "consultant", "start": first["start"], "topic": "Metas do trimestre"},
        content_type="application/json",
    )
    assert booked.status_code == 201
    body = booked.json()
    assert set(body) == {"id", "ticket", "start", "end", "staff", "ics_url"}
    assert body["start"] == first["start"] and body["staff"] == consultant.user.name
    ics = client.get(body["ics_url"].replace("http://testserver", ""))
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    assert Calendar.from_ical(ics.content).walk("VEVENT")[0]["UID"]

    other = api_for(make_company("enterprise")[1])
    again = other.post(
        "/api/v1/meetings",
        {"kind": "consultant", "start": first["start"], "topic": "Outra"},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["detail"]
    assert other.get("/api/v1/meetings").json() == []
    assert other.post(f"/api/v1/meetings/{body['id']}/cancel").status_code == 404
    assert [m["id"] for m in client.get("/api/v1/meetings").json()] == [body["id"]]
    cancelled = client.post(f"/api/v1/meetings/{body['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.post(f"/api/v1/meetings/{body['id']}/cancel").status_code == 409


def test_the_api_reschedules_for_the_contact_who_booked(monday, consultant, team, enterprise):
    client = api_for(team[1])
    meeting = do_book_meeting(
        actor=team[1], kind=Kind.CONSULTANT, start=sp(2026, 3, 3, 9), topic="Metas"
    )
    do_book_meeting(
        actor=enterprise[1], kind=Kind.CONSULTANT, start=sp(2026, 3, 3, 9, 40), topic="Outra"
    )
    url = f"/api/v1/meetings/{meeting.pk}/reschedule"
    moved = client.post(
        url, {"start": "2026-03-03T14:00:00-03:00"}, content_type="application/json"
    )
    assert moved.status_code == 200
    assert (moved.json()["start"], moved.json()["end"]) == (
        "2026-03-03T14:00:00-03:00",
        "2026-03-03T14:30:00-03:00",
    )
    assert parsed(meeting)[1]["SEQUENCE"] == 1
    taken = client.post(
        url, {"start": "2026-03-03T09:40:00-03:00"}, content_type="application/json"
    )
    assert taken.status_code == 409 and taken.json()["detail"]
    far = client.post(url, {"start": "2026-04-07T09:00:00-03:00"}, content_type="application/json")
    assert far.status_code == 400
    other = api_for(enterprise[1])
    assert (
        other.post(
            url, {"start": "2026-03-03T15:00:00-03:00"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_an_essencial_contact_gets_403_and_bad_input_400(monday, consultant, profile):
    client = api_for(make_company("essencial")[1])
    assert (
        client.get(
            "/api/v1/meetings/slots?kind=consultant&from=2026-03-03&to=2026-03-03"
        ).status_code
        == 403
    )
    booked = client.post(
        "/api/v1/meetings",
        {"kind": "consultant", "start": "2026-03-03T09:00:00-03:00", "topic": "x"},
        content_type="application/json",
    )
    assert booked.status_code == 403
    assert (
        client.get("/api/v1/meetings/slots?kind=other&from=2026-03-03&to=2026-03-03").status_code
        == 400
    )


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_slot_at_once_one_wins_one_gets_409(profile, time_machine):
    time_machine.move_to(sp(2026, 3, 2, 8), tick=False)
    make_host()
    clients = [api_for(make_company("team")[1]) for _ in range(2)]
    start = "2026-03-03T09:00:00-03:00"
    barrier = threading.Barrier(2)
    answers = []

    def book(client):
        barrier.wait()
        answers.append(
            client.post(
                "/api/v1/meetings",
                {"kind": "consultant", "start": start, "topic": "Corrida"},
                content_type="application/json",
            )
        )
        connection.close()

    threads = [threading.Thread(target=book, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [201, 409]
    assert Meeting.objects.count() == 1
    assert Meeting.objects.get().start == sp(2026, 3, 3, 9).astimezone(SP)
