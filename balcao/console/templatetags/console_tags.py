from django import template

from balcao.console.forms import ACTIVE
from balcao.tickets.models import Message, Origin, Priority, Status

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    """A department's or plan's ``field`` in the active language (pt-BR or English)."""
    return obj.localized(field)


@register.filter
def status_label(value: str) -> str:
    """A ticket status's name in the active language. The same text as
    ``get_status_display``, which walks every choice on each call: ~35 µs a row of a list."""
    try:
        return str(Status(value).label)
    except ValueError:  # a value no longer among the choices: shown as stored
        return value


@register.filter
def priority_label(value: str) -> str:
    """A ticket priority's name in the active language (see status_label)."""
    try:
        return str(Priority(value).label)
    except ValueError:
        return value


@register.filter
def origin_label(value: str) -> str:
    """A channel's name in the active language (see status_label)."""
    try:
        return str(Origin(value).label)
    except ValueError:
        return value


@register.filter
def delivery_label(value: str) -> str:
    """How a reply's e-mail went, in the active language (see status_label)."""
    try:
        return str(Message.Delivery(value).label)
    except ValueError:
        return value


@register.simple_tag
def not_closed() -> str:
    """The status filter value for every ticket that is not closed."""
    return ACTIVE


# The menu's pages without arguments, by view name: a request is at one of them when it
# resolved to its name (a pattern without arguments reverses to that one path).
MENU_PAGES = {
    "console:home",
    "console:tickets",
    "console:notifications",
    "console:new_ticket",
    "console:canned",
    "console:agenda",
}


@register.filter
def current_links(request) -> tuple[str, ...]:
    """What in the console menu is the current page (``aria-current``): the view name of a
    menu page, the area (webchat, lgpd, reports), "mine" (assignee=me) and "unlinked". With
    the language and the viewer's access to the admin site, all the kept menu depends on."""
    match = request.resolver_match
    current = []
    if match is not None:
        if match.view_name in MENU_PAGES:
            current.append(match.view_name)
        if match.namespace in {"webchat", "lgpd", "reports"}:
            current.append(match.namespace)
    assignee, unlinked = request.GET.get("assignee"), request.GET.get("unlinked")
    if "console:tickets" in current and (assignee or unlinked):
        current.remove("console:tickets")
    if assignee == "me":
        current.append("mine")
    if unlinked:
        current.append("unlinked")
    return tuple(current)
