"""The agent's notifications in the console: the menu's counter, the list (all marked read at
once), one opened (read, then its ticket), and what is told by e-mail and here, per kind."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from balcao.accounts.access import staff_required
from balcao.core.errors import NotFound
from balcao.notifications.actions import (
    do_mark_notifications_read,
    do_set_notification_preferences,
)
from balcao.notifications.models import Kind
from balcao.notifications.selectors import (
    get_notification,
    list_notifications,
    notification_preferences,
    notification_text,
    unread_count,
)


@require_GET
@staff_required
def notification_count(request):
    """The counter in the menu, loaded apart from the page (the pages keep their queries);
    the console's socket keeps it current."""
    return render(
        request, "console/_notification_count.html", {"count": unread_count(request.user)}
    )


@require_http_methods(["GET", "POST"])
@staff_required
def notification_list(request):
    """The agent's notifications; POST marks them all read."""
    if request.method == "POST":
        do_mark_notifications_read(request.user)
        return redirect("console:notifications")
    items = list_notifications(request.user)
    return render(
        request,
        "console/notifications.html",
        {"items": [(n, notification_text(n)) for n in items]},
    )


@require_GET
@staff_required
def notification_open(request, pk: int):
    """Open one notification's ticket, marking it read."""
    try:
        found = get_notification(request.user, pk)
    except NotFound:
        raise Http404 from None
    do_mark_notifications_read(request.user, [pk])
    return redirect("console:ticket", number=found.ticket.number)


@require_http_methods(["GET", "POST"])
@staff_required
def notification_preferences_page(request):
    """Per kind, by e-mail and in the console."""
    if request.method == "POST":
        do_set_notification_preferences(
            request.user,
            {
                kind: (
                    request.POST.get(f"{kind}-email") == "on",
                    request.POST.get(f"{kind}-console") == "on",
                )
                for kind in Kind.values
            },
        )
        messages.success(request, _("Notification preferences saved."))
        return redirect("console:notification_preferences")
    return render(
        request,
        "console/notification_preferences.html",
        {"preferences": notification_preferences(request.user)},
    )
