import secrets

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _

from balcao.accounts.models import ApiToken, User
from balcao.accounts.selectors import token_digest
from balcao.core.errors import ActionRefused
from balcao.events.actions import record_event
from balcao.events.models import EventKind


@transaction.atomic
def do_issue_api_token(*, email: str, password: str) -> str:
    """Exchange an e-mail and password for a new bearer token; only its digest is kept."""
    user = authenticate(username=(email or "").strip().lower(), password=password)
    if user is None:
        raise ActionRefused(_("E-mail or password is wrong."), code="invalid_credentials")
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=token_digest(token))
    return token


def do_set_password(user, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])


STAFF_FIELDS = ("name", "role", "is_active", "is_staff", "is_superuser", "language", "time_zone")


def _staff_event(kind: EventKind, user: User, actor, **data) -> None:
    record_event(kind, actor=actor, email=user.email, **data)


@transaction.atomic
def do_add_staff_member(
    *, actor, email: str, name: str, role: str, password: str, departments=()
) -> User:
    """Add a member of the support team with a role (never a customer contact) and the
    departments whose tickets they work."""
    if not role:
        raise ActionRefused(_("A staff member needs a role."))
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ActionRefused(_("%(email)s already has an account.") % {"email": email})
    user = User.objects.create_user(email, password, name=name, role=role)
    user.departments.set(departments)
    _staff_event(
        EventKind.STAFF_ADDED,
        user,
        actor,
        role=role,
        departments=sorted(d.slug for d in departments),
    )
    return user


@transaction.atomic
def do_change_staff_member(user: User, *, actor, departments=None, **fields) -> dict:
    """Change a staff member's role, departments, activity or preferences; one Event lists
    each change, old → new. Returns the changes."""
    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise TypeError(f"not a staff field: {', '.join(sorted(unknown))}")
    user = User.objects.select_for_update().get(pk=user.pk)
    if "role" in fields and not fields["role"]:
        raise ActionRefused(_("A staff member needs a role."))
    if user == actor and fields.get("is_active") is False:
        raise ActionRefused(_("You cannot deactivate your own account."))
    changes = {}
    for name, value in fields.items():
        old = getattr(user, name)
        if old != value:
            changes[name] = [old, value]
            setattr(user, name, value)
    if changes:
        user.save(update_fields=list(changes))
    if departments is not None:
        old_slugs = sorted(user.departments.values_list("slug", flat=True))
        new_slugs = sorted(d.slug for d in departments)
        if old_slugs != new_slugs:
            user.departments.set(departments)
            changes["departments"] = [old_slugs, new_slugs]
    if changes:
        _staff_event(EventKind.STAFF_CHANGED, user, actor, changes=changes)
    return changes
