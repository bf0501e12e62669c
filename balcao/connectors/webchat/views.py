"""Chat pages: the client area's (a contact starts and holds a chat) and the console's (the
live queue and the agent's side). Sockets carry the conversation; every page also works with
plain forms, so a chat goes on where websockets do not."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balcao.accounts.access import contact_or_staff_required, contact_required, staff_required
from balcao.connectors.webchat import actions
from balcao.connectors.webchat.forms import MessageForm, StartForm
from balcao.connectors.webchat.selectors import (
    chat_departments,
    chat_messages,
    chat_refusal,
    contact_chats,
    get_chat,
    list_chats,
)
from balcao.core.errors import ActionRefused, NotFound
from balcao.tickets.models import Status


def _chat(request, number: int):
    try:
        return get_chat(request.user, number)
    except NotFound:
        raise Http404 from None


def _redirect_to_room(request, ticket):
    name = "webchat:console_room" if request.user.is_agent else "webchat:room"
    return redirect(name, number=ticket.number)


@require_http_methods(["GET", "POST"])
@contact_required
def start(request):
    """Start a chat (R13): only when the plan includes it and it is open (R14); otherwise the
    page says when it opens and offers a ticket."""
    company = request.contact.company
    refusal = chat_refusal(company)
    departments = chat_departments(company)
    form = StartForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = actions.do_start_chat(
                actor=request.user,
                department=form.cleaned_data["department"],
                body=form.cleaned_data["body"],
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            return redirect("webchat:room", number=ticket.number)
    return render(
        request,
        "webchat/start.html",
        {"form": form, "refusal": refusal, "chats": contact_chats(request.user)},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@contact_required
def room(request, number: int):
    ticket = _chat(request, number)
    ended = ticket.status == Status.CLOSED
    return render(
        request,
        "webchat/room.html",
        {
            "ticket": ticket,
            "chat": chat_messages(request.user, ticket),
            "ended": ended,
            "refusal": "" if ended else chat_refusal(ticket.company),
            "form": MessageForm(),
        },
    )


@require_POST
@contact_or_staff_required
def send(request, number: int):
    """The plain form's message (the socket sends the same through the same action)."""
    ticket = _chat(request, number)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            actions.do_send_chat_message(
                ticket,
                actor=request.user,
                body=form.cleaned_data["body"],
                internal=form.cleaned_data["internal"] and request.user.is_agent,
            )
        except ActionRefused as refused:
            messages.error(request, refused.message)
    else:
        messages.error(request, form.errors.as_text())
    return _redirect_to_room(request, ticket)


@require_POST
@contact_or_staff_required
def end(request, number: int):
    ticket = _chat(request, number)
    try:
        actions.do_end_chat(ticket, actor=request.user)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return _redirect_to_room(request, ticket)


@require_GET
@staff_required
def queue(request):
    """The agent's live chats; ``?panel`` is the list alone, which the socket refreshes."""
    template = "webchat/_queue_panel.html" if "panel" in request.GET else "webchat/queue.html"
    return render(request, template, {"queue": list_chats(request.user)})


@require_GET
@staff_required
def console_room(request, number: int):
    ticket = _chat(request, number)
    return render(
        request,
        "webchat/console_room.html",
        {
            "ticket": ticket,
            "chat": chat_messages(request.user, ticket),
            "ended": ticket.status == Status.CLOSED,
            "form": MessageForm(),
        },
    )


@require_POST
@staff_required
def join(request, number: int):
    ticket = _chat(request, number)
    try:
        actions.do_join_chat(ticket, actor=request.user)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect("webchat:console_room", number=ticket.number)
