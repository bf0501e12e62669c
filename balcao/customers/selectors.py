from dataclasses import dataclass

from django.db.models import QuerySet, Subquery
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from balcao.accounts.models import Department, User, Viewer
from balcao.core.models import Counter
from balcao.core.prepared import prepared_instance
from balcao.customers.models import AddOn, Company, Contact, Plan


@dataclass(frozen=True)
class DepartmentChoice:
    department: Department
    available: bool
    reason: str = ""


def get_contact(user: Viewer | None) -> Contact | None:
    """The contact record of a signed-in customer, with company and plan, or None. Read on
    every page of the client area: with the session's user (accounts.backends), else by SQL
    built once per process (core.prepared)."""
    if not isinstance(user, User) or user.role:
        return None
    if getattr(user, "_read_with_contact", False):
        contact: Contact | None = getattr(user, "contact", None)  # None: not a contact
        return contact if contact is not None and contact.company.is_active else None
    return prepared_instance("get_contact", _contact, user.pk)


def _contact(user_id: int) -> QuerySet[Contact]:
    return Contact.objects.select_related("company__plan").filter(
        user=user_id, company__is_active=True
    )


def department_refusal(
    company: Company | None, department: Department, viewer: Viewer | None = None
) -> str:
    """Why ``company`` may not open tickets in ``department`` ('' when it may), worded for
    ``viewer``: a customer is told what would open it, staff (an agent transferring) what the
    company's contract lacks."""
    if not department.is_active:
        return _("This department does not take new tickets.")
    if company is None:
        return ""
    staff = isinstance(viewer, User) and viewer.is_agent
    min_plan, addon = department.min_plan, department.required_addon
    if min_plan is not None and company.plan.tier < min_plan.tier:
        names = {
            "plan": min_plan.localized("name"),
            "current": company.plan.localized("name"),
            "company": company.name,
        }
        if staff:
            return _(
                "%(department)s takes tickets of plans from %(plan)s up; %(company)s is on "
                "the %(current)s plan."
            ) % {**names, "department": department.localized("name")}
        return _("Available from the %(plan)s plan up: upgrading your plan opens it.") % names
    if addon is not None and addon.pk not in company_addon_ids(company):
        if staff:
            return _(
                "%(department)s takes tickets of companies with the %(addon)s add-on; "
                "%(company)s has not contracted it."
            ) % {
                "department": department.localized("name"),
                "addon": addon.localized("name"),
                "company": company.name,
            }
        return _("Available with the %(addon)s add-on: contracting it opens this department.") % {
            "addon": addon.localized("name")
        }
    return ""


def company_addon_ids(company: Company) -> set[int]:
    cache = getattr(company, "_addon_ids", None)
    if cache is None:
        cache = company._addon_ids = set(company.addons.values_list("id", flat=True))
    return cache


def _open_departments() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True).select_related("min_plan", "required_addon")


def get_open_department(slug: str) -> Department | None:
    """The active department ``slug`` names, with what its refusal reads (plan, add-on), or
    None: a ticket posted to one department reads that one, not every choice (its SQL built
    once per process: core.prepared)."""
    return prepared_instance("open_department", _open_department, slug)


def _open_department(slug: str) -> QuerySet[Department]:
    return _open_departments().filter(slug=slug)


def list_active_departments() -> list[Department]:
    """Every active department, with its slug and names alone (what a list's filter shows)."""
    return list(Department.objects.filter(is_active=True).only("slug", "name", "name_en"))


def list_department_choices(company: Company | None) -> list[DepartmentChoice]:
    """Every active department, each with whether ``company`` may open tickets there and why not."""
    departments = _open_departments()
    choices = []
    for department in departments:
        reason = department_refusal(company, department)
        choices.append(DepartmentChoice(department, not reason, reason))
    return choices


def contact_email_problem(email: str) -> str:
    """Why ``email`` cannot become a company's contact ('' when it can): staff, or already a
    contact (R2: one company per person)."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).only("role").first()
    if user is None:
        return ""
    if user.role:
        return _("%(email)s belongs to a staff member.") % {"email": email}
    if Contact.objects.filter(user=user).exists():
        return _("%(email)s is already a contact of a company.") % {"email": email}
    return ""


def list_company_contacts(company: Company) -> list[Contact]:
    return list(company.contacts.select_related("user").order_by("-is_primary", "user__email"))


def next_plan(plan: Plan) -> Plan | None:
    return Plan.objects.filter(tier__gt=plan.tier).order_by("tier").first()


def find_contact_by_email(email: str, *, version: str = "") -> Contact | None:
    """The contact who may write from ``email`` (R2, R7), with company, plan and user. Case
    aside along the ``LOWER(email)`` index of users (``iexact`` is UPPER() on PostgreSQL and
    LIKE on SQLite: neither uses an index). ``version``: a counter whose value the contact
    carries as ``version_token``, read in the same statement. Its SQL is built once per
    process (issue 17: the ORM building it was most of reading an e-mail's sender)."""
    email = email.strip().lower()
    if version:
        return prepared_instance(("contact_by_email", True), _contact_by_email, email, version)
    return prepared_instance(("contact_by_email", False), _contact_by_email, email)


def _contact_by_email(email: str, version: str = "") -> QuerySet[Contact]:
    contacts = Contact.objects.select_related("company__plan", "user")
    if version:
        token = Counter.objects.filter(name=version).values("value")[:1]
        contacts = contacts.annotate(version_token=Subquery(token))
    return (
        contacts.alias(user_email=Lower("user__email"))
        .filter(user_email=email, company__is_active=True, user__is_active=True)
        .order_by("pk")
    )


def list_company_addons(company: Company) -> list[AddOn]:
    """The add-ons a company contracted, for showing its support level (R3)."""
    return list(company.addons.order_by("name"))


def find_company(key: int | str) -> Company | None:
    """An active company by id, or by its exact name (case aside), for staff."""
    companies = Company.objects.select_related("plan").filter(is_active=True)
    if isinstance(key, int) or str(key).isdigit():
        return companies.filter(pk=int(key)).first()
    return companies.filter(name__iexact=str(key).strip()).first()


@dataclass(frozen=True)
class ContractTargets:
    first_response_minutes: int
    next_response_minutes: int | None
    resolution_minutes: int | None


def contract_targets(company: Company) -> ContractTargets:
    """The company's SLA targets as its contract sets them (R15, "vide contrato"), each one
    its plan's where the contract is silent — what Meu plano promises."""
    plan = company.plan
    return ContractTargets(
        company.contract_first_response_minutes or plan.first_response_minutes,
        company.contract_next_response_minutes or plan.next_response_minutes,
        company.contract_resolution_minutes or plan.resolution_minutes,
    )
