import datetime
import secrets
from collections.abc import Sequence
from typing import Any

import pyotp
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.models import AccountEvent, ApiToken, Department, RecoveryCode, User
from balcao.accounts.selectors import (
    API_USER,
    DEPARTMENTS_VERSION,
    token_digest,
    two_factor_required,
)
from balcao.accounts.throttle import (
    SECOND_FACTOR_PER_USER,
    authenticate_throttled,
    count,
    forget,
    reached,
    throttled_refusal,
)
from balcao.core.changes import change_fields, change_slug_set
from balcao.core.clients import client_address
from balcao.core.errors import ActionRefused, NotFound
from balcao.core.listcache import names_changed
from balcao.core.models import Counter
from balcao.events.actions import staff_added_event, staff_changed_event

RECOVERY_CODES = 10
Kind = AccountEvent.Kind


def departments_changed(**_signal: object) -> None:
    """A department was saved or deleted: a new version token, so that every process reads
    the departments again before its next message (a random value, never one rolled back
    before)."""
    Counter.objects.update_or_create(
        name=DEPARTMENTS_VERSION, defaults={"value": secrets.randbits(62) + 1}
    )


def record_account_event(
    user: User, kind: str, *, actor: User | None, client: str = ""
) -> AccountEvent:
    """One line of a person's security history (``client``: the address, "" when unknown)."""
    return AccountEvent.objects.create(
        user=user, kind=kind, actor=actor, client_address=client or None
    )


def api_user_changed(user_id: int) -> None:
    """A user or their tokens changed: what ``api_token`` kept of them is deleted now and
    again when the caller's transaction commits (so that no request made in between keeps
    what it was before). Every process reads the same cache: the next request of any reads
    the database."""
    if settings.API_TOKENS_KEPT:
        key = f"{API_USER}{user_id}"
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))


def user_saved(instance: User, **_signal: object) -> None:
    """A user was saved or deleted (a role, deactivation, a new password, an erasure)."""
    api_user_changed(instance.pk)


def do_issue_api_token(
    *, email: str, password: str, code: str = "", request: HttpRequest | None = None
) -> str:
    """Exchange an e-mail and password (and the second factor, for those who use one) for a
    new bearer token that expires in API_TOKEN_DAYS; only its digest is kept. Failures are
    throttled like the login page's."""
    user = authenticate_throttled(request, email, password)
    if user is None:
        raise ActionRefused(_("E-mail or password is wrong."), code="invalid_credentials")
    if two_factor_required(user) and not user.has_two_factor:
        raise ActionRefused(
            _("Set up two-factor authentication in the console before using the API."),
            code="forbidden",
        )
    if user.has_two_factor:
        do_use_second_factor(user, code, client=client_address(request))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
        ApiToken.objects.create(
            user=user,
            digest=token_digest(token),
            created_at=now,
            expires_at=now + datetime.timedelta(days=settings.API_TOKEN_DAYS),
        )
        record_account_event(user, Kind.TOKEN_CREATED, actor=user, client=client_address(request))
        api_user_changed(user.pk)
    return token


@transaction.atomic
def do_revoke_api_token(user: User, token_id: int, *, client: str = "") -> None:
    """The owner ends one of their tokens; someone else's is not found."""
    deleted, _kinds = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise NotFound(_("Not found."))
    api_user_changed(user.pk)
    record_account_event(user, Kind.TOKEN_REVOKED, actor=user, client=client)


@transaction.atomic
def do_set_password(
    user: User,
    password: str | None,
    *,
    actor: User | None,
    client: str = "",
    reset: bool = False,
) -> None:
    """A new password (changed, or ``reset`` through the e-mailed link; None: none usable) also
    ends every API token issued with the old one. ``actor`` is who set it: the person, an
    administrator, or None for a command run on the server."""
    user.set_password(password)
    user.save(update_fields=["password"])
    ApiToken.objects.filter(user=user).delete()
    kind = Kind.PASSWORD_RESET if reset else Kind.PASSWORD_CHANGED
    record_account_event(user, kind, actor=actor, client=client)


def _recovery_digest(code: str) -> str:
    return token_digest(code.replace("-", "").replace(" ", "").lower())


def _matching_step(secret: str, code: str, after: int) -> int | None:
    """The time step (30 s) of ``code`` if it is the current one or a neighbour (clock drift)
    and later than ``after``: a code, once used, is not accepted again."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(timezone.now())
    for step in (current, current - 1, current + 1):
        if step > after and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@transaction.atomic
def do_enable_two_factor(user: User, *, secret: str, code: str, client: str = "") -> list[str]:
    """Turns on TOTP once the person proves their app has ``secret`` (a current code); returns
    the recovery codes, shown once — only their digests are kept."""
    code = code.strip().replace(" ", "")
    step = _matching_step(secret, code, 0)
    if step is None:
        raise ActionRefused(
            _("That code is not the one your app shows now. Check the time on your phone."),
            code="invalid_code",
        )
    user.totp_secret = secret
    user.totp_last_step = step
    user.save(update_fields=["totp_secret", "totp_last_step"])
    record_account_event(user, Kind.TWO_FACTOR_ENABLED, actor=user, client=client)
    return _new_recovery_codes(user)


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, digest=_recovery_digest(c)) for c in codes
    )
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def do_regenerate_recovery_codes(user: User, *, code: str, client: str = "") -> list[str]:
    """New recovery codes (the old ones stop working) after one more good code; returns them,
    shown once. (The code is checked outside this transaction: a failure must stay counted.)"""
    do_use_second_factor(user, code, client=client)
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record_account_event(user, Kind.RECOVERY_CODES_REGENERATED, actor=user, client=client)
    return codes


def do_use_second_factor(user: User, code: str, *, client: str = "") -> None:
    """Checks the code from the authenticator app, or spends one recovery code (recorded as an
    account event). Failures are counted per user (SECOND_FACTOR_PER_USER) and refuse with
    ``invalid_code``."""
    if reached(SECOND_FACTOR_PER_USER, str(user.pk)):
        raise throttled_refusal(SECOND_FACTOR_PER_USER)
    code = (code or "").strip().replace(" ", "")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        step = _matching_step(locked.totp_secret, code, locked.totp_last_step) if code else None
        if step is not None:
            locked.totp_last_step = step
            locked.save(update_fields=["totp_last_step"])
            accepted = True
        else:
            accepted = bool(code) and bool(
                RecoveryCode.objects.filter(user=user, digest=_recovery_digest(code)).delete()[0]
            )
            if accepted:
                record_account_event(user, Kind.RECOVERY_CODE_USED, actor=user, client=client)
    if not accepted:
        count(SECOND_FACTOR_PER_USER, str(user.pk))
        raise ActionRefused(_("That code is wrong or was already used."), code="invalid_code")
    forget(SECOND_FACTOR_PER_USER, str(user.pk))


def do_disable_two_factor(user: User, *, code: str, client: str = "") -> None:
    """Turns TOTP off after one more good code; administrators keep it when it is required."""
    if two_factor_required(user):
        raise ActionRefused(
            _("Administrators must use two-factor authentication here."), code="forbidden"
        )
    do_use_second_factor(user, code, client=client)
    with transaction.atomic():
        user.totp_secret = ""
        user.totp_last_step = 0
        user.save(update_fields=["totp_secret", "totp_last_step"])
        RecoveryCode.objects.filter(user=user).delete()
        record_account_event(user, Kind.TWO_FACTOR_DISABLED, actor=user, client=client)


STAFF_FIELDS = ("name", "role", "is_active", "is_staff", "is_superuser", "language", "time_zone")
LISTED_STAFF_FIELDS = {"name", "role", "is_active", "is_superuser", "departments"}


@transaction.atomic
def do_add_staff_member(
    *,
    actor: User,
    email: str,
    name: str,
    role: str,
    password: str | None,
    departments: Sequence[Department] = (),
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
    staff_added_event(
        user=user, actor=actor, role=role, departments=sorted(d.slug for d in departments)
    )
    names_changed()  # one more name in the lists' staff options
    return user


@transaction.atomic
def do_change_staff_member(
    user: User, *, actor: User, departments: Sequence[Department] | None = None, **fields: Any
) -> dict[str, list[Any]]:
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
    changes = change_fields(user, fields)
    moved = change_slug_set(user.departments, departments) if departments is not None else None
    if moved is not None:
        changes["departments"] = moved
    if changes:
        staff_changed_event(user=user, actor=actor, changes=changes)
    if changes.keys() & LISTED_STAFF_FIELDS:
        names_changed()  # their name on rows, and who the lists offer to assign to
    return changes
