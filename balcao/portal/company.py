"""The company's side of the client area: its authorized contacts (the primary contact adds
and removes them, R2), its plan and how to reach support in it (R3, R13, R14), and the
contact's own account (API tokens, security activity)."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balcao.accounts.access import contact_required
from balcao.accounts.actions import (
    do_revoke_api_token,
)
from balcao.accounts.selectors import (
    list_account_events,
    list_api_tokens,
)
from balcao.connectors.whatsapp.selectors import business_numbers, wa_link
from balcao.core.clients import client_address
from balcao.core.errors import ActionRefused, NotFound
from balcao.customers.actions import (
    do_authorize_contact,
    do_remove_contact,
    do_resend_invitation,
)
from balcao.customers.models import Channel
from balcao.customers.selectors import (
    contract_targets,
    list_company_addons,
    list_company_contacts,
    list_department_choices,
    next_plan,
)
from balcao.portal.forms import (
    AuthorizeContactForm,
)
from balcao.sla.selectors import ChannelState, company_channels


@require_http_methods(["GET", "POST"])
@contact_required
def contacts(request):
    """Everyone sees who may talk to support; only the primary contact adds and removes (R2)."""
    contact = request.contact
    form = None
    if contact.is_primary:
        form = AuthorizeContactForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                added = do_authorize_contact(
                    contact.company,
                    actor=request.user,
                    email=form.cleaned_data["email"],
                    name=form.cleaned_data["name"],
                    consent=_("Confirmed by the primary contact in the client area."),
                )
            except ActionRefused as refused:
                form.add_error("email", refused.message)
            else:
                added_text = (
                    _(
                        "%(email)s is now an authorized contact. We sent them an invitation to"
                        " choose their password."
                    )
                    if added.accepted_at is None
                    else _("%(email)s is now an authorized contact.")
                )
                messages.success(request, added_text % {"email": added.user.email})
                return redirect("portal:contacts")
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "portal/contacts.html",
        {"contacts": list_company_contacts(contact.company), "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _colleague(request, pk: int):
    """One of the company's contacts, for its primary contact; 404 for anyone else."""
    found = [c for c in list_company_contacts(request.contact.company) if c.pk == pk]
    if not found or not request.contact.is_primary:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
@contact_required
def contact_remove(request, pk: int):
    """Removing a contact is confirmed on its own page first (the GET), then posted."""
    found = _colleague(request, pk)
    if request.method == "GET":
        return render(request, "portal/contact_remove.html", {"colleague": found[0]})
    try:
        do_remove_contact(found[0], actor=request.user)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("%(email)s may no longer talk to support for the company.")
            % {"email": found[0].user.email},
        )
    return redirect("portal:contacts")


@require_POST
@contact_required
def contact_invite(request, pk: int):
    """The primary contact sends a pending invitation again."""
    found = _colleague(request, pk)
    try:
        do_resend_invitation(found[0], actor=request.user)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("The invitation was sent again to %(email)s.") % {"email": found[0].user.email},
        )
    return redirect("portal:contacts")


def plan_channels(plan) -> list[str]:
    return [str(label) for value, label in Channel.choices if plan.allows_channel(value)]


def _business_time(minutes: int | None) -> str | None:
    """SLA targets are counted in business time (R15): "16 business hours", "1 h 30 min"."""
    if minutes is None:
        return None
    hours, rest = divmod(minutes, 60)
    if rest:
        return _("%(hours)d h %(minutes)d min of business time") % {
            "hours": hours,
            "minutes": rest,
        }
    return ngettext("%(hours)d business hour", "%(hours)d business hours", hours) % {"hours": hours}


@dataclass(frozen=True)
class Reach:
    """A real-time channel of the plan and how to reach it: numbers or a link, its hours."""

    state: ChannelState
    ways: list[tuple[str, str]]  # (what the customer sees, the link)


def _reach(company) -> dict[str, list]:
    """The plan's real-time channels with how to reach each (R13, R14), and the others."""
    numbers = business_numbers()
    included, others = [], []
    for state in company_channels(company, meetings=True):
        if not state.available_in_plan:
            others.append(state)
            continue
        if state.channel in numbers:
            ways = [(n.display_number, wa_link(n)) for n in numbers[state.channel]]
        elif state.channel == Channel.PHONE and company.plan.phone_number:
            phone = company.plan.phone_number
            ways = [(phone, "tel:" + "".join(c for c in phone if c.isdigit() or c == "+"))]
        elif state.channel == Channel.CHAT:
            ways = [(_("Start a chat"), reverse("webchat:start"))]
        else:
            ways = []
        included.append(Reach(state, ways))
    return {"included": included, "others": others}


@require_GET
@contact_required
def plan(request):
    """The support level (R3, R13): channels, SLA, add-ons, and what an upgrade would add."""
    company = request.contact.company
    current = company.plan
    choices = list_department_choices(company)
    upgrade = next_plan(current)
    targets = contract_targets(company)
    context = {
        "company": company,
        "plan": current,
        "channels": plan_channels(current),
        "reach": _reach(company),
        "sla": {
            "first": _business_time(targets.first_response_minutes),
            "next": _business_time(targets.next_response_minutes),
            "resolution": _business_time(targets.resolution_minutes),
        },
        "addons": list_company_addons(company),
        "upgrade": upgrade,
        "closed_by_addon": [
            c for c in choices if not c.available and c.department.required_addon_id
        ],
    }
    if upgrade is not None:
        context["upgrade_channels"] = [
            label
            for value, label in Channel.choices
            if upgrade.allows_channel(value) and not current.allows_channel(value)
        ]
        context["upgrade_departments"] = [
            c.department
            for c in choices
            if not c.available
            and c.department.min_plan is not None
            and c.department.min_plan.tier <= upgrade.tier
        ]
        if upgrade.first_response_minutes < current.first_response_minutes:
            context["upgrade_first"] = _business_time(upgrade.first_response_minutes)
    return render(request, "portal/plan.html", context)


@require_GET
@contact_required
def account(request):
    """The contact's own account: their API tokens, each revocable, and security activity."""
    return render(
        request,
        "portal/account.html",
        {
            "tokens": list_api_tokens(request.user),
            "account_events": list_account_events(request.user),
        },
    )


@require_POST
@contact_required
def revoke_token(request, pk: int):
    try:
        do_revoke_api_token(request.user, pk, client=client_address(request))
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The API token was revoked."))
    return redirect("portal:account")
