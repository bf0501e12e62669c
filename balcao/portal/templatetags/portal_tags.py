from django import template

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    """``{{ department|localized:"description" }}``: the field in the active language."""
    return obj.localized(field) if obj is not None else ""


@register.filter
def current_links(request) -> tuple[str, ...]:
    """What the client area's menu shows for this request besides the language, all the kept
    menu depends on: "chat" when the contact's plan offers it, and what is the current page
    (``aria-current``): the view name of a menu page, "tickets", "webchat" or "help"."""
    match = request.resolver_match
    try:
        current = ["chat"] if "chat" in request.contact.company.plan.channels else []
    except (AttributeError, TypeError):  # no plan, or channels that are not a list
        current = []
    if match is not None:
        if match.view_name in {"portal:open_ticket", "portal:contacts", "portal:plan"}:
            current.append(match.view_name)
        if match.url_name in {"tickets", "ticket"}:
            current.append("tickets")
        if match.namespace == "webchat":
            current.append("webchat")
        if match.view_name == "portal:help" or match.namespace == "kb":
            current.append("help")
    return tuple(current)
