from django.template import Context, Template
from django.utils import translation

from balcao.tickets.models import Priority, Status, Ticket

ROW = (
    "{% load console_tags %}{{ ticket.status|status_label }} · {{ ticket.priority|priority_label }}"
)


def render(ticket: Ticket) -> str:
    return Template(ROW).render(Context({"ticket": ticket}))


def test_a_row_names_status_and_priority_as_the_ticket_page_does():
    for language in ("pt-br", "en"):
        with translation.override(language):
            for status in Status:
                for priority in Priority:
                    ticket = Ticket(status=status, priority=priority)
                    expected = f"{ticket.get_status_display()} · {ticket.get_priority_display()}"
                    assert render(ticket) == expected


def test_a_value_no_longer_among_the_choices_is_shown_as_stored():
    assert render(Ticket(status="archived", priority="whenever")) == "archived · whenever"
