import hashlib

from balcao.accounts.models import ApiToken, Department, User


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    api_token = ApiToken.objects.select_related("user").filter(digest=token_digest(token)).first()
    if api_token is None or not api_token.user.is_active:
        return None
    return api_token.user


def get_department(slug: str) -> Department | None:
    return (
        Department.objects.select_related("min_plan", "required_addon")
        .filter(slug=slug, is_active=True)
        .first()
    )


def find_staff(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).exclude(role="").first()
