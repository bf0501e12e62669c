from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.actions import do_set_password
from balcao.accounts.models import User
from balcao.core.changes import change_fields, change_slug_set
from balcao.core.enqueue import enqueue_on_commit
from balcao.core.errors import ActionRefused
from balcao.core.listcache import names_changed
from balcao.customers import tasks
from balcao.customers.models import AddOn, Company, Contact, Plan
from balcao.customers.selectors import contact_email_problem
from balcao.customers.validators import normalize_cnpj, validate_cnpj
from balcao.events.actions import (
    company_changed_event,
    contact_authorized_event,
    contact_removed_event,
)
from balcao.search.actions import index_company_later


def _contact_user(email: str, name: str) -> User:
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return User.objects.create_user(email, None, name=name)
    problem = contact_email_problem(email)
    if problem:
        raise ActionRefused(problem)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def do_create_company(
    *,
    name: str,
    plan: Plan,
    primary_email: str,
    primary_name: str = "",
    cnpj: str = "",
    addons: Iterable[AddOn] = (),
    actor: User | None = None,
) -> Company:
    """Register a customer company with its primary contact (the account's registered e-mail)."""
    if cnpj:
        validate_cnpj(cnpj)
    company = Company.objects.create(name=name, plan=plan, cnpj=normalize_cnpj(cnpj))
    company.addons.set(addons)
    user = _contact_user(primary_email, primary_name)
    Contact.objects.create(company=company, user=user, is_primary=True, added_by=actor)
    contact_authorized_event(company=company, actor=actor, user=user, primary=True)
    return company


def require_primary(company: Company, actor: User | None, refusal: str = "") -> None:
    """Who may speak for the company's account: its primary contact, or staff (R2)."""
    if getattr(actor, "is_agent", False):
        return
    if not Contact.objects.filter(company=company, user=actor, is_primary=True).exists():
        raise ActionRefused(
            refusal or _("Only the account's primary contact manages authorized contacts."),
            code="forbidden",
        )


@transaction.atomic
def do_authorize_contact(
    company: Company, *, actor: User, email: str, name: str = "", consent: str = ""
) -> Contact:
    """Authorize one more person to open and follow the company's tickets (R2).

    ``actor`` is the primary contact, or staff acting with the primary contact's ``consent``
    (recorded in the history).
    """
    require_primary(company, actor)
    contact = Contact.objects.create(
        company=company, user=_contact_user(email, name), is_primary=False, added_by=actor
    )
    contact_authorized_event(company=company, actor=actor, user=contact.user, consent=consent)
    names_changed()  # the ticket pages show whether their requester is authorized
    if contact.user.has_usable_password():
        # someone who already has a password (a contact authorized again) needs no invitation
        contact.accepted_at = timezone.now()
        contact.save(update_fields=["accepted_at"])
    else:
        _invite(contact)
    return contact


# A resend waits this long after the last invitation (no flooding someone's mailbox).
RESEND_AFTER = timedelta(minutes=10)


def _invite(contact: Contact) -> None:
    contact.invited_at = timezone.now()
    contact.save(update_fields=["invited_at"])
    enqueue_on_commit(tasks.invite_contact_task, contact.pk)


@transaction.atomic
def do_resend_invitation(contact: Contact, *, actor: User) -> Contact:
    """The primary contact sends the invitation again (a new link; earlier ones still work
    until they expire or one is used)."""
    require_primary(contact.company, actor)
    contact = Contact.objects.select_for_update().select_related("user").get(pk=contact.pk)
    if contact.accepted_at is not None:
        raise ActionRefused(_("The invitation was already accepted."), code="unchanged")
    if contact.invited_at and timezone.now() - contact.invited_at < RESEND_AFTER:
        raise ActionRefused(
            _("An invitation was sent a moment ago. Wait a few minutes before sending another."),
            code="throttled",
        )
    _invite(contact)
    return contact


@transaction.atomic
def do_accept_invitation(
    user: User, password: str, *, client: str = "", reset: bool = False
) -> None:
    """The contact set their password by a link e-mailed to them (checked by the caller): the
    invitation's, or a password reset's (``reset``) — either proves the address, so a pending
    invitation is accepted."""
    do_set_password(user, password, actor=user, client=client, reset=reset)
    Contact.objects.filter(user=user, accepted_at=None).update(accepted_at=timezone.now())


@transaction.atomic
def do_remove_contact(contact: Contact, *, actor: User) -> None:
    """Withdraw an authorized contact; the primary contact cannot be removed this way."""
    require_primary(contact.company, actor)
    if contact.is_primary:
        raise ActionRefused(_("The primary contact cannot be removed."))
    user = contact.user
    contact_removed_event(company=contact.company, actor=actor, user=user)
    contact.delete()
    user.is_active = False
    user.save(update_fields=["is_active"])
    names_changed()  # the ticket pages show whether their requester is authorized


COMPANY_FIELDS = (
    "name",
    "cnpj",
    "plan",
    "is_active",
    "contract_first_response_minutes",
    "contract_next_response_minutes",
    "contract_resolution_minutes",
)


def _shown(value: Plan | str | int | bool | None) -> str | int | bool | None:
    """A field's value as the history keeps it (a plan by its slug)."""
    return value.slug if isinstance(value, Plan) else value


@transaction.atomic
def do_change_company(
    company: Company,
    *,
    actor: User | None,
    addons: Sequence[AddOn] | None = None,
    **fields: Any,
) -> dict[str, list[object]]:
    """Change what staff set on a company (name, CNPJ, plan, active, add-ons, the contract's own
    SLA targets); one Event lists each change, old → new. Returns the changes."""
    unknown = set(fields) - set(COMPANY_FIELDS)
    if unknown:
        raise TypeError(f"not a company field: {', '.join(sorted(unknown))}")
    if fields.get("cnpj"):
        validate_cnpj(fields["cnpj"])
        fields["cnpj"] = normalize_cnpj(fields["cnpj"])
    company = Company.objects.select_for_update().get(pk=company.pk)
    changes = change_fields(company, fields, _shown)
    contracted = change_slug_set(company.addons, addons) if addons is not None else None
    if contracted is not None:
        changes["addons"] = contracted
    if changes:
        company_changed_event(company=company, actor=actor, changes=changes)
    if "name" in changes or "cnpj" in changes:
        index_company_later(company.pk)  # its tickets are found by both
    if changes.keys() & {"name", "plan", "addons"}:
        names_changed()  # the lists' rows show the first two, the ticket pages all three
    return changes


@transaction.atomic
def do_load_default_profile(*, email_domain: str = "balcao.localhost") -> bool:
    """Load the default profile (plans, add-on, seven departments) unless plans already exist.

    Returns whether anything was loaded; a second call keeps what an administrator changed.
    """
    from balcao.accounts.models import Department
    from balcao.customers import profile

    if Plan.objects.exists():
        return False
    plans: dict[str, Plan] = {}
    for slug, name, tier, channels, hours in profile.PLANS:
        plans[slug] = Plan.objects.create(
            slug=slug,
            name=name,
            tier=tier,
            channels=channels,
            phone_number=profile.PHONE_NUMBER if profile.P in channels else "",
            first_response_minutes=hours * 60,
            next_response_minutes=hours * 60,
            resolution_minutes=hours * 60 * 5,
            meetings_per_month=profile.MEETINGS_PER_MONTH.get(slug),
        )
    addons = {
        slug: AddOn.objects.create(
            slug=slug, name=name, name_en=name_en, description=desc, description_en=desc_en
        )
        for slug, name, name_en, desc, desc_en in profile.ADDONS
    }
    for position, data in enumerate(profile.DEPARTMENTS):
        data = dict(data)
        min_plan = plans.get(data.pop("min_plan", None))
        addon = addons.get(data.pop("required_addon", None))
        Department.objects.create(
            position=position,
            email=f"{data['slug']}@{email_domain}",
            min_plan=min_plan,
            required_addon=addon,
            **data,
        )
    return True
