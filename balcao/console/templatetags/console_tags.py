from django import template

from balcao.console.forms import ACTIVE

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    """A department's or plan's ``field`` in the active language (pt-BR or English)."""
    return obj.localized(field)


@register.simple_tag
def not_closed() -> str:
    """The status filter value for every ticket that is not closed."""
    return ACTIVE
