"""How a signed-in person is read back on each request."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import QuerySet

from balcao.accounts.models import User
from balcao.core.prepared import prepared_instance


class AccountBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions) with the session's user read by SQL built
    once per process (``core.prepared``): Django compiles ``get(pk=…)`` on every request, the
    largest part of what a kept page costs. A contact's company and plan come in the same row,
    which every page of the client area reads (``customers.selectors.get_contact``)."""

    def get_user(self, user_id: Any) -> User | None:
        if not isinstance(user_id, int):  # the session's key, made an id by Django
            return None
        user = prepared_instance("session_user", _session_user, user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        user._read_with_contact = True  # type: ignore[attr-defined]  # get_contact takes it
        return user


def _session_user(user_id: int) -> QuerySet[User]:
    return User.objects.select_related("contact__company__plan").filter(pk=user_id)
