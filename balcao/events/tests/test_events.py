"""Each event kind's function fixes its payload; history keeps people by id and name."""

import importlib

import pytest
from django.apps import apps

from balcao.accounts.selectors import get_department
from balcao.events import actions as events
from balcao.events.models import Event, EventKind
from balcao.factories import StaffFactory, make_company, open_ticket

pytestmark = pytest.mark.django_db

people_by_name = importlib.import_module("balcao.events.migrations.0004_assigned_people_by_name")


@pytest.fixture
def ticket(profile):
    return open_ticket(make_company("team")[1])


def test_an_assignment_keeps_people_by_id_and_name_never_by_address(ticket):
    ana = StaffFactory(name="Ana Suporte")
    bruno = StaffFactory(name="Bruno Lima")
    event = events.assigned_event(ticket=ticket, actor=ana, old=ana, new=bruno)
    event.refresh_from_db()
    assert event.kind == EventKind.ASSIGNED and event.actor == ana
    assert event.data == {
        "old": {"id": ana.pk, "name": "Ana Suporte"},
        "new": {"id": bruno.pk, "name": "Bruno Lima"},
    }
    assert events.assigned_event(ticket=ticket, actor=ana, old=bruno, new=None).data["new"] is None


def test_a_transfer_keeps_the_departments_and_a_channels_reason(ticket):
    moved = events.transferred_event(
        ticket=ticket,
        actor=None,
        old=get_department("ouvidoria"),
        new=get_department("atendimento"),
        reason="A Ouvidoria precisa do número do chamado anterior.",
    )
    assert moved.data == {
        "old": "ouvidoria",
        "new": "atendimento",
        "reason": "A Ouvidoria precisa do número do chamado anterior.",
    }
    plain = events.transferred_event(
        ticket=ticket, actor=None, old=get_department("suporte"), new=get_department("financeiro")
    )
    assert plain.data == {"old": "suporte", "new": "financeiro"}


def test_a_failed_delivery_is_on_the_ticket_of_its_message(ticket):
    message = ticket.messages.get()
    failed = events.delivery_failed_event(message=message, error="x" * 900)
    assert failed.ticket == ticket and failed.company == ticket.company
    assert failed.data == {"message": message.pk, "error": "x" * 500}


def test_company_events_name_the_contact_and_keep_the_authorized_address(profile):
    company, primary = make_company("team")
    authorized = Event.objects.get(kind=EventKind.CONTACT_AUTHORIZED, company=company)
    assert authorized.data == {
        "contact": {"id": primary.pk, "name": primary.name},
        "email": primary.email,
        "primary": True,
    }


def test_earlier_assignments_are_converted_from_addresses_to_names(ticket):
    ana = StaffFactory(name="Ana Suporte", email="ana@balcao.localhost")
    old = [
        Event.objects.create(
            kind=EventKind.ASSIGNED,
            ticket=ticket,
            data={"old": None, "new": "Ana@balcao.localhost"},
        ),
        Event.objects.create(
            kind=EventKind.ASSIGNED,
            ticket=ticket,
            data={"old": "ana@balcao.localhost", "new": "gone@balcao.localhost"},
        ),
    ]
    people_by_name.to_people(apps, None)
    assert [Event.objects.get(pk=e.pk).data for e in old] == [
        {"old": None, "new": {"id": ana.pk, "name": "Ana Suporte"}},
        {"old": {"id": ana.pk, "name": "Ana Suporte"}, "new": {"id": None, "name": ""}},
    ]
    people_by_name.to_addresses(apps, None)
    assert Event.objects.get(pk=old[0].pk).data == {"old": None, "new": "ana@balcao.localhost"}


def test_events_recorded_together_are_written_in_one_insert_in_order(
    ticket, django_assert_num_queries
):
    """Issue 17: a filing's events in one INSERT, each with its id once the block ends; an
    inner block joins the outer one; outside any block each is written at once."""
    ana = StaffFactory(name="Ana Suporte")
    with django_assert_num_queries(1), events.recorded_together():
        first = events.assigned_event(ticket=ticket, actor=ana, old=None, new=ana)
        with events.recorded_together():
            second = events.cc_added_event(ticket=ticket, actor=ana, email="x@example.com")
        assert first.pk is None and second.pk is None
    assert first.pk is not None and second.pk is not None and first.pk < second.pk
    written = list(Event.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk"))
    assert [e.kind for e in written] == [EventKind.ASSIGNED, EventKind.CC_ADDED]
    with django_assert_num_queries(1):
        alone = events.cc_removed_event(ticket=ticket, actor=ana, email="x@example.com")
    assert alone.pk is not None


def test_events_recorded_together_are_not_written_when_the_block_fails(ticket):
    before = Event.objects.count()
    with pytest.raises(RuntimeError), events.recorded_together():
        events.cc_added_event(ticket=ticket, actor=None, email="x@example.com")
        raise RuntimeError
    assert Event.objects.count() == before
