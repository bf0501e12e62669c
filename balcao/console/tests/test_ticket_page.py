"""The ticket page, staff and customer side: what was just written shows on the next read of
either page, notes never to the customer, files only where a message has them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from balcao.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_note_and_a_reply_show_at_once_and_the_note_never_to_the_customer(
    client, suporte_agent, customer, ticket, media
):
    client.force_login(suporte_agent)
    staff_page = reverse("console:ticket", args=[ticket.number])
    customer_page = reverse("portal:ticket", args=[ticket.number])
    portal = Client()
    assert portal.login(username=customer.email, password=PASSWORD)
    assert "Já estamos vendo" not in client.get(staff_page).content.decode()
    assert "Já estamos vendo" not in portal.get(customer_page).content.decode()

    client.post(
        reverse("console:message", args=[ticket.number]),
        {"body": "Cliente difícil, cuidado", "kind": "note"},
    )
    client.post(
        reverse("console:message", args=[ticket.number]),
        {
            "body": "Já estamos vendo.",
            "kind": "reply",
            "attachments": [SimpleUploadedFile("log.txt", b"erro 500", "text/plain")],
        },
    )
    staff = client.get(staff_page).content.decode()
    assert "Cliente difícil, cuidado" in staff and "Já estamos vendo." in staff
    assert staff.count('class="files"') == 1 and "log.txt" in staff
    seen = portal.get(customer_page).content.decode()
    assert "Já estamos vendo." in seen and "log.txt" in seen
    assert "Cliente difícil" not in seen

    portal.post(reverse("portal:reply", args=[ticket.number]), {"body": "Obrigado, aguardo."})
    assert "Obrigado, aguardo." in client.get(staff_page).content.decode()
    assert "Obrigado, aguardo." in portal.get(customer_page).content.decode()


def test_another_companys_contact_never_reaches_the_ticket(client, ticket, profile):
    from balcao.factories import make_company

    _, stranger = make_company("team", name="Outra Loja")
    assert client.login(username=stranger.email, password=PASSWORD)
    assert client.get(reverse("portal:ticket", args=[ticket.number])).status_code == 404


def test_an_open_ticket_offers_its_staff_and_the_viewer_first(client, suporte_agent, ticket):
    client.force_login(suporte_agent)
    page = client.get(reverse("console:ticket", args=[ticket.number])).content.decode()
    assert f'<option value="{suporte_agent.pk}" selected>Ana Suporte (eu)</option>' in page
    assert '<option value="">Ninguém (de volta para a fila)</option>' in page
    assert '<option value="normal" selected>Normal</option>' in page
    # transfers go to the other active departments
    assert '<option value="suporte">' not in page and '<option value="financeiro">' in page


def _erase(ticket, agent, customer):
    from balcao.privacy.actions import do_erase_person

    do_erase_person(customer.email, actor=agent)


def _breach(ticket, agent, customer):
    from django.utils import timezone

    from balcao.events.actions import sla_breached_event

    sla_breached_event(ticket=ticket, target="first_response", due=timezone.now())


def _meeting_held(ticket, agent, customer):
    from balcao.events.actions import meeting_marked_event

    meeting_marked_event(ticket=ticket, actor=agent, status="attended")


def _delivered(ticket, agent, customer):
    from balcao.tickets.actions import do_record_delivery

    do_record_delivery(ticket.messages.get(direction="out"), message_id="<sent@balcao>")


def _not_delivered(ticket, agent, customer):
    from balcao.tickets.actions import do_record_delivery

    reply = ticket.messages.get(direction="out")
    do_record_delivery(reply, message_id="", error="550 mailbox unavailable")


def _renamed(ticket, agent, customer):
    from balcao.accounts.actions import do_change_staff_member

    do_change_staff_member(agent, actor=agent, name="Ana Renomeada")


# What the SLA, the meetings, the LGPD erasure and a rename do to a ticket without saving it: an
# event recorded, a delivery noted, messages rewritten, a name the history shows changed. The
# open page's poll sees each at once.
@pytest.mark.parametrize(
    "change", [_erase, _breach, _meeting_held, _delivered, _not_delivered, _renamed]
)
def test_the_poll_sees_every_change_the_page_shows(
    client, suporte_agent, customer, ticket, change, django_capture_on_commit_callbacks
):
    from balcao.tickets.actions import do_add_message

    do_add_message(ticket, actor=customer, body="Meu CPF é 123.456.789-00")
    do_add_message(ticket, actor=suporte_agent, body="Recebido.")
    client.force_login(suporte_agent)
    url = reverse("console:ticket", args=[ticket.number])
    version = client.get(url).context["version"]
    before = client.get(url, {"v": "old"}, HTTP_HX_REQUEST="true").content.decode()
    assert client.get(url, {"v": version}, HTTP_HX_REQUEST="true").status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        change(ticket, suporte_agent, customer)
    poll = client.get(url, {"v": version}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 200
    assert poll.context["version"] != version
    assert poll.content.decode().replace(version, poll.context["version"]) != before.replace(
        version, poll.context["version"]
    )


def test_a_kept_history_never_shows_a_note_to_the_customer_and_any_change_at_once(
    client, suporte_agent, customer, ticket, django_capture_on_commit_callbacks
):
    """The history is kept rendered per ticket version and visibility: each side reads its own
    entry, whoever came first, and the next read after any change shows it."""
    from balcao.privacy.actions import do_erase_person
    from balcao.tickets.actions import do_add_message, do_close_ticket, do_set_tags

    client.force_login(suporte_agent)
    staff_page = reverse("console:ticket", args=[ticket.number])
    customer_page = reverse("portal:ticket", args=[ticket.number])
    portal = Client()
    portal.force_login(customer)
    pages = [(client, staff_page), (portal, customer_page)]
    do_add_message(ticket, actor=suporte_agent, body="Nota: cliente difícil", internal=True)
    for _ in range(2):  # made, then kept: the staff's entry first
        assert "Nota: cliente difícil" in client.get(staff_page).content.decode()
        assert "Nota: cliente difícil" not in portal.get(customer_page).content.decode()

    do_add_message(ticket, actor=customer, body="Meu CPF é 123.456.789-00")
    assert "123.456.789-00" in portal.get(customer_page).content.decode()
    assert "123.456.789-00" in client.get(staff_page).content.decode()
    do_add_message(ticket, actor=suporte_agent, body="Outra nota interna", internal=True)
    assert "Outra nota interna" not in portal.get(customer_page).content.decode()
    assert "Outra nota interna" in client.get(staff_page).content.decode()

    changed = 'data-kind="status_changed"'
    seen = [page.get(url).content.decode().count(changed) for page, url in pages]
    do_close_ticket(ticket, actor=suporte_agent)
    assert [page.get(url).content.decode().count(changed) for page, url in pages] == [
        n + 1 for n in seen
    ]

    do_set_tags(ticket, actor=suporte_agent, tags=["checkout", "urgente"])
    assert 'value="checkout, urgente"' in client.get(staff_page).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        do_erase_person(customer.email, actor=suporte_agent)
    assert "123.456.789-00" not in client.get(staff_page).content.decode()
