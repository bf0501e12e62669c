"""Limits on guessing and on mail sent on request, counted in the shared cache (a database
table, or Redis with REDIS_URL), so that every process of the installation counts together.

Every way to a password goes through ``authenticate_throttled``: the login page (which the
admin site's login also sends to) and ``POST /api/v1/auth/token``.
"""

import hashlib
import time
from typing import NamedTuple

from django.contrib.auth import authenticate
from django.core.cache import cache
from django.utils.translation import gettext as _

from balcao.core.clients import client_address
from balcao.core.errors import ActionRefused


class Limit(NamedTuple):
    name: str
    attempts: int
    seconds: int


LOGIN_PER_EMAIL = Limit("login-email", 5, 15 * 60)
LOGIN_PER_CLIENT = Limit("login-client", 30, 15 * 60)
SECOND_FACTOR_PER_USER = Limit("second-factor", 5, 15 * 60)
RESET_PER_EMAIL = Limit("reset-email", 3, 60 * 60)
RESET_PER_CLIENT = Limit("reset-client", 10, 60 * 60)


def _key(limit: Limit, subject: str) -> str:
    digest = hashlib.sha256(f"{limit.name}|{subject.strip().lower()}".encode()).hexdigest()
    return f"throttle:{digest}"


def reached(limit: Limit, subject: str) -> bool:
    count, _until = cache.get(_key(limit, subject), (0, 0))
    return count >= limit.attempts


def count(limit: Limit, subject: str) -> None:
    """One more attempt in the window that began with the first one (a read and a write: under
    a race an attempt may go uncounted, never a window made longer)."""
    now = time.time()
    attempts, until = cache.get(_key(limit, subject), (0, now + limit.seconds))
    cache.set(_key(limit, subject), (attempts + 1, until), max(1, int(until - now)))


def forget(limit: Limit, subject: str) -> None:
    cache.delete(_key(limit, subject))


def throttled_refusal(limit: Limit) -> ActionRefused:
    return ActionRefused(
        _(
            "Too many failed attempts. Wait %(minutes)d minutes and try again,"
            " or reset your password with “Forgot your password?”."
        )
        % {"minutes": limit.seconds // 60},
        code="throttled",
    )


def authenticate_throttled(request, email: str, password: str):
    """The user whose e-mail and password these are, or None; failures are counted per e-mail
    and per client address, and past either limit even the right password is refused
    (``ActionRefused`` with code ``throttled``) until the window ends."""
    email = (email or "").strip().lower()
    client = client_address(request)
    for limit, subject in ((LOGIN_PER_EMAIL, email), (LOGIN_PER_CLIENT, client)):
        if reached(limit, subject):
            raise throttled_refusal(limit)
    user = authenticate(request, username=email, password=password)
    if user is None:
        count(LOGIN_PER_EMAIL, email)
        count(LOGIN_PER_CLIENT, client)
    else:
        forget(LOGIN_PER_EMAIL, email)
    return user
