"""Both ticket pages, the console's and the client area's, are kept rendered per viewer under
all they are made from (core.listcache.kept_page): asked again unchanged, neither is rendered
again; whatever the page shows that changed — in the ticket's row, the rows read with it, the
viewer's, or with the time alone — shows at once. Per request: the CSRF token, the survey's
signed links, flash messages, the LGPD access record."""

import re
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from balcao.factories import StaffFactory, open_ticket
from balcao.privacy.models import AccessRecord
from balcao.sla.models import TicketSla

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _staff_page(ticket):
    return reverse("console:ticket", args=[ticket.number])


def _customer_page(ticket):
    return reverse("portal:ticket", args=[ticket.number])


def _without_tokens(html: str) -> str:
    html = TOKEN.sub("", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


@pytest.fixture
def sides(client, suporte_agent, customer):
    """The agent's client and the customer's, each signed in."""
    client.force_login(suporte_agent)
    portal = Client()
    portal.force_login(customer)
    return client, portal


def test_a_page_asked_again_unchanged_is_not_rendered_again_and_its_forms_still_post(
    suporte_agent, customer, ticket
):
    for user, url, form in (
        (suporte_agent, _staff_page(ticket), reverse("console:message", args=[ticket.number])),
        (customer, _customer_page(ticket), reverse("portal:reply", args=[ticket.number])),
    ):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        first = client.get(url)
        again = client.get(url)
        assert first.templates and not again.templates  # served kept
        assert _without_tokens(again.content.decode()) == _without_tokens(first.content.decode())
        tokens = set(TOKEN.findall(again.content.decode()))
        assert len(tokens) == 1 and "kept-" not in again.content.decode()
        [token] = tokens
        posted = client.post(
            form,
            {"body": "Pelo formulário guardado", "kind": "reply", "csrfmiddlewaretoken": token},
        )
        assert posted.status_code == 302, posted.content.decode()[:500]
        assert "Pelo formulário guardado" in client.get(url).content.decode()


def test_each_viewer_reads_their_own_page_with_their_own_name_and_token(
    client, suporte_agent, ticket
):
    colleague = StaffFactory(departments=["suporte"], name="Bia Colega")
    url = _staff_page(ticket)
    client.force_login(suporte_agent)
    client.get(url)
    mine = client.get(url).content.decode()
    other = Client()
    other.force_login(colleague)
    other.get(url)
    theirs = other.get(url).content.decode()
    assert "Ana Suporte (eu)" in mine and "Ana Suporte (eu)" not in theirs
    assert "Bia Colega (eu)" in theirs and "Bia Colega</a>" in theirs
    assert set(TOKEN.findall(mine)).isdisjoint(TOKEN.findall(theirs))
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Conversation and history" in english
    assert "Conversa e histórico" in client.get(url).content.decode()


def test_a_note_never_reaches_the_customer_whichever_page_was_kept_first(
    sides, suporte_agent, ticket
):
    from balcao.tickets.actions import do_add_message

    staff, portal = sides
    do_add_message(ticket, actor=suporte_agent, body="Nota: só a equipe", internal=True)
    for _ in range(2):
        assert "Nota: só a equipe" in staff.get(_staff_page(ticket)).content.decode()
        assert "Nota: só a equipe" not in portal.get(_customer_page(ticket)).content.decode()
    do_add_message(ticket, actor=suporte_agent, body="Outra nota", internal=True)
    for _ in range(2):
        assert "Outra nota" not in portal.get(_customer_page(ticket)).content.decode()
        assert "Outra nota" in staff.get(_staff_page(ticket)).content.decode()


def _clock(ticket, **fields):
    TicketSla.objects.filter(ticket=ticket).update(**fields)


def test_what_the_pages_show_besides_the_history_shows_at_once(
    sides, suporte_agent, customer, mega, ticket, django_capture_on_commit_callbacks
):
    """Changes that neither save the ticket nor add to its history."""
    from balcao.accounts.actions import do_change_staff_member
    from balcao.customers.actions import do_change_company
    from balcao.tickets.actions import do_assign_ticket

    staff, portal = sides
    company, _primary = mega
    do_assign_ticket(ticket, actor=suporte_agent, assignee=suporte_agent)

    def pages():
        return staff.get(_staff_page(ticket)).content.decode(), portal.get(
            _customer_page(ticket)
        ).content.decode()

    pages()
    due = TicketSla.objects.get(ticket=ticket).first_response_due + timedelta(days=3)
    _clock(ticket, first_response_due=due, next_due=due)
    shown = re.search(r'id="ticket-expected"><time datetime="([^"]+)"', pages()[1])
    assert shown is not None and datetime.fromisoformat(shown.group(1)) == due

    with django_capture_on_commit_callbacks(execute=True):
        do_change_company(company, actor=suporte_agent, cnpj="11.222.333/0001-81")
    assert "11.222.333/0001-81" in pages()[0]

    open_ticket(customer, "suporte", subject="Outro assunto")
    assert re.search(r"Outros chamados abertos</dt><dd>1<", pages()[0])

    do_change_staff_member(suporte_agent, actor=suporte_agent, name="Ana Renomeada")
    staff_html = pages()[0]
    assert 'id="ticket-assignee">Ana Renomeada' in staff_html
    assert ">Ana Renomeada</a>" in staff_html  # the viewer's own name, in the frame


def test_the_sla_shown_turns_at_its_instants_without_any_change(sides, ticket, time_machine):
    staff, portal = sides
    sla = TicketSla.objects.get(ticket=ticket)
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    time_machine.move_to(sla.at_risk_from - timedelta(seconds=10), tick=False)
    for _ in range(2):
        assert "SLA running" in staff.get(_staff_page(ticket), **english).content.decode()
        assert 'id="ticket-expected"' in portal.get(_customer_page(ticket)).content.decode()
    time_machine.move_to(sla.at_risk_from + timedelta(seconds=10), tick=False)
    assert "SLA at risk" in staff.get(_staff_page(ticket), **english).content.decode()
    time_machine.move_to(sla.next_due + timedelta(seconds=10), tick=False)
    assert "SLA breached" in staff.get(_staff_page(ticket), **english).content.decode()
    # breached: the contract's time has passed, no answer is "expected by" it any more
    assert 'id="ticket-expected"' not in portal.get(_customer_page(ticket)).content.decode()


def test_flash_messages_show_once_and_the_page_after_them_is_kept_again(sides, ticket):
    staff, portal = sides
    url = _customer_page(ticket)
    portal.get(url)
    portal.post(reverse("portal:reply", args=[ticket.number]), {"body": "Mais um detalhe"})
    shown = portal.get(url).content.decode()
    assert "Mensagem enviada." in shown and "Mais um detalhe" in shown
    assert "Mensagem enviada." not in portal.get(url).content.decode()
    assert not portal.get(url).templates


def test_every_view_of_the_console_page_is_recorded_for_the_lgpd(sides, ticket):
    staff, _portal = sides
    for _ in range(3):
        staff.get(_staff_page(ticket))
    assert AccessRecord.objects.filter(ticket_number=ticket.number).count() == 3


def test_the_survey_links_of_a_kept_page_are_signed_for_each_request(
    sides, suporte_agent, ticket, django_capture_on_commit_callbacks
):
    from balcao.tickets.actions import do_close_ticket

    _staff, portal = sides
    with django_capture_on_commit_callbacks(execute=True):
        do_close_ticket(ticket, actor=suporte_agent)
    url = _customer_page(ticket)
    portal.get(url)
    page = portal.get(url)
    assert not page.templates
    links = re.findall(r'href="(/cliente/avaliacao/[^"?]+)\?nota=(\d)"', page.content.decode())
    assert [score for _link, score in links] == ["1", "2", "3", "4", "5"]
    assert portal.get(links[4][0], {"nota": "5"}).status_code == 200
    portal.post(links[4][0], {"score": 5})
    assert "Você deu nota 5 de 5." in portal.get(url).content.decode()


def test_a_page_reads_the_ticket_as_the_orm_does_its_sql_built_once(
    customer, suporte_agent, django_assert_num_queries
):
    from balcao.console.views import PAGE_RELATED, _page_annotations
    from balcao.core.errors import NotFound
    from balcao.core.listcache import row_state
    from balcao.tickets.actions import do_add_message
    from balcao.tickets.models import Ticket
    from balcao.tickets.selectors import VERSION_PARTS, read_ticket

    agent = suporte_agent
    first, second = open_ticket(customer, "suporte"), open_ticket(customer, "suporte")
    do_add_message(second, actor=agent, body="Respondido.")
    outsider = StaffFactory(departments=["financeiro"])
    for ticket in (first, second):
        with django_assert_num_queries(1):
            read = read_ticket(
                agent, ticket.number, related=PAGE_RELATED, annotate=_page_annotations
            )
        orm = (
            Ticket.objects.select_related(*PAGE_RELATED)
            .annotate(**VERSION_PARTS, **_page_annotations(agent))
            .get(number=ticket.number)
        )
        assert row_state(read) == row_state(orm)
        assert Ticket.sla.is_cached(read) and read.other_open == 1
        with pytest.raises(NotFound):
            read_ticket(outsider, ticket.number, related=PAGE_RELATED, annotate=_page_annotations)
