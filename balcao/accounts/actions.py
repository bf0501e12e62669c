import secrets

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _

from balcao.accounts.models import ApiToken
from balcao.accounts.selectors import token_digest
from balcao.core.errors import ActionRefused


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
