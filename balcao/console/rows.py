"""The console list's rows (and the home's), written in Python: the row template with its SLA badge cost ~0.25 ms
of template engine a row (a quarter of a list seen for the first time); here a row is one string
format with its texts escaped, and what many rows share — labels, statuses, priorities,
departments, plans, dates — is translated, escaped or formatted once per list. The markup is the
same as ``console/_ticket_row.html`` and ``sla/_badge.html`` gave (tests/test_rows.py compares)."""

from collections.abc import Callable
from html import escape  # as django.utils.html.escape, without its lazy-text wrapper
from typing import Any

from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from balcao.accounts.models import User
from balcao.console.forms import ACTIVE
from balcao.console.listed import Listed
from balcao.console.selectors import Queue
from balcao.console.templatetags.console_tags import priority_label, status_label
from balcao.core.listcache import time_tag
from balcao.sla.selectors import sla_status
from balcao.tickets.models import Ticket

LABELS = {  # data-label, for narrow screens
    "number": "Number",
    "subject": "Subject",
    "status": "Status",
    "priority": "Priority",
    "department": "Department",
    "customer": "Customer",
    "assignee": "Assignee",
    "sla": "SLA",
    "updated": "Updated",
}

URL_NUMBER = 987654321  # stands for a ticket's number in its page's address

ROW = (
    "<tr>\n"
    '        <td><input type="checkbox" form="bulk" name="tickets" value="{number}" '
    'aria-label="{select}"></td>\n'
    '        <td data-label="{l_number}"><a href="{url}">#{number}</a></td>\n'
    '        <td data-label="{l_subject}"><a href="{url}">{subject}</a>{tags}{snippet}</td>\n'
    '        <td data-label="{l_status}"><span class="status status-{status}">{status_name}</span></td>\n'
    '        <td data-label="{l_priority}"><span class="priority priority-{priority}">'
    "{priority_name}</span></td>\n"
    '        <td data-label="{l_department}">{department}</td>\n'
    '        <td data-label="{l_customer}">{customer}<br><span class="muted small">{requester}</span></td>\n'
    '        <td data-label="{l_assignee}">{assignee}</td>\n'
    '        <td data-label="{l_sla}">{sla}\n</td>\n'
    '        <td data-label="{l_updated}">{updated}</td>\n'
    "      </tr>\n"
)


# The home's "My tickets" rows (``console/_home_live.html`` wrote them with the template engine,
# 0.2 ms a row: a third of the home made again after a change).
MINE = (
    "        <tr>\n"
    '          <td data-label="{l_number}"><a href="{url}">#{number}</a></td>\n'
    '          <td data-label="{l_subject}"><a href="{url}">{subject}</a>{unlinked}</td>\n'
    '          <td data-label="{l_status}"><span class="status status-{status}">'
    "{status_name}</span></td>\n"
    '          <td data-label="{l_department}">{department}</td>\n'
    '          <td data-label="{l_updated}">{updated}</td>\n'
    "        </tr>\n"
)


# A department's card of the home's queues (``console/_home_live.html`` wrote it with the
# template engine: ~0.7 ms a department, most of the home made again after a change).
QUEUE = (
    '<section class="card queue" aria-labelledby="queue-{slug}">\n'
    '  <h2 id="queue-{slug}"><a href="{tickets}?department={slug}&amp;status={active}">'
    "{name}</a></h2>\n"
    '  <p class="muted small">{not_closed}</p>\n'
    "  {sla}\n"
    '  <ul class="counts">\n{counts}  </ul>\n'
    "</section>\n"
)
QUEUE_SLA = (
    '<p class="sla-counts"><a href="{tickets}?department={slug}&amp;status={active}&amp;sort=sla">'
    "{breached} {at_risk}</a></p>"
)
QUEUE_STATUS = (
    '    <li><a class="status status-{status}" href="{tickets}?department={slug}&amp;'
    'status={status}">{label}: <span class="n">{count}</span></a></li>\n'
)


def _once(make: Callable[[Any], str]) -> Callable[[Any], str]:
    """``make`` computed once per distinct value (of a list: its rows share most values)."""
    made: dict[Any, str] = {}

    def get(value: Any) -> str:
        if value not in made:
            made[value] = make(value)
        return made[value]

    return get


class RowWriter:
    """Writes the rows of one list, in the active language and time zone."""

    def __init__(self) -> None:
        self.labels = {f"l_{name}": conditional_escape(_(text)) for name, text in LABELS.items()}
        self.time = _once(time_tag)
        self.status = _once(lambda value: conditional_escape(status_label(value)))
        self.priority = _once(lambda value: conditional_escape(priority_label(value)))
        self.localized = _once(lambda obj: conditional_escape(obj.localized("name")))
        self.unlinked = '<span class="tag tag-warn">{}</span>'.format(
            conditional_escape(_("unlinked"))
        )
        self.nobody = '<span class="muted">{}</span>'.format(conditional_escape(_("nobody")))
        self.no_sla = '<span class="tag" title="{}">{}</span>'.format(
            conditional_escape(_("Unlinked ticket: outside SLA coverage.")),
            conditional_escape(_("No SLA")),
        )
        self.states = {
            "breached": conditional_escape(_("SLA breached")),
            "met": conditional_escape(_("SLA met")),
            "paused": conditional_escape(_("SLA paused")),
            "at_risk": conditional_escape(_("SLA at risk")),
            "running": conditional_escape(_("SLA running")),
        }
        self.due = conditional_escape(pgettext("sla", "due"))
        self.select = _("Select ticket #%(number)s")
        # the ticket page's address resolved once, the number put in each row's (not a
        # reverse() a row)
        url = str(reverse("console:ticket", args=[URL_NUMBER])).partition(str(URL_NUMBER))
        self.url = (escape(url[0]), "", escape(url[2]))
        self.tickets = escape(reverse("console:tickets"))

    def queue(self, queue: Queue) -> str:
        """The home's card of one department's queue: its tickets not closed, its SLA counts
        and its count per status, each a link to the list of those tickets."""
        slug = escape(queue.department.slug)
        places = {"tickets": self.tickets, "slug": slug, "active": ACTIVE}
        sla = ""
        if queue.at_risk or queue.breached:
            breached = ngettext(
                "%(counter)s SLA breached", "%(counter)s SLA breached", queue.breached
            )
            at_risk = ngettext("%(counter)s at risk", "%(counter)s at risk", queue.at_risk)
            sla = QUEUE_SLA.format(
                breached=f'<span class="tag tag-bad">{escape(breached % {"counter": queue.breached})}</span>'
                if queue.breached
                else "",
                at_risk=f'<span class="tag tag-warn">{escape(at_risk % {"counter": queue.at_risk})}</span>'
                if queue.at_risk
                else "",
                **places,
            )
        active = queue.active
        not_closed = ngettext(
            "%(counter)s ticket not closed", "%(counter)s tickets not closed", active
        ) % {"counter": active}
        counts = "".join(
            QUEUE_STATUS.format(
                status=escape(status.value), label=self.status(status.value), count=count, **places
            )
            for status, count in queue.per_status()
        )
        return QUEUE.format(
            name=self.localized(queue.department),
            not_closed=escape(not_closed),
            sla=sla,
            counts=counts,
            **places,
        )

    def sla(self, ticket: Listed) -> str:
        status = sla_status(ticket.sla)
        if status.state == "none":
            return self.no_sla
        breached = status.state == "breached"
        css = " tag-bad" if breached else " tag-warn" if status.at_risk else ""
        if breached or status.state in ("met", "paused"):
            name = self.states[status.state]
        else:
            name = self.states["at_risk" if status.at_risk else "running"]
        badge = f'<span class="tag{css}">{name}</span>'
        if status.next_due and status.state != "met":
            badge += f' <span class="muted">{self.due} {self.time(status.next_due)}</span>'
        return badge

    def mine(self, ticket: Ticket) -> str:
        """The home's row of ``ticket`` (loaded with its department), one of the viewer's."""
        number = ticket.number
        return MINE.format(
            number=number,
            url=f"{self.url[0]}{number}{self.url[2]}",
            subject=escape(ticket.subject),
            unlinked="" if ticket.linked else f" {self.unlinked}",
            status=escape(ticket.status),
            status_name=self.status(ticket.status),
            department=self.localized(ticket.department),
            updated=self.time(ticket.updated_at),
            **self.labels,
        )

    def row(self, ticket: Listed) -> str:
        """The row of ``ticket``, as ``console.listed.console_rows`` reads it."""
        number = ticket.number
        tags = "".join(f' <span class="tag">{escape(name)}</span>' for name in ticket.tag_names)
        snippet = ticket.snippet
        if ticket.company is not None and ticket.plan is not None:
            plan = self.localized(ticket.plan)
            customer = f'{escape(ticket.company)} <span class="muted small">({plan})</span>'
        else:
            customer = self.unlinked
        assignee = ticket.assignee
        return ROW.format(
            number=number,
            select=escape(self.select % {"number": number}),
            url=f"{self.url[0]}{number}{self.url[2]}",
            subject=escape(ticket.subject),
            tags=tags,
            snippet=f'<p class="snippet">{conditional_escape(snippet)}</p>' if snippet else "",
            status=escape(ticket.status),
            status_name=self.status(ticket.status),
            priority=escape(ticket.priority),
            priority_name=self.priority(ticket.priority),
            department=self.localized(ticket.department),
            customer=customer,
            requester=escape(ticket.requester_name or ticket.requester_email),
            assignee=escape(assignee) if assignee else self.nobody,
            sla=self.sla(ticket),
            updated=self.time(ticket.updated_at),
            **self.labels,
        )


def staff_options(staff: list[User]) -> SafeString:
    """The ``<option>`` of each staff member to assign to (~0.3 ms in a template for twenty)."""
    options = (
        f'<option value="{escape(person.email)}">{escape(person.display_name)}</option>'
        for person in staff
    )
    return mark_safe("".join(options))  # noqa: S308 (each part escaped)
