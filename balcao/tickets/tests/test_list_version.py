"""The list token (``list_version``): one query whose SQL is built once per role, each
viewer's own values in it."""

import pytest
from django.db import connections
from django.db.models import F

from balcao.accounts.models import Department, User
from balcao.core import prepared
from balcao.customers.models import Company
from balcao.factories import (
    StaffFactory,
    contact_sender,
    inbound_message,
    make_company,
    open_ticket,
)
from balcao.tickets.actions import do_add_message
from balcao.tickets.inbound import do_receive_inbound
from balcao.tickets.selectors import list_version, seen_part

pytestmark = pytest.mark.django_db


def test_each_agent_sees_the_token_of_their_own_departments(profile, django_assert_num_queries):
    support, billing = (
        StaffFactory(departments=["suporte"]),
        StaffFactory(departments=["financeiro"]),
    )
    also_support = StaffFactory(departments=["suporte"])
    with django_assert_num_queries(1):
        version = list_version(support)
    assert seen_part(version) != seen_part(list_version(billing))
    assert list_version(also_support) == version
    billing_before = list_version(billing)
    Department.objects.filter(slug="suporte").update(tickets_version=F("tickets_version") + 1)
    assert list_version(support) != version
    assert seen_part(list_version(support)) == seen_part(version)
    assert list_version(billing) == billing_before


def test_directors_and_administrators_see_more_than_an_agent(profile):
    agent = StaffFactory(departments=["suporte"])
    director = StaffFactory(departments=["suporte"], role=User.Role.DIRECTOR)
    administrator = StaffFactory(role=User.Role.ADMINISTRATOR)
    seen = {seen_part(list_version(viewer)) for viewer in (agent, director, administrator)}
    assert len(seen) == 3
    assert seen_part(list_version(User(pk=administrator.pk, role="", is_superuser=True))) != (
        seen_part(list_version(agent))
    )


def test_a_contact_sees_the_token_of_their_company(profile, django_assert_num_queries):
    (company, first), other = make_company(), make_company()[1]
    with django_assert_num_queries(1):
        version = list_version(first)
    assert seen_part(version) != seen_part(list_version(other))
    Company.objects.filter(pk=company.pk).update(is_active=False)
    assert seen_part(list_version(first)) != seen_part(version)


def test_a_contacts_token_moves_with_their_companys_tickets_alone(
    profile, django_capture_on_commit_callbacks
):
    """A contact's lists are kept under when their company's tickets last changed: a change
    to another company's ticket, in the same department, leaves them kept; staff see both
    move."""
    (_company, first), (_other, second) = make_company(), make_company()
    agent = StaffFactory(departments=["suporte"])
    with django_capture_on_commit_callbacks(execute=True):
        mine, theirs = open_ticket(first), open_ticket(second)
    tokens = {viewer: list_version(viewer) for viewer in (first, second, agent)}

    def moved() -> set:
        now = {viewer: list_version(viewer) for viewer in tokens}
        changed = {viewer for viewer in tokens if now[viewer] != tokens[viewer]}
        tokens.update(now)
        return changed

    with django_capture_on_commit_callbacks(execute=True):
        do_add_message(theirs, actor=agent, body="Resposta.")
    assert moved() == {second, agent}
    with django_capture_on_commit_callbacks(execute=True):
        do_add_message(mine, actor=first, body="Mais uma coisa.")
    assert moved() == {first, agent}
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(first)
    assert moved() == {first, agent}
    with django_capture_on_commit_callbacks(execute=True):  # no longer their latest ticket
        do_add_message(mine, actor=agent, body="Outra resposta.")
    assert moved() == {first, agent}
    # by e-mail too
    reply = inbound_message(sender=contact_sender(second), ticket_number=theirs.number)
    with django_capture_on_commit_callbacks(execute=True):
        do_receive_inbound(reply)
    assert moved() == {second, agent}


def test_the_sql_is_built_once_per_shape(profile, monkeypatch):
    monkeypatch.setitem(connections["default"].__dict__, prepared.BUILT, {})
    built = []

    def departments(pk):
        built.append(pk)
        return Department.objects.filter(members=pk).order_by("pk").values_list("slug")

    support, billing = (
        StaffFactory(departments=["suporte"]),
        StaffFactory(departments=["financeiro"]),
    )
    assert prepared.prepared_rows("test", departments, support.pk) == [("suporte",)]
    assert prepared.prepared_rows("test", departments, billing.pk) == [("financeiro",)]
    assert built == [prepared.MARK]

    def joined(pk):
        return User.objects.filter(pk=pk).values_list("date_joined")

    # the values as the ORM gives them (a date and time, not SQLite's text)
    assert prepared.prepared_rows("joined", joined, support.pk) == [(support.date_joined,)]


def test_a_connection_keeps_a_bounded_number_of_shapes(profile, monkeypatch):
    monkeypatch.setitem(connections["default"].__dict__, prepared.BUILT, {})
    monkeypatch.setattr(prepared, "KEPT_SHAPES", 2)
    built = []

    def slugs(pk):
        built.append(pk)
        return Department.objects.filter(pk__gt=pk - prepared.MARK).values_list("slug")

    for shape in ["a", "b", "a", "c", "a"]:
        prepared.prepared_rows(shape, slugs, 0)
    # "a" and "b" built, "c" built in the place of the oldest ("a"), which is built again
    assert len(built) == 4 and len(connections["default"].__dict__[prepared.BUILT]) == 2
