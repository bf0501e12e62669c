from django import template

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    """``{{ department|localized:"description" }}``: the field in the active language."""
    return obj.localized(field) if obj is not None else ""
