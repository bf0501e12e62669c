"""The ticket page's history names people: who acted and who was assigned, never by address."""

import pytest
from django.urls import reverse

from balcao.events import actions as events
from balcao.tickets import actions

pytestmark = pytest.mark.django_db


def test_history_shows_people_by_name(client, ticket, suporte_agent, atendimento_agent):
    events.assigned_event(ticket=ticket, actor=suporte_agent, old=None, new=suporte_agent)
    events.assigned_event(
        ticket=ticket, actor=suporte_agent, old=suporte_agent, new=atendimento_agent
    )
    actions.do_add_message(ticket, actor=suporte_agent, body="Já estamos vendo.")
    client.force_login(suporte_agent)
    page = client.get(reverse("console:ticket", args=[ticket.number])).content.decode()
    thread = page[page.index('<ol class="thread">') : page.index("</ol>", page.index("thread"))]
    assert "Ana Suporte: Responsável: ninguém → Ana Suporte." in thread
    assert "Responsável: Ana Suporte → Bruno Atendimento." in thread
    assert "<strong>Ana Suporte</strong>" in thread
    assert suporte_agent.email not in thread and atendimento_agent.email not in thread
