import copy
import hashlib

import pyotp
from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet, Subquery
from django.utils import timezone

from balcao.accounts.models import AccountEvent, ApiToken, Department, User
from balcao.core.models import Counter
from balcao.core.prepared import prepared_rows

TOTP_ISSUER = "Balcão"

# Each process keeps the departments (every inbound message routes by them) under a version
# token: a random value, new whenever a department is saved or deleted (accounts/apps.py).
DEPARTMENTS_VERSION = "departments"
_departments: tuple[int, list[Department]] | None = None


# A token's owner, and the owner with their live tokens (``api_token``).
API_TOKEN = "api-token:"
API_USER = "api-user:"
API_KEPT_SECONDS = 300


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token(token: str) -> ApiToken | None:
    """The unexpired token of an active user that this bearer string is, or None. With
    ``API_TOKENS_KEPT`` the user and their live tokens are read from the shared cache
    (``api_user_changed`` deletes them), not the database: no query on most requests."""
    digest = token_digest(token)
    if not settings.API_TOKENS_KEPT:
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest, expires_at__gt=timezone.now())
            .first()
        )
        return found if found is not None and found.user.is_active else None
    owner = cache.get(f"{API_TOKEN}{digest}")
    kept = cache.get(f"{API_USER}{owner}") if owner is not None else None
    if kept is None:
        # one query: every live token of the user this one belongs to, with the user (but
        # their password's hash: not copied into the cache)
        live = list(
            ApiToken.objects.select_related("user")
            .defer("user__password")
            .filter(user__api_tokens__digest=digest, expires_at__gt=timezone.now())
        )
        if not live:
            return None
        user = live[0].user
        kept = (user, {t.digest: t for t in live})
        cache.set_many(
            {f"{API_TOKEN}{digest}": user.pk, f"{API_USER}{user.pk}": kept}, API_KEPT_SECONDS
        )
    user, tokens = kept
    found = tokens.get(digest)
    if found is None or found.expires_at <= timezone.now() or not user.is_active:
        return None
    found.user = user
    return found


def get_active_user(pk: int) -> User | None:
    return User.objects.filter(pk=pk, is_active=True).first()


def list_api_tokens(user: User) -> list[ApiToken]:
    """The owner's tokens that still work, newest first."""
    return list(
        ApiToken.objects.filter(user=user, expires_at__gt=timezone.now()).order_by(
            "-created_at", "-id"
        )
    )


ACCOUNT_EVENTS_SHOWN = 20


def list_account_events(user: User) -> list[AccountEvent]:
    """The person's latest security events (tokens, second factor, password), newest first,
    with who did each."""
    return list(
        AccountEvent.objects.filter(user=user).select_related("actor")[:ACCOUNT_EVENTS_SHOWN]
    )


def two_factor_required(user: User) -> bool:
    """Administrators must use a second factor when the installation says so."""
    return settings.ADMIN_2FA_REQUIRED and user.is_administrator


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` address an authenticator app reads (typed in, or as a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def totp_qr(uri: str) -> str:
    """The ``otpauth://`` address as a QR code the phone's camera reads (an SVG data URI)."""
    import segno  # 71 modules, ~9 MB: only where someone sets up a second factor (issue 17)

    return segno.make(uri, error="m").svg_data_uri(scale=4)


def get_department(slug: str) -> Department | None:
    return (
        Department.objects.select_related("min_plan", "required_addon")
        .filter(slug=slug, is_active=True)
        .first()
    )


def find_staff(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).exclude(role="").first()


def departments_token() -> int | None:
    """The departments' version token: made by a migration, moved by every change
    (``accounts.actions.departments_changed``); None in a database emptied since (restored,
    flushed) until the next change. Its SQL built once (core.prepared): an e-mail from an
    unknown sender asks it."""
    rows = prepared_rows("departments_token", _token_row)
    return rows[0][0] if rows else None


def _token_row() -> QuerySet[Counter, tuple[int]]:
    return Counter.objects.filter(name=DEPARTMENTS_VERSION).values_list("value")[:1]


def departments_version() -> Subquery:
    """The departments' version token, for ``list_departments``, read in a caller's query."""
    return Subquery(Counter.objects.filter(name=DEPARTMENTS_VERSION).values("value")[:1])


def list_departments(token: int | None) -> list[Department]:
    """Every department, from this process's copy while the version token is ``token`` (read
    by the caller in a statement it runs anyway; None: read here); without a token, read
    afresh and not kept. Each a copy of its own, which the caller may change or relate
    without touching the next one's."""
    global _departments
    if token is None:
        token = departments_token()  # before the rows: a change in between only reloads again
    if token is None:
        return list(Department.objects.all())
    if _departments is None or _departments[0] != token:
        _departments = (token, list(Department.objects.all()))
    return [copy.copy(department) for department in _departments[1]]
