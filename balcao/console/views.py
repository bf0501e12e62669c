"""The staff console: thin views — check who asks, call one selector or action, render.

Only staff get in: a customer contact gets 404 (the console does not exist for them), an
anonymous visitor the login page. A ticket out of the viewer's sight is 404 on every URL.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LogoutView
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from balcao.accounts.access import staff_required
from balcao.accounts.selectors import departments_version, list_departments
from balcao.connectors.whatsapp.selectors import reply_window
from balcao.console import selectors
from balcao.console.forms import (
    AssignForm,
    BulkForm,
    CompanySearchForm,
    LinkForm,
    MergeForm,
    MessageForm,
    NewTicketForm,
    PriorityForm,
    TagsForm,
    TicketFilterForm,
    TransferForm,
)
from balcao.console.listed import console_rows, shown_until
from balcao.console.rows import RowWriter, staff_options
from balcao.core.clients import client_address
from balcao.core.errors import ActionRefused, NotFound
from balcao.core.listcache import (
    LIST_SECONDS,
    ListCache,
    keep_together,
    kept,
    kept_page,
    row_state,
    shown_together,
)
from balcao.customers.selectors import list_company_contacts, list_department_choices
from balcao.privacy.actions import do_record_access
from balcao.privacy.models import AccessRecord
from balcao.sla.selectors import sla_status
from balcao.tickets import actions
from balcao.tickets.history import visible_events
from balcao.tickets.http import attachment_download
from balcao.tickets.http import attachment_preview as attachment_preview_response
from balcao.tickets.models import Origin, Priority, Status, Ticket
from balcao.tickets.selectors import (
    canned_responses_for,
    get_ticket,
    list_tags,
    list_tickets,
    list_version,
    read_ticket,
    render_canned,
    seen_part,
    tag_names,
    ticket_version,
)

PAGE_SIZE = 25
UNCHANGED = 204  # htmx swaps nothing on 204: a poll that finds nothing new costs no repaint


def ticket_or_404(request, number: int):
    try:
        return get_ticket(request.user, number)
    except NotFound:
        raise Http404 from None


def back_to_ticket(ticket):
    return redirect("console:ticket", number=ticket.number)


class ConsoleLogoutView(LogoutView):
    next_page = settings.LOGIN_URL


logout = staff_required(ConsoleLogoutView.as_view())


@require_GET
@staff_required
def home(request):
    version = list_version(request.user)
    if request.htmx and request.GET.get("v") == version:
        return HttpResponse(status=UNCHANGED)
    queues = selectors.queue_counts(request.user, version)
    template = "console/_home_live.html" if request.htmx else "console/home.html"

    def make(parts) -> str:
        mine = selectors.my_open_tickets(request.user)
        writer = RowWriter()
        context = {
            "queues": queues,
            "mine": mine,
            # every piece is a template's output, escaped when written
            "mine_rows": mark_safe("".join(writer.mine(ticket) for ticket in mine)),  # noqa: S308
            "queue_cards": [mark_safe(writer.queue(queue)) for queue in queues.departments],  # noqa: S308
            "version": version,
            "csrf_token": parts["csrf_token"],
        }
        return render_to_string(template, context, request)

    # Kept whole per agent (core.listcache.kept_page) under the list token, which moves with
    # every change to their tickets (their own among them) and the names shown, and under the
    # queues' counting, so that the SLA counts are no older than the queues' cache says.
    return kept_page(request, ("console-home", template, version, queues.counted_at), make)


@require_GET
@staff_required
def ticket_list(request):
    """The list and its controls are kept rendered (core.listcache): the rows under the
    viewer's list token, the filters and the staff to assign to under what the viewer sees
    (they do not change with the tickets), both read (and on a first view written) in one
    round trip to the cache. Seen again unchanged, nothing is queried or rendered but the
    page around them (the bulk form's CSRF token and return address)."""
    version = list_version(request.user)
    if request.htmx and request.GET.get("v") == version:
        return HttpResponse(status=UNCHANGED)
    kept = ListCache("console", request, request.user, version)
    kept_controls = ListCache(
        "console-filters", request, request.user, seen_part(version), ignored=("v", "page")
    )
    shown, controls = shown_together(kept, kept_controls)
    if shown is None:
        made = controls is None
        if made:
            controls = _ticket_list_controls(request)
        page = _ticket_list_page(request, controls["filters"], kept.earlier("page"))
        context = {"page": page, "version": version, "rows": ROWS}
        around = render_to_string("console/_ticket_rows.html", context, request)
        head, _rows, tail = around.partition(ROWS)
        shown = {
            "head": head,
            "page": page.object_list,  # each row, also for the lists made after a change
            "tail": tail,
            "filters": controls["form"],
            "assignees": controls["staff"],
        }
        until = min((row.until for row in page.object_list), default=None)
        if made:
            keep_together((kept, shown, until), (kept_controls, controls, None))
        else:
            kept.keep(shown, until)
    # every piece is a template's output, escaped when rendered
    rows = mark_safe(shown["head"] + "".join(row.html for row in shown["page"]) + shown["tail"])  # noqa: S308
    if request.htmx:
        return HttpResponse(rows)
    context = {"shown": shown, "rows": rows, "version": version, "priorities": Priority.choices}
    return render(request, "console/ticket_list.html", context)


def _ticket_list_controls(request) -> dict[str, Any]:
    """The list's filters from the query string, with the filter form and the staff options
    rendered: kept under what the viewer sees, whatever their tickets' changes."""
    staff = selectors.list_staff(request.user)
    form = TicketFilterForm(
        request.GET,
        departments=selectors.departments_seen(request.user),
        staff=staff,
        find_companies=selectors.companies_called,
    )
    return {
        "filters": form.filters(),
        "form": render_to_string("console/_ticket_filters.html", {"form": form}, request),
        "staff": staff_options(staff),
    }


@dataclass(frozen=True)
class Row:
    """A ticket's row of the list as rendered, with the ``updated_at`` it was rendered from
    and when it stops being true: its SLA badge turning by time alone, or LIST_SECONDS for
    what the ticket's ``updated_at`` does not follow (a company or an agent renamed)."""

    number: int
    pk: int
    updated_at: datetime | None
    until: datetime
    html: str


ROWS = mark_safe("<!-- rows -->")  # where the rows go between the list's head and tail


def _ticket_list_page(request, filters: dict | None, earlier: list[list[Row]]) -> Page[Row]:
    """The page of rows asked for. Only the tickets whose row was not rendered already (in
    a list the viewer saw, as it is now: same ``updated_at``, still true) are loaded and
    rendered: after a change, most rows of a page are the ones the viewer had."""
    if filters is None:  # a wrong company or date: said beside it, nothing listed
        return Paginator([], PAGE_SIZE).get_page(1)
    page = selectors.console_page(request.user, request.GET.get("page"), size=PAGE_SIZE, **filters)
    now = timezone.now()
    q = filters["q"]  # a search's rows quote what matched: made for it, never reused
    had = {
        row.pk: row
        for rows in ([] if q else earlier)
        for row in rows
        if row.updated_at is not None and row.until > now
    }
    had = {
        pk: had[pk] for pk, stamp in page.object_list if pk in had and had[pk].updated_at == stamp
    }
    made = {}
    wanted = [pk for pk, _stamp in page.object_list if pk not in had]
    if wanted:
        writer = RowWriter()
        latest = now + timedelta(seconds=LIST_SECONDS)
        for ticket in console_rows(request.user, wanted, q):
            until = min(shown_until([ticket]) or latest, latest)
            html = writer.row(ticket)
            stamp = None if q else ticket.updated_at
            made[ticket.pk] = Row(ticket.number, ticket.pk, stamp, until, html)
    page.object_list = [
        made.get(pk) or had[pk] for pk, _stamp in page.object_list if pk in made or pk in had
    ]
    return page


@require_POST
@staff_required
def bulk(request):
    """Assign or close many tickets: each through its action; a refusal is reported per ticket
    and does not stop the others."""
    staff = selectors.list_staff(request.user)
    form = BulkForm(request.POST, staff=staff)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = reverse("console:tickets")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    numbers = form.cleaned_data["tickets"]
    tickets = {t.number: t for t in list_tickets(request.user).filter(number__in=numbers)}
    operation = form.cleaned_data["operation"]
    done = 0
    for number in numbers:
        ticket = tickets.get(number)
        try:
            if ticket is None:
                raise ActionRefused(_("Not found."))
            if operation == BulkForm.CLOSE:
                actions.do_close_ticket(ticket, actor=request.user)
            elif operation == BulkForm.PRIORITY:
                actions.do_set_priority(
                    ticket, actor=request.user, priority=form.cleaned_data["priority"]
                )
            elif operation == BulkForm.TAG:
                actions.do_add_tags(ticket, actor=request.user, tags=[form.cleaned_data["tag"]])
            else:
                assignee = (
                    request.user
                    if operation == BulkForm.ASSIGN_ME
                    else form.staff[form.cleaned_data["assignee"]]
                )
                actions.do_assign_ticket(ticket, actor=request.user, assignee=assignee)
            done += 1
        except ActionRefused as refused:
            messages.error(
                request,
                _("#%(number)s: %(reason)s") % {"number": number, "reason": refused.message},
            )
    if done:
        messages.success(
            request,
            ngettext("%(count)d ticket updated.", "%(count)d tickets updated.", done)
            % {"count": done},
        )
    return redirect(back)


# The console's ticket page reads its ticket with fewer joins than the API (DETAIL): its
# department comes from the departments the page reads anyway (transfers, the history); its
# SLA clock is joined (the badge), which PostgreSQL plans in less time than a query takes.
PAGE_RELATED = ("company__plan", "assignee", "sla")


def _page_annotations(viewer) -> dict:
    """What the ticket page reads with its ticket: the departments' version token, and the
    customer panel's count of the company's other open tickets."""
    return {"departments_token": departments_version(), "other_open": selectors.other_open(viewer)}


def _ticket_context(request, ticket) -> dict:
    # the process's copy of the departments, behind the token the page's ticket was read with
    departments = list_departments(getattr(ticket, "departments_token", None))
    if not Ticket.department.is_cached(ticket):
        ticket.department = next(d for d in departments if d.pk == ticket.department_id)
    version = ticket_version(ticket)

    def shown() -> tuple[str, str]:
        timeline = visible_events(request.user, ticket, departments=departments)
        thread = render_to_string("console/_ticket_thread.html", {"timeline": timeline})
        # the tags' names by SQL built once (tag_names): the ORM's related manager compiled its
        # join for every page made again, ~0.7 ms of CPU
        return thread, ", ".join(tag_names([ticket.pk])[ticket.pk])

    # most of the page, what every agent sees of the history, and the tags, kept under the
    # ticket's version (a change of tags saves the ticket)
    thread, tags = kept(("console", ticket.pk, version), shown)
    context = {
        "ticket": ticket,
        "version": version,
        "thread": mark_safe(thread),  # noqa: S308 - rendered above
    }
    context["transfer_form"] = TransferForm(departments=departments, current=ticket.department)
    if ticket.status != Status.CLOSED:  # a closed ticket is reopened, not assigned
        staff = (
            selectors.kept_assignable_staff(ticket.department, ticket.names)
            if hasattr(ticket, "names")  # read with the page's ticket
            else selectors.assignable_staff(ticket.department)
        )
        context["assign_form"] = AssignForm(staff=staff, viewer=request.user)
    if request.htmx:  # the live part: history, facts and the actions they allow
        return context
    context.update(
        panel=selectors.customer_panel(request.user, ticket),
        whatsapp_window=reply_window(ticket, request.user),
        message_form=MessageForm(),
        priority_form=PriorityForm(initial={"priority": ticket.priority}),
        tags_form=TagsForm(initial={"tags": tags}),
        merge_form=MergeForm(),
    )
    if not ticket.linked:
        search = CompanySearchForm(request.GET or None)
        context["search_form"] = search
        context["companies"] = (
            selectors.search_companies(search.cleaned_data["company_q"])
            if search.is_valid()
            else None
        )
        context["link_form"] = LinkForm()
    return context


def render_ticket(request, ticket, **overrides):
    context = _ticket_context(request, ticket)
    context.update(overrides)
    return render(request, "console/ticket.html", context)


@require_GET
@staff_required
def ticket_page(request, number: int):
    # A poll (every 10 s per open page) mostly finds nothing new: it reads the bare ticket, and
    # the live part it swaps in when something changed reads the relations it shows.
    try:
        ticket = read_ticket(
            request.user,
            number,
            related=() if request.htmx else PAGE_RELATED,
            annotate=None if request.htmx else _page_annotations,
        )
    except NotFound:
        raise Http404 from None
    if request.htmx:
        if request.GET.get("v") == ticket_version(ticket):
            return HttpResponse(status=UNCHANGED)
        return render(request, "console/_ticket_live.html", _ticket_context(request, ticket))
    # LGPD: who opened a customer's messages (the page, not its polls), each time. One insert.
    do_record_access(
        actor=request.user,
        email=ticket.requester_email,
        what=AccessRecord.What.TICKET,
        ticket_number=ticket.number,
        client_address=client_address(request),
    )
    if ticket.origin == Origin.WHATSAPP:  # its reply window closes with the time, read apart
        return render_ticket(request, ticket)

    def make(parts) -> str:
        context = _ticket_context(request, ticket)
        context["csrf_token"] = parts["csrf_token"]
        return render_to_string("console/ticket.html", context, request)

    # Kept whole per agent (core.listcache.kept_page): under the ticket's row with all read
    # with it (company, plan, assignee, SLA clock; the departments' token, the names counter,
    # the company's other open tickets, the history's version) and the SLA badge as the time
    # makes it now (at risk, breached).
    what = ("console", row_state(ticket), sla_status(getattr(ticket, "sla", None)))
    return kept_page(request, what, make)


@require_GET
@staff_required
def attachment(request, pk: int):
    return attachment_download(request.user, pk)


@require_GET
@staff_required
def attachment_preview(request, pk: int):
    return attachment_preview_response(request.user, pk)


@require_GET
@staff_required
def next_ticket(request, number: int):
    """The next ticket to work on after ``number`` (keyboard: j); the list when none is left."""
    found = selectors.next_ticket(request.user, after=number)
    if found is None:
        messages.info(request, _("No other ticket is waiting for you."))
        return redirect("console:tickets")
    return redirect("console:ticket", number=found.number)


@require_GET
@staff_required
def company_options(request):
    """Autocomplete of the list's company filter: companies by name or CNPJ, as a datalist."""
    companies = selectors.search_companies(request.GET.get("company", "")[:100])
    return render(request, "console/_company_options.html", {"companies": companies})


@require_GET
@staff_required
def tag_options(request):
    """Autocomplete: the tags starting with what was typed, as the options of a datalist."""
    typed = request.GET.get("tag") or request.GET.get("tags", "").split(",")[-1]
    return render(request, "console/_tag_options.html", {"tags": list_tags(typed)})


@staff_required
def new_ticket(request):
    """Open a ticket for a customer: find the company, then the contact, department, channel
    and first message (a phone call, a meeting, a walk-in; R14)."""
    company = selectors.get_company(request.GET.get("company") or request.POST.get("company"))
    if company is None:
        search = CompanySearchForm(request.GET or None)
        companies = (
            selectors.search_companies(search.cleaned_data["company_q"])
            if search.is_valid()
            else None
        )
        return render(
            request, "console/new_ticket.html", {"search_form": search, "companies": companies}
        )
    contacts = [c for c in list_company_contacts(company) if c.user.is_active]
    choices = list_department_choices(company)
    form = NewTicketForm(request.POST or None, contacts=contacts, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = actions.do_open_ticket_for_customer(
                actor=request.user,
                company=company,
                requester_email=data["requester"],
                department=form.departments[data["department"]],
                subject=data["subject"],
                body=data["body"],
                channel=data["channel"],
                as_note=data["as_note"],
                notify_customer=data["notify_customer"],
                override_reason=data["override_reason"],
                priority=data["priority"],
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Ticket #%(number)s opened.") % {"number": ticket.number})
            try:
                return back_to_ticket(get_ticket(request.user, ticket.number))
            except NotFound:
                return redirect("console:tickets")
    return render(request, "console/new_ticket.html", {"company": company, "form": form})


@require_GET
@staff_required
def canned_picker(request, number: int):
    """The canned replies that fit the ticket, filled in for it, matching the search."""
    ticket = ticket_or_404(request, number)
    q = request.GET.get("q", "").strip()
    replies = canned_responses_for(request.user, ticket.department)
    if q:
        replies = replies.filter(Q(title__icontains=q) | Q(body__icontains=q))
    filled = [(c, render_canned(c, ticket=ticket, agent=request.user)) for c in replies[:20]]
    return render(request, "console/_canned_options.html", {"replies": filled})


@require_GET
@staff_required
def mail_status(request):
    """The banner every console page loads: empty while mail is going out."""
    return render(
        request, "console/_mail_status.html", {"stuck": selectors.mail_stuck(request.user)}
    )
