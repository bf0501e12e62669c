from dataclasses import dataclass

from django.utils.translation import gettext as _

from balcao.accounts.models import Department
from balcao.customers.models import AddOn, Company, Contact, Plan


@dataclass(frozen=True)
class DepartmentChoice:
    department: Department
    available: bool
    reason: str = ""


def get_contact(user) -> Contact | None:
    """The contact record of a signed-in customer, with company and plan, or None."""
    if not getattr(user, "is_authenticated", False) or user.role:
        return None
    try:
        return Contact.objects.select_related("company__plan").get(
            user=user, company__is_active=True
        )
    except Contact.DoesNotExist:
        return None


def department_refusal(company: Company | None, department: Department) -> str:
    """Why ``company`` may not open tickets in ``department`` ('' when it may)."""
    if not department.is_active:
        return _("This department does not take new tickets.")
    if company is None:
        return ""
    if department.min_plan_id and company.plan.tier < department.min_plan.tier:
        return _("Available from the %(plan)s plan up: upgrading your plan opens it.") % {
            "plan": department.min_plan.localized("name")
        }
    if department.required_addon_id and department.required_addon_id not in company_addon_ids(
        company
    ):
        return _("Available with the %(addon)s add-on: contracting it opens this department.") % {
            "addon": department.required_addon.localized("name")
        }
    return ""


def company_addon_ids(company: Company) -> set[int]:
    cache = getattr(company, "_addon_ids", None)
    if cache is None:
        cache = company._addon_ids = set(company.addons.values_list("id", flat=True))
    return cache


def list_department_choices(company: Company | None) -> list[DepartmentChoice]:
    """Every active department, each with whether ``company`` may open tickets there and why not."""
    departments = Department.objects.filter(is_active=True).select_related(
        "min_plan", "required_addon"
    )
    choices = []
    for department in departments:
        reason = department_refusal(company, department)
        choices.append(DepartmentChoice(department, not reason, reason))
    return choices


def list_company_contacts(company: Company) -> list[Contact]:
    return list(company.contacts.select_related("user").order_by("-is_primary", "user__email"))


def next_plan(plan: Plan) -> Plan | None:
    return Plan.objects.filter(tier__gt=plan.tier).order_by("tier").first()


def find_contact_by_email(email: str) -> Contact | None:
    """The contact who may write from ``email`` (R2, R7), with company, plan and user."""
    return (
        Contact.objects.select_related("company__plan", "user")
        .filter(user__email__iexact=email.strip(), company__is_active=True, user__is_active=True)
        .first()
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
