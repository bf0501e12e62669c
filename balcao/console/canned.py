"""The agent's own canned replies: written, edited and deleted here (the team's are kept in
the administration); the ticket page's picker fills them in."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balcao.accounts.access import staff_required
from balcao.console.forms import CannedResponseForm
from balcao.core.errors import ActionRefused, NotFound
from balcao.tickets import actions
from balcao.tickets.selectors import (
    canned_responses_for,
    get_canned_response,
    visible_departments,
)


@staff_required
def canned_responses(request):
    """The canned replies the agent may use; they write, edit (``?edit=<id>``) and delete their
    own here (administrators keep the team's in the administration)."""
    departments = list(visible_departments(request.user).order_by("position", "name"))
    editing = None
    if request.GET.get("edit"):
        try:
            editing = get_canned_response(request.user, request.GET["edit"])
        except (NotFound, ValueError):
            raise Http404 from None
        if editing.owner_id != request.user.pk:
            raise Http404
    form = CannedResponseForm(request.POST or None, departments=departments, canned=editing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_save_canned_response(
                actor=request.user,
                canned=editing,
                title=data["title"],
                body=data["body"],
                department=form.chosen_department(),
                set_status=data["set_status"],
                assign_to_me=data["assign_to_me"],
                add_tags=data["add_tags"],
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Canned reply saved."))
            return redirect("console:canned")
    replies = canned_responses_for(request.user).select_related("department")
    return render(
        request,
        "console/canned_responses.html",
        {"form": form, "replies": replies, "editing": editing},
    )


@require_POST
@staff_required
def canned_response_delete(request, pk: int):
    try:
        actions.do_delete_canned_response(get_canned_response(request.user, pk), actor=request.user)
    except NotFound:
        raise Http404 from None
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Canned reply deleted."))
    return redirect("console:canned")
