"""Template tags to show the SLA and the channel hours wherever a page needs them."""

from datetime import timedelta

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from balcao.sla.selectors import (
    NO_SLA,
    SlaStatus,
    sla_status,
    ticket_sla,
)
from balcao.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("sla/_badge.html")
def sla_badge(value: Ticket | SlaStatus | None):
    """``{% sla_badge ticket %}``: one query, or none for a ticket loaded with
    ``select_related("sla")`` (a list); a SlaStatus is shown as it is."""
    if isinstance(value, Ticket):
        # A list that joined the clock (select_related("sla")) needs no query per row.
        cached = Ticket.sla.is_cached(value)
        value = sla_status(getattr(value, "sla", None)) if cached else ticket_sla(value)
    return {"sla": value or NO_SLA}


@register.filter
def business_hours(value: timedelta | None) -> str:
    """A business duration as hours and minutes: "3 h 05 min"."""
    if value is None:
        return "—"
    minutes = round(value.total_seconds() / 60)
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


@register.filter
def percent(value: float | None) -> str:
    """A compliance as "87,5 %", or "—" when nothing was due in the period."""
    if value is None:
        return "—"
    return _("%(value)s %%") % {"value": formats.number_format(value, decimal_pos=1)}
