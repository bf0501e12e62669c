"""Approved WhatsApp message templates as plain values: Meta's rules for what an administrator
types (checked on save and again when read), and the text a template becomes for a ticket."""

import re

from django.utils.translation import gettext as _

from balcao.accounts.models import User
from balcao.connectors.whatsapp.models import MessageTemplate
from balcao.tickets.models import Ticket

TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
TEMPLATE_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2,4})?$")
VARIABLE = re.compile(r"\{\{\s*(\d+)\s*\}\}")
PARAMETERS = ("customer_name", "ticket_number", "agent_name", "company")


def template_errors(name: str, language: str, body: str, parameters: object) -> dict[str, str]:
    """What is wrong with a template's settings, by field ({} when nothing): Meta's rules for
    the name and the language code, and one known parameter for each of the body's {{1}}…{{n}}
    in order."""
    errors = {}
    if not TEMPLATE_NAME.match(name or ""):
        errors["name"] = _("Only lower-case letters, digits and _, as in WhatsApp Manager.")
    if not TEMPLATE_LANGUAGE.match(language or ""):
        errors["language"] = _("A language code as Meta writes it: pt_BR, en_US, es…")
    numbers = sorted({int(n) for n in VARIABLE.findall(body or "")})
    if not (body or "").strip():
        errors["body"] = _("Copy the approved text here.")
    elif numbers != list(range(1, len(numbers) + 1)):
        errors["body"] = _("The variables must be {{1}}, {{2}}… without gaps.")
    if not isinstance(parameters, list) or not all(p in PARAMETERS for p in parameters):
        errors["parameters"] = _("Each parameter is one of: %(known)s.") % {
            "known": ", ".join(PARAMETERS)
        }
    elif "body" not in errors and len(parameters) != len(numbers):
        errors["parameters"] = _(
            "The text has %(variables)d variables and %(parameters)d parameters are given."
        ) % {"variables": len(numbers), "parameters": len(parameters)}
    return errors


def template_values(template: MessageTemplate, ticket: Ticket, agent: User) -> list[str]:
    """The values of the template's parameters for ``ticket``, written by ``agent``."""
    values = {
        "customer_name": ticket.requester_name or ticket.requester_email or _("customer"),
        "ticket_number": str(ticket.number),
        "agent_name": agent.display_name,
        "company": ticket.company.name if ticket.company else "",
    }
    return [values[p] or "-" for p in template.parameters]


def render_template(template: MessageTemplate, values: list[str]) -> str:
    """The template's text as the customer reads it."""
    return VARIABLE.sub(lambda match: values[int(match[1]) - 1], template.body)
