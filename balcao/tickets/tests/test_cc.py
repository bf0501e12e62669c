"""CC (R2, R18): only authorized contacts of the ticket's company are ever copied."""

import pytest

from balcao.core.errors import ActionRefused
from balcao.events.models import EventKind
from balcao.factories import StaffFactory, contact_sender, make_authorized, make_company, receive
from balcao.tickets import actions
from balcao.tickets.models import TicketCc

pytestmark = pytest.mark.django_db


@pytest.fixture
def mega(profile):
    company, primary = make_company("team", name="Mega Store")
    return company, primary, make_authorized(company, primary, "ti@mega.example")


def test_the_funnel_keeps_copied_authorized_contacts_and_no_one_else(mega):
    company, primary, ti = mega
    _other, stranger = make_company("team", name="Outra")
    ticket = receive(
        sender=contact_sender(primary),
        cc=[
            ti.email.upper(),
            stranger.email,
            "x@fora.example",
            primary.email,
            "suporte@balcao.localhost",
        ],
    )
    assert list(ticket.cc.values_list("email", flat=True)) == [ti.email]
    added = ticket.events.get(kind=EventKind.CC_ADDED)
    assert added.actor is None and added.data == {"email": ti.email}


def test_a_sender_not_registered_copies_nobody(mega):
    company, primary, ti = mega
    from balcao.tickets.inbound import Sender

    ticket = receive(sender=Sender(address="x@fora.example", email="x@fora.example"), cc=[ti.email])
    assert not ticket.cc.exists()


def test_staff_and_contacts_copy_and_uncopy_authorized_contacts(mega):
    company, primary, ti = mega
    agent = StaffFactory(departments=["suporte"])
    ticket = receive(sender=contact_sender(primary))
    actions.do_add_cc(ticket, actor=agent, email=ti.email)
    with pytest.raises(ActionRefused) as refused:
        actions.do_add_cc(ticket, actor=primary, email=ti.email)
    assert refused.value.code == "unchanged"
    actions.do_remove_cc(ticket, actor=ti, email=ti.email)
    assert not TicketCc.objects.exists()
    kinds = list(ticket.events.filter(kind__startswith="cc_").values_list("kind", flat=True))
    assert kinds == [EventKind.CC_ADDED, EventKind.CC_REMOVED]


def test_refusals_change_nothing(mega):
    company, primary, ti = mega
    _other, stranger = make_company("team", name="Outra")
    ticket = receive(sender=contact_sender(primary))
    for actor, email in ((primary, stranger.email), (primary, primary.email), (stranger, ti.email)):
        with pytest.raises(ActionRefused):
            actions.do_add_cc(ticket, actor=actor, email=email)
    assert not TicketCc.objects.exists()
    assert not ticket.events.filter(kind=EventKind.CC_ADDED).exists()
