"""The console list's rows written in Python (console.rows): the markup the templates gave;
what they are read from, and the staff the list filters by."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from balcao.accounts.models import User
from balcao.console.listed import Names, console_rows
from balcao.console.rows import RowWriter
from balcao.console.selectors import (
    Queue,
    departments_seen,
    list_staff,
    my_open_tickets,
)
from balcao.factories import StaffFactory, make_company, open_ticket
from balcao.sla.models import TicketSla
from balcao.tickets import actions
from balcao.tickets.models import Ticket
from balcao.tickets.selectors import tag_names, visible_departments

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
BADGE = Template("{% load sla_tags %}{% sla_badge ticket %}")


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_the_badge_is_the_sla_badge_in_every_state(
    language, admin_user, suporte_agent, time_machine
):
    company, primary = make_company("team")
    time_machine.move_to(datetime(2026, 3, 2, 9, tzinfo=SP), tick=False)
    late, risky, answered, closed, uncovered = (open_ticket(primary, subject=s) for s in "abcde")
    actions.do_add_message(answered, actor=suporte_agent, body="Pronto.")  # paused
    actions.do_add_message(closed, actor=suporte_agent, body="Pronto.")
    actions.do_close_ticket(closed, actor=suporte_agent)  # met
    TicketSla.objects.filter(ticket=uncovered).delete()  # no SLA
    risky_sla = TicketSla.objects.get(ticket=risky)
    time_machine.move_to(risky_sla.at_risk_from + timedelta(minutes=1), tick=False)
    TicketSla.objects.filter(ticket=late).update(next_due=risky_sla.at_risk_from)
    ids = [late.pk, risky.pk, answered.pk, closed.pk, uncovered.pk]
    with translation.override(language):
        writer = RowWriter()
        tickets = console_rows(admin_user, ids, "")
        assert len(tickets) == len(ids)
        for row in tickets:  # the badge of the row's values, and of the ticket's model
            ticket = Ticket.objects.get(pk=row.pk)
            assert writer.sla(row) + "\n" == BADGE.render(Context({"ticket": ticket}))
        states = [writer.sla(ticket) for ticket in tickets]
    # breached, at risk, paused, met, no SLA: five states, not one compared five times
    assert len({state.split("<time")[0] for state in states}) == 5


def test_a_row_escapes_what_people_wrote(admin_user, customer):
    ticket = open_ticket(customer, "suporte", subject="<b>Pedido & troca</b>")
    actions.do_add_tags(ticket, actor=admin_user, tags=["<x>"])
    (loaded,) = console_rows(admin_user, [ticket.pk], "")
    html = RowWriter().row(loaded)
    assert "&lt;b&gt;Pedido &amp; troca&lt;/b&gt;" in html and "<b>" not in html
    assert '<span class="tag">&lt;x&gt;</span>' in html
    assert f'href="/console/chamados/{ticket.number}/"' in html


def test_a_row_without_company_nor_assignee(admin_user, customer):
    ticket = open_ticket(customer, "suporte", subject="Sem empresa")
    Ticket.objects.filter(pk=ticket.pk).update(company=None)
    (loaded,) = console_rows(admin_user, [ticket.pk], "")
    with translation.override("en"):
        html = RowWriter().row(loaded)
    assert '<span class="tag tag-warn">unlinked</span>' in html
    assert '<span class="muted">nobody</span>' in html


def test_the_rows_sql_is_built_once_and_each_agent_still_reads_only_their_own(
    customer, suporte_agent, atendimento_agent, built_sql
):
    support = open_ticket(customer, "suporte", subject="Checkout")
    billing = open_ticket(customer, "financeiro", subject="Boleto")
    ids = [support.pk, billing.pk]
    built_sql.clear()  # what opening them built
    assert [t.pk for t in console_rows(suporte_agent, ids, "")] == [support.pk]
    assert [t.pk for t in console_rows(atendimento_agent, ids, "")] == [billing.pk]

    def rows_built() -> int:  # the rows' SQL, not their tags'
        return len([queryset for queryset in built_sql if queryset.model is Ticket])

    assert rows_built() == 1  # two agents of one role: one shape, each agent's own values
    (loaded,) = console_rows(suporte_agent, [support.pk], "")
    assert (loaded.subject, loaded.department) == (
        "Checkout",
        Names(support.department.name, support.department.name_en),
    )
    assert rows_built() == 2  # another number of rows: another shape


def test_the_tags_sql_is_built_once_per_number_of_tickets(
    customer, suporte_agent, atendimento_agent, built_sql
):
    support = open_ticket(customer, "suporte")
    billing = open_ticket(customer, "financeiro")
    actions.do_set_tags(support, actor=suporte_agent, tags=["urgente", "checkout"])
    actions.do_set_tags(billing, actor=atendimento_agent, tags=["boleto"])
    built_sql.clear()
    assert list(tag_names([support.pk]).values()) == [["checkout", "urgente"]]
    assert list(tag_names([billing.pk]).values()) == [["boleto"]]
    assert list(tag_names([billing.pk, support.pk]).values()) == [
        ["boleto"],
        ["checkout", "urgente"],
    ]
    assert len(built_sql) == 2  # one ticket, two tickets


def test_the_departments_to_filter_by_are_the_viewers_own_though_their_sql_is_built_once(
    suporte_agent, atendimento_agent, director, admin_user, built_sql
):
    another_director = StaffFactory(departments=["suporte"], role=User.Role.DIRECTOR)
    for viewer in (suporte_agent, atendimento_agent, director, another_director, admin_user):
        seen = [d.slug for d in departments_seen(viewer)]
        assert sorted(seen) == sorted(d.slug for d in visible_departments(viewer)), viewer
    assert [d.slug for d in departments_seen(suporte_agent)] == ["suporte"]
    assert "ouvidoria" in [d.slug for d in departments_seen(another_director)]
    assert len(built_sql) == 3  # agents, directors, the administrator


def test_the_staff_to_filter_by_are_the_viewers_own_though_their_sql_is_built_once(
    suporte_agent, atendimento_agent, built_sql
):
    StaffFactory(departments=["financeiro"], name="Célia Financeiro")
    assert [u.name for u in list_staff(suporte_agent)] == ["Ana Suporte"]
    assert [u.name for u in list_staff(atendimento_agent)] == [
        "Bruno Atendimento",
        "Célia Financeiro",
    ]
    assert len(built_sql) == 1


def test_the_staff_are_read_along_their_index_not_among_every_contact(mega, suporte_agent, plan_of):
    """Twenty thousand contacts at a million tickets: the staff were found by a scan of them
    all (3 ms of every first view of the list, and of a ticket page's assignees)."""
    plan = plan_of(lambda: list_staff(suporte_agent))
    assert "accounts_user_staff" in plan


MINE_TEMPLATE = Template(
    """{% load i18n console_tags %}{% translate "Number" as label_number %}{% translate "Subject" as label_subject %}{% translate "Status" as label_status %}{% translate "Department" as label_department %}{% translate "Updated" as label_updated %}{% for ticket in mine %}
        <tr>
          {% url 'console:ticket' ticket.number as ticket_url %}<td data-label="{{ label_number }}"><a href="{{ ticket_url }}">#{{ ticket.number }}</a></td>
          <td data-label="{{ label_subject }}"><a href="{{ ticket_url }}">{{ ticket.subject }}</a>{% if not ticket.linked %} <span class="tag tag-warn">{% translate "unlinked" %}</span>{% endif %}</td>
          <td data-label="{{ label_status }}"><span class="status status-{{ ticket.status }}">{{ ticket.status|status_label }}</span></td>
          <td data-label="{{ label_department }}">{{ ticket.department|localized:"name" }}</td>
          <td data-label="{{ label_updated }}"><time datetime="{{ ticket.updated_at|date:'c' }}">{{ ticket.updated_at|date:"SHORT_DATETIME_FORMAT" }}</time></td>
        </tr>
{% endfor %}"""  # the home's rows as its template wrote them
)


def between_tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_the_homes_rows_are_the_markup_its_template_gave(language, suporte_agent, customer):
    linked = open_ticket(customer, "suporte", subject="<i>Pedido</i> & troca")
    unlinked = open_ticket(customer, "suporte", subject="Sem empresa")
    Ticket.objects.filter(pk=unlinked.pk).update(company=None)
    for ticket in (linked, unlinked):
        actions.do_assign_ticket(ticket, actor=suporte_agent, assignee=suporte_agent)
    mine = my_open_tickets(suporte_agent)
    assert len(mine) == 2
    with translation.override(language):
        writer = RowWriter()
        written = "".join(writer.mine(ticket) for ticket in mine)
        template = MINE_TEMPLATE.render(Context({"mine": mine}))
        assert between_tags(written) == between_tags(template)  # the same markup
    assert "&lt;i&gt;Pedido&lt;/i&gt; &amp; troca" in written and written.count("tag-warn") == 1


def test_each_agents_own_tickets_though_their_sql_is_built_once(
    customer, suporte_agent, atendimento_agent, built_sql
):
    support = open_ticket(customer, "suporte", subject="Checkout")
    billing = open_ticket(customer, "financeiro", subject="Boleto")
    actions.do_assign_ticket(support, actor=suporte_agent, assignee=suporte_agent)
    actions.do_assign_ticket(billing, actor=atendimento_agent, assignee=atendimento_agent)
    built_sql.clear()  # what opening and assigning built
    assert [t.subject for t in my_open_tickets(suporte_agent)] == ["Checkout"]
    assert [t.subject for t in my_open_tickets(atendimento_agent)] == ["Boleto"]
    assert len(built_sql) == 1
    actions.do_close_ticket(support, actor=suporte_agent)
    assert my_open_tickets(suporte_agent) == []


def test_the_staff_to_assign_to_are_written_escaped(client, suporte_agent):
    StaffFactory(departments=["suporte"], name='Bia <b>"Suporte"</b>', email="bia@balcao.test")
    client.force_login(suporte_agent)
    page = client.get(reverse("console:tickets")).content.decode()
    assert (
        '<option value="bia@balcao.test">Bia &lt;b&gt;&quot;Suporte&quot;&lt;/b&gt;</option>'
        in page
    )


QUEUE_TEMPLATE = Template(
    """{% load i18n console_tags %}{% not_closed as ACTIVE %}{% url 'console:tickets' as tickets_url %}{% for queue in queues %}
      <section class="card queue" aria-labelledby="queue-{{ queue.department.slug }}">
        <h2 id="queue-{{ queue.department.slug }}"><a href="{{ tickets_url }}?department={{ queue.department.slug }}&amp;status={{ ACTIVE }}">{{ queue.department|localized:"name" }}</a></h2>
        <p class="muted small">{% blocktranslate count counter=queue.active %}{{ counter }} ticket not closed{% plural %}{{ counter }} tickets not closed{% endblocktranslate %}</p>
        {% if queue.at_risk or queue.breached %}<p class="sla-counts"><a href="{{ tickets_url }}?department={{ queue.department.slug }}&amp;status={{ ACTIVE }}&amp;sort=sla">{% if queue.breached %}<span class="tag tag-bad">{% blocktranslate count counter=queue.breached %}{{ counter }} SLA breached{% plural %}{{ counter }} SLA breached{% endblocktranslate %}</span>{% endif %} {% if queue.at_risk %}<span class="tag tag-warn">{% blocktranslate count counter=queue.at_risk %}{{ counter }} at risk{% plural %}{{ counter }} at risk{% endblocktranslate %}</span>{% endif %}</a></p>{% endif %}
        <ul class="counts">
          {% for status, count in queue.per_status %}
            <li><a class="status status-{{ status.value }}" href="{{ tickets_url }}?department={{ queue.department.slug }}&amp;status={{ status.value }}">{{ status.label }}: <span class="n">{{ count }}</span></a></li>
          {% endfor %}
        </ul>
      </section>
{% endfor %}"""  # the home's queues as its template wrote them
)


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_the_homes_queues_are_the_markup_its_template_gave(language, admin_user):
    departments = list(visible_departments(admin_user).order_by("position"))
    queues = [  # none, one and many of each; SLA counts alone, together, neither
        Queue(departments[0], {"open": 1}, at_risk=1, breached=0),
        Queue(departments[1], {"open": 2, "closed": 5, "answered": 1}, at_risk=0, breached=1),
        Queue(departments[2], {"assigned": 3}, at_risk=2, breached=4),
        Queue(departments[3], {}, at_risk=0, breached=0),
    ]
    with translation.override(language):
        writer = RowWriter()
        written = "".join(writer.queue(queue) for queue in queues)
        template = QUEUE_TEMPLATE.render(Context({"queues": queues}))
    assert between_tags(written) == between_tags(template)
    assert written.count("<li>") == 24 and written.count('class="sla-counts"') == 3


def test_a_departments_name_is_escaped_on_its_card(admin_user):
    department = visible_departments(admin_user).first()
    department.name = department.name_en = "<b>Suporte & cia</b>"
    html = RowWriter().queue(Queue(department, {}))
    assert "&lt;b&gt;Suporte &amp; cia&lt;/b&gt;" in html and "<b>" not in html
