"""A report's cell as shown in its table, and as written to its CSV."""

from datetime import date, timedelta
from typing import Any

from django import template
from django.utils import formats

from balcao.sla.templatetags.sla_tags import business_hours, percent

register = template.Library()


@register.filter
def cell(value: Any, kind: str) -> str:
    """``{{ value|cell:column.kind }}``: "87,5 %", "3 h 05 min", "02/03/2026", "1234"."""
    if kind == "percent":
        return percent(value)
    if kind == "duration":
        return business_hours(value)
    if kind == "date":
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if kind == "count":
        return formats.number_format(value)
    if kind == "decimal":
        return "—" if value is None else formats.number_format(value, decimal_pos=2)
    return str(value)


def csv_cell(value: Any, kind: str) -> str | int | float:
    """For a spreadsheet: numbers as numbers (a dot for decimals), a duration in business
    hours, a date as ISO 8601, nothing where the table shows —."""
    if value is None:
        return ""
    if kind == "duration":
        assert isinstance(value, timedelta)
        return round(value.total_seconds() / 3600, 2)
    if kind == "date":
        assert isinstance(value, date)
        return value.isoformat()
    if kind in ("count", "percent", "decimal"):
        return value
    return str(value)


def csv_header(label: Any, kind: str) -> str:
    return f"{label} (h)" if kind == "duration" else str(label)
