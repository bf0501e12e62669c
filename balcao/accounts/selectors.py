import hashlib

import pyotp
import segno
from django.conf import settings
from django.utils import timezone

from balcao.accounts.models import AccountEvent, ApiToken, Department, User

TOTP_ISSUER = "Balcão"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token(token: str) -> ApiToken | None:
    """The unexpired token of an active user that this bearer string is, or None."""
    found = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(token), expires_at__gt=timezone.now())
        .first()
    )
    if found is None or not found.user.is_active:
        return None
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
    return segno.make(uri, error="m").svg_data_uri(scale=4)


def get_department(slug: str) -> Department | None:
    return (
        Department.objects.select_related("min_plan", "required_addon")
        .filter(slug=slug, is_active=True)
        .first()
    )


def find_staff(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).exclude(role="").first()
