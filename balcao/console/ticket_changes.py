"""The staff console's changes to one ticket from its page: a reply or note, assigning,
progress, closing and reopening, transfer, link to a company, following, priority, tags,
merge. Each checks who asks, calls its action, says how it went and goes back to the page
(console.views renders it, with the form that failed when one did)."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from balcao.accounts.access import staff_required
from balcao.accounts.selectors import list_departments
from balcao.connectors.whatsapp.actions import do_reply_with_template
from balcao.connectors.whatsapp.selectors import free_form_refusal
from balcao.console import selectors
from balcao.console.forms import (
    AssignForm,
    LinkForm,
    MergeForm,
    MessageForm,
    PriorityForm,
    TagsForm,
    TransferForm,
)
from balcao.console.views import back_to_ticket, render_ticket, ticket_or_404
from balcao.core.errors import ActionRefused, NotFound
from balcao.customers.actions import do_authorize_contact
from balcao.notifications.actions import do_follow_ticket
from balcao.notifications.selectors import is_following
from balcao.tickets import actions
from balcao.tickets.models import Origin
from balcao.tickets.selectors import get_ticket


@require_POST
@staff_required
def ticket_message(request, number: int):
    """A public reply (→ Answered, e-mailed to the requester) or an internal note."""
    ticket = ticket_or_404(request, number)
    internal = request.POST.get("kind") == "note"
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        refusal = "" if internal else free_form_refusal(ticket)
        try:
            if form.cleaned_data["whatsapp_template"]:
                do_reply_with_template(
                    ticket, actor=request.user, template_id=form.cleaned_data["whatsapp_template"]
                )
            elif refusal:
                raise ActionRefused(refusal, code="whatsapp_window_closed")
            elif form.cleaned_data["canned_response"]:
                actions.do_reply_with_canned(
                    ticket,
                    actor=request.user,
                    canned_id=form.cleaned_data["canned_response"],
                    body=form.cleaned_data["body"],
                    internal=internal,
                    attachments=form.new_attachments(),
                    channel=Origin.CONSOLE,
                )
            else:
                actions.do_add_message(
                    ticket,
                    actor=request.user,
                    body=form.cleaned_data["body"],
                    internal=internal,
                    attachments=form.new_attachments(),
                    channel=Origin.CONSOLE,
                )
        except NotFound:
            form.add_error(None, _("That canned reply is not available."))
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Internal note added.") if internal else _("Reply sent."))
            return back_to_ticket(ticket)
    return render_ticket(request, ticket, message_form=form)


def _acted(request, ticket, act, done: str):
    try:
        act(ticket)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done)
    return back_to_ticket(ticket)


@require_POST
@staff_required
def ticket_assign(request, number: int):
    ticket = ticket_or_404(request, number)
    if request.POST.get("assignee") == "me":
        assignee = request.user
    else:
        form = AssignForm(
            request.POST,
            staff=selectors.assignable_staff(ticket.department),
            viewer=request.user,
        )
        if not form.is_valid():
            messages.error(request, _("Choose someone who works in this department."))
            return back_to_ticket(ticket)
        assignee = form.assignee_user()
    return _acted(
        request,
        ticket,
        lambda t: actions.do_assign_ticket(t, actor=request.user, assignee=assignee),
        _("Assigned to %(name)s.") % {"name": assignee.display_name}
        if assignee
        else _("Back in the queue, assigned to nobody."),
    )


@require_POST
@staff_required
def ticket_progress(request, number: int):
    return _acted(
        request,
        ticket_or_404(request, number),
        lambda t: actions.do_start_progress(t, actor=request.user),
        _("The ticket is in progress."),
    )


@require_POST
@staff_required
def ticket_close(request, number: int):
    return _acted(
        request,
        ticket_or_404(request, number),
        lambda t: actions.do_close_ticket(t, actor=request.user),
        _("The ticket is closed."),
    )


@require_POST
@staff_required
def ticket_reopen(request, number: int):
    return _acted(
        request,
        ticket_or_404(request, number),
        lambda t: actions.do_reopen_ticket(t, actor=request.user),
        _("The ticket is reopened."),
    )


@require_POST
@staff_required
def ticket_transfer(request, number: int):
    ticket = ticket_or_404(request, number)
    form = TransferForm(request.POST, departments=list_departments(None), current=ticket.department)
    if not form.is_valid():
        messages.error(request, _("Choose another active department."))
        return back_to_ticket(ticket)
    department = form.chosen_department()
    try:
        actions.do_transfer_ticket(ticket, actor=request.user, department=department)
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return back_to_ticket(ticket)
    messages.success(
        request,
        _("Transferred to %(department)s.") % {"department": department.localized("name")},
    )
    try:
        return back_to_ticket(get_ticket(request.user, number))
    except NotFound:
        # Transferred where the viewer does not work: the ticket left their sight.
        return redirect("console:tickets")


@require_POST
@staff_required
def ticket_link(request, number: int):
    """Link an unlinked ticket to a company; optionally authorize its sender as a contact,
    with the primary contact's consent recorded (R2, R7). Both or neither."""
    ticket = ticket_or_404(request, number)
    form = LinkForm(request.POST)
    valid = form.is_valid()
    company = selectors.get_company(form.cleaned_data.get("company"))
    if company is None:
        form.add_error(None, _("Choose a company from the search results."))
    elif valid:
        try:
            with transaction.atomic():
                if form.cleaned_data["authorize"]:
                    do_authorize_contact(
                        company,
                        actor=request.user,
                        email=ticket.requester_email,
                        name=ticket.requester_name,
                        consent=form.cleaned_data["consent"].strip(),
                    )
                actions.do_link_ticket(ticket, actor=request.user, company=company)
        except ActionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Linked to %(company)s.") % {"company": company.name})
            return back_to_ticket(ticket)
    return render_ticket(
        request,
        ticket,
        link_form=form,
        companies=[company] if company else None,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def ticket_follow(request, number: int):
    """The follow button (loaded apart, so the ticket page keeps its queries), and its toggle."""
    ticket = ticket_or_404(request, number)
    if request.method == "POST":
        do_follow_ticket(ticket, actor=request.user, follow=request.POST.get("follow") == "on")
        if not request.htmx:
            return back_to_ticket(ticket)
    following = is_following(request.user, ticket)
    return render(request, "console/_follow.html", {"ticket": ticket, "following": following})


# Issue 11: priority and tags, merge, staff-opened tickets, canned replies


@require_POST
@staff_required
def ticket_priority(request, number: int):
    ticket = ticket_or_404(request, number)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a priority."))
        return back_to_ticket(ticket)
    return _acted(
        request,
        ticket,
        lambda t: actions.do_set_priority(
            t, actor=request.user, priority=form.cleaned_data["priority"]
        ),
        _("Priority changed."),
    )


@require_POST
@staff_required
def ticket_tags(request, number: int):
    ticket = ticket_or_404(request, number)
    form = TagsForm(request.POST)
    form.is_valid()
    return _acted(
        request,
        ticket,
        lambda t: actions.do_set_tags(t, actor=request.user, tags=form.tag_names()),
        _("Tags saved."),
    )


@require_POST
@staff_required
def ticket_merge(request, number: int):
    ticket = ticket_or_404(request, number)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the number of the ticket to merge into."))
        return back_to_ticket(ticket)
    try:
        into = get_ticket(request.user, form.cleaned_data["into"])
        actions.do_merge_ticket(ticket, actor=request.user, into=into)
    except NotFound:
        messages.error(
            request, _("Ticket %(number)s not found.") % {"number": form.cleaned_data["into"]}
        )
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("Ticket #%(merged)s was merged into this one.") % {"merged": ticket.number},
        )
        return back_to_ticket(into)
    return back_to_ticket(ticket)
