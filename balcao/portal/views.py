"""The client area (Área do Cliente): thin views — check who asks, call one selector or action,
render.

Only contacts of an active customer company get in. Staff are sent to the console (the one
login page serves everyone); a signed-in person who is neither gets a page saying so. A
ticket, attachment or contact of another company is 404 on every URL, never "forbidden".
"""

from django.contrib import messages
from django.contrib.messages import get_messages
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balcao.accounts.access import contact_required
from balcao.core.errors import ActionRefused, NotFound
from balcao.core.listcache import (
    ListCache,
    keep_together,
    kept,
    kept_page,
    row_state,
    shown_together,
    time_tag,
)
from balcao.customers.selectors import (
    get_contact,
    get_open_department,
    list_active_departments,
    list_company_contacts,
    list_department_choices,
)
from balcao.kb.actions import do_record_deflection
from balcao.kb.selectors import get_article, suggest_articles
from balcao.portal.company import plan_channels
from balcao.portal.forms import (
    OpenTicketForm,
    ReplyForm,
    SatisfactionForm,
    TicketFilterForm,
)
from balcao.portal.templatetags.portal_tags import current_links
from balcao.satisfaction.actions import do_rate_ticket
from balcao.satisfaction.selectors import (
    SCORES,
    LinkRefused,
    rating_state,
    survey_token,
    survey_url,
    ticket_for_token,
)
from balcao.search.departments import suggest_department
from balcao.search.selectors import with_snippets
from balcao.sla.selectors import expected_answer
from balcao.tickets import actions
from balcao.tickets.history import visible_events
from balcao.tickets.http import attachment_download
from balcao.tickets.http import attachment_preview as attachment_preview_response
from balcao.tickets.models import STATUS_MEANINGS, Origin, Priority, Status
from balcao.tickets.selectors import (
    contact_page,
    copied_emails,
    get_ticket,
    list_tickets,
    list_version,
    read_ticket,
    seen_part,
    ticket_version,
)

PAGE_SIZE = 25
RECENT = 5


def _ticket(request, number: int):
    try:
        return get_ticket(request.user, number)
    except NotFound:
        raise Http404 from None


def _legend():
    return [(value, label, STATUS_MEANINGS[Status(value)]) for value, label in Status.choices]


# --- pages --------------------------------------------------------------------------------


@require_GET
@contact_required
def home(request):
    recent = list(list_tickets(request.user).exclude(status=Status.CLOSED)[:RECENT])
    return render(request, "portal/home.html", {"recent": recent})


@require_http_methods(["GET", "POST"])
@contact_required
def open_ticket(request):
    if request.method == "POST":
        # the department posted, alone: the action applies the plan's rules to it (R3, R4);
        # every choice is read only to show the form again
        department = get_open_department(request.POST.get("department", ""))
        form = OpenTicketForm(
            request.POST, request.FILES, departments=[department] if department else []
        )
    else:
        form = OpenTicketForm(departments=[])
    if request.method == "POST" and form.is_valid():
        department = form.chosen_department()
        try:
            ticket = actions.do_open_ticket(
                actor=request.user,
                contact=request.contact,
                department=department,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                reference=form.cleaned_data["reference"],
                attachments=form.new_attachments(),
                origin=Origin.PORTAL,
            )
        except ActionRefused as refused:
            field = {
                "department_not_available": "department",
                "reference_required": "reference",
                "reference_invalid": "reference",
                "subject_required": "subject",
                "body_required": "body",
            }.get(refused.code)
            form.add_error(field, refused.message)
        else:
            messages.success(
                request,
                _("Ticket #%(number)s opened in %(department)s. We will answer here and by e-mail.")
                % {"number": ticket.number, "department": department.localized("name")},
            )
            return redirect("portal:ticket", number=ticket.number)
    return render(
        request,
        "portal/open_ticket.html",
        {
            "form": form,
            "choices": list_department_choices(request.contact.company),
            "chosen": form["department"].value() or "",
            "files_lost": request.method == "POST" and bool(request.FILES),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@contact_required
def open_ticket_suggestions(request):
    """While the customer writes (R9, R5): help articles that may answer it and the department
    that seems to fit, beside the form, which stays as typed."""
    text = f"{request.GET.get('subject', '')} {request.GET.get('body', '')}"[:4000]
    return render(
        request,
        "portal/_suggestions.html",
        {
            "articles": suggest_articles(request.user, text),
            "department": suggest_department(request.contact.company, text),
        },
    )


@require_POST
@contact_required
def solved_by_article(request, slug: str):
    """ "This solved it": counted as a deflection (R9), unless a ticket follows within 72 h."""
    try:
        article = get_article(request.user, slug)
        do_record_deflection(article, reader=request.user)
    except (NotFound, ActionRefused):
        raise Http404 from None
    return render(request, "portal/_solved.html", {"article": article})


@require_GET
@contact_required
def ticket_list(request):
    """Kept rendered in two parts (core.listcache), read in one round trip to the cache: the
    list under the viewer's list token, and the page around it — its filter form among it —
    under what the viewer sees (``seen_part``), which their tickets' changes leave alone.
    Seen again unchanged, nothing is queried or rendered; the kept page is given this
    request's CSRF token. After a change to their company's tickets only the list is made
    again, and of its rows only those of tickets changed since the viewer's earlier lists
    (most of a page is the rows they had). What the page around the list shows of the request
    besides the token (the viewer's name, the address the language form returns to, the
    menu's links) is kept with it and compared: when it differs, it is rendered again. With a
    message waiting to be shown (once), the whole page is rendered and not kept."""
    version = list_version(request.user)
    kept = ListCache("portal", request, request.user, version)
    kept_around = ListCache("portal-around", request, request.user, seen_part(version))
    shown, around = shown_together(kept, kept_around)
    here = (request.user.display_name, request.get_full_path(), current_links(request))
    waiting = bool(len(get_messages(request)))
    form = None
    if around is None or around["here"] != here or waiting:
        form = TicketFilterForm(request.GET, departments=list_active_departments())
        filters = form.filters()
    else:
        filters = around["filters"]
    keeping = []  # what this request made, written to the cache in one round trip
    if shown is None:
        shown = _ticket_list_shown(request, filters, kept.earlier("rows"))
        keeping.append((kept, shown, None))
    # every piece is a template's output or a row escaped when written
    listed = mark_safe(shown["head"] + "".join(row[2] for row in shown["rows"]) + shown["tail"])  # noqa: S308
    if not waiting and form is not None:
        # the page around the list, rendered with stand-ins where the list and the CSRF token
        # go (the token's unguessable, so that no text of the page can be taken for it)
        stand_in = get_random_string(32)
        context = {"form": form, "list": LIST, "csrf_token": stand_in}
        page = render_to_string("portal/ticket_list.html", context, request)
        head, _list, tail = page.partition(LIST)
        around = {
            "head": head,
            "tail": tail,
            "here": here,
            "stand_in": stand_in,
            "filters": filters,
        }
        keeping.append((kept_around, around, None))
    if keeping:
        keep_together(*keeping)
    if waiting:
        return render(request, "portal/ticket_list.html", {"form": form, "list": listed})
    token = get_token(request)
    head, tail, stand_in = around["head"], around["tail"], around["stand_in"]
    return HttpResponse(head.replace(stand_in, token) + listed + tail.replace(stand_in, token))


LIST = mark_safe("<!-- the list -->")  # where the list goes in its page
ROWS = mark_safe("<!-- rows -->")  # where the rows go in the list


ROW_LABELS = {  # data-label, for narrow screens: translated once per list
    "number": "Number",
    "subject": "Subject",
    "department": "Department",
    "status": "Status",
    "updated": "Updated",
}

# What a row shows: the whole rows of the tickets, their companies and plans, assignees and
# the tickets they were merged into cost ~1 ms more of a first view in model instances.
ROW_FIELDS = (
    "number",
    "subject",
    "status",
    "requester_name",
    "updated_at",
    "department__name",
    "department__name_en",
)

URL_NUMBER = 987654321  # stands for a ticket's number in its page's address

ROW = (
    "\n    <tr>\n"
    '      <td data-label="{l_number}">#{number}</td>\n'
    '      <td data-label="{l_subject}"><a href="{url}">{subject}</a>\n'
    "        {requester}\n"
    "        {snippet}</td>\n"
    '      <td data-label="{l_department}">{department}</td>\n'
    '      <td data-label="{l_status}"><span class="status status-{status}" title="{meaning}">'
    "{label}</span>\n"
    '        <span class="small muted meaning">{meaning}</span></td>\n'
    '      <td data-label="{l_updated}">{updated}</td>\n'
    "    </tr>\n  "
)


def _ticket_rows(tickets, labels: dict[str, str], earlier: dict[int, tuple]) -> list[tuple]:
    """Each ticket's row as ``(pk, updated_at, html)``: the row ``earlier`` holds for it
    when the ticket has not changed since (same ``updated_at``), else written here rather
    than by the template engine (~0.15 ms a row in the template), with labels, statuses and
    departments escaped once per page. Every text is escaped; the markup is what the list's
    template wrote. A search's rows quote what matched (``snippet``): their ``updated_at`` is
    left out, so that no later list takes them."""
    escaped = {f"l_{name}": conditional_escape(label) for name, label in labels.items()}
    statuses = {
        value: (conditional_escape(label), conditional_escape(meaning))
        for value, label, meaning in _legend()
    }
    departments: dict[int, str] = {}
    # the ticket page's address resolved once, each row's number put in it
    before, _number, after = reverse("portal:ticket", args=[URL_NUMBER]).partition(str(URL_NUMBER))
    rows = []
    for ticket in tickets:
        snippet = getattr(ticket, "snippet", "")
        had = earlier.get(ticket.pk)
        if had is not None and had[1] == ticket.updated_at and not snippet:
            rows.append(had)
            continue
        if ticket.department_id not in departments:
            departments[ticket.department_id] = conditional_escape(
                ticket.department.localized("name")
            )
        label, meaning = statuses[ticket.status]
        name = ticket.requester_name
        html = ROW.format(
            number=ticket.number,
            url=conditional_escape(f"{before}{ticket.number}{after}"),
            subject=conditional_escape(ticket.subject),
            requester=f'<span class="small muted">· {conditional_escape(name)}</span>'
            if name
            else "",
            snippet=f'<p class="snippet">{conditional_escape(snippet)}</p>' if snippet else "",
            department=departments[ticket.department_id],
            status=conditional_escape(ticket.status),
            label=label,
            meaning=meaning,
            updated=time_tag(ticket.updated_at),
            **escaped,
        )
        rows.append((ticket.pk, None if snippet else ticket.updated_at, html))
    return rows


def _ticket_list_shown(request, filters: dict, earlier: list[list[tuple]]) -> dict:
    """The list under the filter form — legend, rows, pager — as its head, its rows (see
    ``_ticket_rows``; ``earlier``: the rows of the viewer's earlier lists) and its tail."""
    page = contact_page(request.user, request.GET.get("page"), PAGE_SIZE, ROW_FIELDS, **filters)
    page.object_list = with_snippets(page.object_list, filters["q"], staff=False)
    labels = {name: _(text) for name, text in ROW_LABELS.items()}
    had = {row[0]: row for rows in earlier for row in rows if row[1] is not None}
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "labels": labels,
        "rows": ROWS,
        "query": query.urlencode(),
        "legend": _legend(),
        "filtered": any(filters.values()),
    }
    shown = render_to_string("portal/_ticket_list.html", context, request)
    head, _rows, tail = shown.partition(ROWS)
    return {"head": head, "rows": _ticket_rows(page.object_list, labels, had), "tail": tail}


def _ticket_context(request, ticket, reply_form=None, survey_token: str = "") -> dict:
    def thread() -> str:
        timeline = visible_events(request.user, ticket)
        return render_to_string("portal/_ticket_thread.html", {"timeline": timeline})

    context = {
        "ticket": ticket,
        # most of the page: what every contact sees of the history (no internal note, events
        # worded for customers), kept under its version apart from the staff's
        "thread": mark_safe(  # noqa: S308
            kept(("portal", ticket.pk, ticket_version(ticket)), thread)
        ),
        "reply_form": reply_form or ReplyForm(),
        "closed": ticket.status == Status.CLOSED,
        "expected": expected_answer(ticket),
        "priorities": Priority.choices,
    }
    if ticket.status == Status.CLOSED:
        token = survey_token or None
        context["satisfaction"] = rating_state(ticket)
        context["survey_url"] = survey_url(ticket, token=token)
        context["scores"] = [(score, survey_url(ticket, score, token=token)) for score in SCORES]
    return context


def _render_ticket(request, ticket, reply_form=None, status=200):
    context = _ticket_context(request, ticket, reply_form)
    return render(request, "portal/ticket.html", context, status=status)


# What the ticket page shows with its ticket, read in the same row: the department and its
# options (whether the customer sets the priority), a closed ticket's rating, the SLA clock
# (when an answer is expected). Fewer joins than the API's (no company: the page does not
# show it), each one costing PostgreSQL planning, less than a query of its own.
PAGE_RELATED = ("department__ticket_options", "satisfaction", "sla")


@require_GET
@contact_required
def ticket_page(request, number: int):
    try:
        ticket = read_ticket(request.user, number, related=PAGE_RELATED, contact=request.contact)
    except NotFound:
        raise Http404 from None

    def make(parts) -> str:
        context = _ticket_context(request, ticket, survey_token=parts.get("survey_token", ""))
        context["csrf_token"] = parts["csrf_token"]
        return render_to_string("portal/ticket.html", context, request)

    # Kept whole per contact (core.listcache.kept_page): under the ticket's row with all read
    # with it, the contact's with its company and plan (the menu's chat link), and what the
    # time makes of them: when an answer is expected (none once the clock is breached),
    # whether the survey may still be answered. Its signed links are signed per request.
    closed = ticket.status == Status.CLOSED
    what = (
        "portal",
        row_state(ticket),
        row_state(request.contact),
        expected_answer(ticket),
        closed and rating_state(ticket).may_answer,
    )
    signed = {"survey_token": lambda: survey_token(ticket)} if closed else None
    return kept_page(request, what, make, signed)


@require_POST
@contact_required
def ticket_reply(request, number: int):
    """The customer's message (→ Customer-Reply); on a Closed ticket it reopens it (R12)."""
    ticket = _ticket(request, number)
    was_closed = ticket.status == Status.CLOSED
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.do_add_message(
                ticket,
                actor=request.user,
                body=form.cleaned_data["body"],
                attachments=form.new_attachments(),
                channel=Origin.PORTAL,
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                _("Message sent. The ticket was closed and is now reopened.")
                if was_closed
                else _("Message sent."),
            )
            return redirect("portal:ticket", number=ticket.number)
    return _render_ticket(request, ticket, reply_form=form, status=400)


@require_POST
@contact_required
def ticket_priority(request, number: int):
    """The customer sets the priority, where the ticket's department allows it."""
    ticket = _ticket(request, number)
    try:
        actions.do_set_priority(
            ticket, actor=request.user, priority=request.POST.get("priority", "")
        )
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Priority changed."))
    return redirect("portal:ticket", number=ticket.number)


@require_POST
@contact_required
def ticket_close(request, number: int):
    ticket = _ticket(request, number)
    try:
        actions.do_close_ticket(ticket, actor=request.user)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("Ticket closed. If you write to it again, it is reopened."),
        )
    return redirect("portal:ticket", number=ticket.number)


@require_GET
@contact_required
def attachment(request, pk: int):
    return attachment_download(request.user, pk)


@require_GET
@contact_required
def help_page(request):
    """Which department is for what, and how to reach each (help articles come later)."""
    return render(
        request,
        "portal/help.html",
        {
            "choices": list_department_choices(request.contact.company),
            "channels": plan_channels(request.contact.company.plan),
            "legend": _legend(),
        },
    )


def attachment_preview(request, pk: int):
    return attachment_preview_response(request.user, pk)


@require_http_methods(["GET", "POST"])
@contact_required
def ticket_cc(request, number: int):
    """Who else of the company gets the team's replies on this ticket: any contact of the
    company adds or removes its other authorized contacts (R2)."""
    ticket = _ticket(request, number)
    if request.method == "POST":
        email = request.POST.get("email", "")
        act = actions.do_remove_cc if request.POST.get("remove") else actions.do_add_cc
        try:
            act(ticket, actor=request.user, email=email)
        except ActionRefused as refused:
            messages.error(request, refused.message)
        else:
            done = (
                _("%(email)s no longer gets the replies.")
                if act is actions.do_remove_cc
                else _("%(email)s now gets the replies too.")
            )
            messages.success(request, done % {"email": email.strip().lower()})
        return redirect("portal:ticket_cc", number=ticket.number)
    copied = copied_emails(ticket)
    others = [
        c.user.email
        for c in list_company_contacts(request.contact.company)
        if c.user.is_active
        and c.user.email.lower() not in copied
        and c.user.email.lower() != ticket.requester_email
    ]
    return render(
        request, "portal/ticket_cc.html", {"ticket": ticket, "copied": copied, "others": others}
    )


# --- satisfaction ---------------------------------------------------------------------------


def _rater(user, ticket):
    """Who answers: staff (refused by the action) or a signed-in contact of the ticket's
    company; anyone else answers by the link's signature alone (recorded as nobody)."""
    if not user.is_authenticated:
        return None
    if user.is_agent:
        return user
    contact = get_contact(user)
    return user if contact and contact.company_id == ticket.company_id else None


@require_http_methods(["GET", "POST"])
def satisfaction(request, token: str):
    """ "Como foi o atendimento?" by a signed link (the closing e-mail's, or the ticket page's):
    no login needed, for that ticket only. A GET records nothing (mail scanners follow links):
    it shows the score the link chose, preselected, and the confirm button posts it."""
    try:
        ticket = ticket_for_token(token)
    except LinkRefused as refused:
        return render(request, "portal/satisfaction.html", {"refusal": refused.message}, status=404)
    state = rating_state(ticket)
    if request.method == "POST":
        form = SatisfactionForm(request.POST)
        if form.is_valid():
            actor = _rater(request.user, ticket)
            try:
                do_rate_ticket(
                    ticket,
                    actor=actor,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except ActionRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Thank you! Your answer was recorded."))
                return redirect(request.path)
        status = 400
    else:
        chosen = request.GET.get("nota", "")
        initial: dict[str, object] = {"comment": state.rating.comment if state.rating else ""}
        if chosen in {"1", "2", "3", "4", "5"}:
            initial["score"] = int(chosen)
        elif state.rating:
            initial["score"] = state.rating.score
        form, status = SatisfactionForm(initial=initial), 200
    context = {"ticket": ticket, "state": state, "form": form}
    return render(request, "portal/satisfaction.html", context, status=status)
