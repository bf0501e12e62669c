"""Booking as a contact does it: within the plan, its quota and horizon; the meeting is a ticket
whose history keeps the booking and every change; the host reschedules, blocks time, marks."""

import json
from datetime import date

import pytest

from balcao.accounts.models import Department, User
from balcao.core.errors import ActionRefused
from balcao.customers.models import Plan
from balcao.events.models import EventKind
from balcao.factories import StaffFactory, make_authorized, make_company
from balcao.meetings.actions import (
    do_block_time,
    do_book_meeting,
    do_cancel_meeting,
    do_mark_meeting,
    do_reschedule_meeting,
)
from balcao.meetings.models import Claim, Kind, Meeting, MeetingStatus
from balcao.meetings.selectors import list_slots
from balcao.meetings.tests.conftest import make_host, sp
from balcao.tickets.history import visible_events
from balcao.tickets.models import Origin, Status

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 3, 3)


def book(user, start, kind=Kind.CONSULTANT, topic="Plano de expansão"):
    return do_book_meeting(actor=user, kind=kind, start=start, topic=topic)


def test_a_team_contact_books_a_consultant_and_gets_a_ticket_with_its_history(
    monday, consultant, team, tasks, django_capture_on_commit_callbacks
):
    company, contact = team
    slots = list_slots(contact, Kind.CONSULTANT, TUESDAY, TUESDAY)
    assert [s.start for s in slots][:2] == [sp(2026, 3, 3, 9), sp(2026, 3, 3, 9, 40)]
    with django_capture_on_commit_callbacks(execute=True):
        meeting = book(contact, sp(2026, 3, 3, 9, 40))

    assert (meeting.start, meeting.end) == (sp(2026, 3, 3, 9, 40), sp(2026, 3, 3, 10, 10))
    ticket = meeting.ticket
    assert ticket.origin == Origin.MEETING and ticket.department.slug == "sucesso"
    assert ticket.company == company and ticket.requester == contact
    assert ticket.assignee == consultant.user and ticket.status == Status.ASSIGNED
    assert Claim.objects.filter(meeting=meeting).count() == 8  # 30 min + 10 min buffer
    # The contact follows it in Ver chamados: the booking is in the history they read.
    texts = [e.text for e in visible_events(contact, ticket) if e.event]
    assert any(consultant.user.name in t and "Plano de expansão" in t for t in texts)
    reminders = [r for r in tasks.results if r.task.name == "meeting_reminder_task"]
    assert sorted(r.task.run_after for r in reminders) == [
        sp(2026, 3, 2, 9, 40),
        sp(2026, 3, 3, 8, 40),
    ]
    invitations = [r for r in tasks.results if r.task.name == "send_invitation_task"]
    assert [list(r.args) for r in invitations] == [[meeting.pk, 0]]
    # The slot is gone for everyone.
    assert sp(2026, 3, 3, 9, 40) not in [
        s.start for s in list_slots(contact, Kind.CONSULTANT, TUESDAY, TUESDAY)
    ]


def test_a_plan_without_the_kind_is_told_what_would_open_it(monday, consultant, profile):
    _company, essencial = make_company("essencial")
    _company, team_contact = make_company("team")
    make_host(Kind.MARKETING)
    with pytest.raises(ActionRefused, match="TEAM") as refused:
        list_slots(essencial, Kind.CONSULTANT, TUESDAY, TUESDAY)
    assert refused.value.code == "forbidden"
    with pytest.raises(ActionRefused, match="Enterprise"):
        book(team_contact, sp(2026, 3, 3, 9), kind=Kind.MARKETING)


def test_the_monthly_quota_counts_meetings_of_that_month_not_cancelled(monday, consultant, team):
    _company, contact = team  # TEAM: 2 a month
    first = book(contact, sp(2026, 3, 3, 9))
    book(contact, sp(2026, 3, 3, 9, 40))
    with pytest.raises(ActionRefused) as refused:
        book(contact, sp(2026, 3, 3, 10, 20))
    assert refused.value.code == "quota"
    book(contact, sp(2026, 4, 1, 9))  # a meeting of April counts for April
    do_cancel_meeting(first, actor=contact)
    book(contact, sp(2026, 3, 3, 10, 20))


def test_the_horizon_and_the_grid_are_checked_on_the_server(monday, consultant, team):
    _company, contact = team
    with pytest.raises(ActionRefused, match="30") as refused:
        book(contact, sp(2026, 4, 7, 9))
    assert refused.value.code == "invalid"
    assert not list_slots(contact, Kind.CONSULTANT, date(2026, 4, 2), date(2026, 4, 30))
    for start, topic in [
        (sp(2026, 3, 3, 9, 5), "Off the grid"),
        (sp(2026, 3, 2, 7), "Already past"),
        (sp(2026, 3, 3, 9), "   "),
    ]:
        with pytest.raises(ActionRefused) as refused:
            book(contact, start, topic=topic)
        assert refused.value.code == "invalid"
    assert not Claim.objects.exists()


def test_a_slot_taken_is_refused_as_taken(monday, consultant, team, enterprise):
    book(team[1], sp(2026, 3, 3, 9))
    with pytest.raises(ActionRefused) as refused:
        book(enterprise[1], sp(2026, 3, 3, 9))
    assert refused.value.code == "taken"


def test_two_hosts_of_a_kind_take_the_same_time_one_each(monday, consultant, team, enterprise):
    other = make_host()
    a = book(team[1], sp(2026, 3, 3, 9))
    b = book(enterprise[1], sp(2026, 3, 3, 9))
    assert {a.host, b.host} == {consultant, other}


def test_cancelling_frees_the_time_and_closes_the_ticket(monday, consultant, team):
    _company, contact = team
    meeting = book(contact, sp(2026, 3, 3, 9))
    meeting = do_cancel_meeting(meeting, actor=contact)
    assert meeting.status == MeetingStatus.CANCELLED and meeting.sequence == 1
    assert not Claim.objects.exists()
    meeting.ticket.refresh_from_db()
    assert meeting.ticket.status == Status.CLOSED
    assert sp(2026, 3, 3, 9) in [
        s.start for s in list_slots(contact, Kind.CONSULTANT, TUESDAY, TUESDAY)
    ]
    with pytest.raises(ActionRefused):
        do_cancel_meeting(meeting, actor=contact)
    _other, stranger = make_company("team")
    second = book(contact, sp(2026, 3, 3, 9, 40))
    with pytest.raises(ActionRefused):
        do_cancel_meeting(second, actor=stranger)


def test_the_host_reschedules_marks_and_blocks(monday, consultant, team, time_machine):
    _company, contact = team
    meeting = book(contact, sp(2026, 3, 3, 9))
    host = consultant.user
    with pytest.raises(ActionRefused):
        do_reschedule_meeting(meeting, actor=StaffFactory(), start=sp(2026, 3, 3, 14))
    moved = do_reschedule_meeting(meeting, actor=host, start=sp(2026, 3, 3, 14))
    assert (moved.start, moved.sequence) == (sp(2026, 3, 3, 14), 1)
    assert sorted(Claim.objects.values_list("at", flat=True))[0] == sp(2026, 3, 3, 14)
    kinds = list(moved.ticket.events.values_list("kind", flat=True))
    assert EventKind.MEETING_BOOKED in kinds and EventKind.MEETING_RESCHEDULED in kinds

    do_block_time(consultant, actor=host, start=sp(2026, 3, 4, 0), end=sp(2026, 3, 5, 0))
    assert not [
        s
        for s in list_slots(contact, Kind.CONSULTANT, date(2026, 3, 4), date(2026, 3, 4))
        if s.host == consultant
    ]
    with pytest.raises(ActionRefused) as refused:
        do_mark_meeting(moved, actor=host, status=MeetingStatus.ATTENDED)
    assert refused.value.code == "invalid"
    time_machine.move_to(sp(2026, 3, 3, 14, 35), tick=False)
    marked = do_mark_meeting(moved, actor=host, status=MeetingStatus.NO_SHOW)
    assert marked.status == MeetingStatus.NO_SHOW
    assert moved.ticket.events.filter(kind=EventKind.MEETING_MARKED).exists()


def test_the_contact_who_booked_reschedules_with_the_booking_s_checks(
    monday, consultant, team, enterprise, tasks, django_capture_on_commit_callbacks
):
    company, contact = team  # TEAM: 2 a month, 30 days ahead
    meeting = book(contact, sp(2026, 3, 3, 9))
    with django_capture_on_commit_callbacks(execute=True):
        moved = do_reschedule_meeting(meeting, actor=contact, start=sp(2026, 3, 3, 14))
    assert (moved.start, moved.end, moved.sequence) == (
        sp(2026, 3, 3, 14),
        sp(2026, 3, 3, 14, 30),
        1,
    )
    invitations = [list(r.args) for r in tasks.results if r.task.name == "send_invitation_task"]
    assert invitations[-1] == [meeting.pk, 1]  # the update, with a higher SEQUENCE
    assert moved.ticket.events.filter(kind=EventKind.MEETING_RESCHEDULED, actor=contact).exists()
    for start, code in [
        (sp(2026, 4, 7, 9), "invalid"),  # past the plan's horizon
        (sp(2026, 3, 3, 9, 5), "invalid"),  # off the grid
    ]:
        with pytest.raises(ActionRefused) as refused:
            do_reschedule_meeting(moved, actor=contact, start=start)
        assert refused.value.code == code
    book(enterprise[1], sp(2026, 3, 3, 9, 40))
    with pytest.raises(ActionRefused) as refused:
        do_reschedule_meeting(moved, actor=contact, start=sp(2026, 3, 3, 9, 40))
    assert refused.value.code == "taken"
    book(contact, sp(2026, 4, 1, 9))
    book(contact, sp(2026, 4, 1, 9, 40))  # April is full
    with pytest.raises(ActionRefused) as refused:
        do_reschedule_meeting(moved, actor=contact, start=sp(2026, 4, 1, 10, 20))
    assert refused.value.code == "quota"
    # Another contact of the company, or of another, cannot move it.
    for stranger in (make_authorized(company, contact), enterprise[1]):
        with pytest.raises(ActionRefused) as refused:
            do_reschedule_meeting(moved, actor=stranger, start=sp(2026, 3, 3, 15))
        assert refused.value.code == "not_found"
    moved.refresh_from_db()
    assert (moved.start, moved.sequence) == (sp(2026, 3, 3, 14), 1)
    assert sorted(Claim.objects.filter(meeting=moved).values_list("at", flat=True))[0] == sp(
        2026, 3, 3, 14
    )


def test_a_host_in_a_department_the_plan_cannot_use_is_refused_with_why(
    client, monday, consultant, team, enterprise
):
    _company, contact = team
    Department.objects.filter(slug="sucesso").update(min_plan=Plan.objects.get(slug="enterprise"))
    with pytest.raises(ActionRefused, match="Enterprise") as refused:
        book(contact, sp(2026, 3, 3, 9))
    assert refused.value.code == "forbidden" and not Meeting.objects.exists()
    with pytest.raises(ActionRefused, match="Enterprise"):
        list_slots(contact, Kind.CONSULTANT, TUESDAY, TUESDAY)
    client.force_login(contact)
    page = client.get("/cliente/reunioes/agendar/consultant/")
    assert page.status_code == 403 and "Enterprise" in page.text
    # A host of the kind in a department the plan may use still takes the booking.
    open_host = make_host()
    open_host.department = Department.objects.get(slug="suporte")
    open_host.save()
    open_host.user.departments.add(open_host.department)
    assert {s.host for s in list_slots(contact, Kind.CONSULTANT, TUESDAY, TUESDAY)} == {open_host}
    assert book(contact, sp(2026, 3, 3, 9)).host == open_host
    assert book(enterprise[1], sp(2026, 3, 3, 9)).host == consultant  # Enterprise may


def test_the_admin_warns_when_a_host_goes_into_a_gated_department(client, consultant):
    Department.objects.filter(slug="sucesso").update(min_plan=Plan.objects.get(slug="enterprise"))
    client.force_login(User.objects.create_superuser("admin@balcao.localhost", "x", name="Admin"))
    page = client.post(
        f"/admin/meetings/host/{consultant.pk}/change/",
        {
            "user": consultant.user.pk,
            "kind": consultant.kind,
            "department": consultant.department.pk,
            "weekly": json.dumps(consultant.weekly),
            "length_minutes": 30,
            "buffer_minutes": 10,
            "place": consultant.place,
            "is_active": "on",
            "blocks-TOTAL_FORMS": 0,
            "blocks-INITIAL_FORMS": 0,
        },
        follow=True,
    )
    assert page.status_code == 200
    warnings = [str(m) for m in page.context["messages"] if m.level_tag == "warning"]
    assert warnings and "Enterprise" in warnings[0] and "Sucesso" in warnings[0]
