"""``Idempotency-Key`` on the API's writes: a client that retries a POST (a timeout, a lost
answer) sends the same key again and gets the first answer back — same status, same body —
and nothing is written twice. A key is the caller's for IDEMPOTENCY_HOURS; reused with
another request (another route or body) it is a 422.

The first request's write and the record of its answer commit together, in one transaction
that begins by inserting the key: a concurrent retry waits on the key (PostgreSQL's unique
index, SQLite's write lock) and then replays the answer. Server errors are not kept.
"""

import datetime
import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.selectors import api_token
from balcao.core.models import IdempotentRequest
from balcao.core.text import is_unstorable

API_PREFIX = "/api/v1/"
NOT_IDEMPOTENT = {"/api/v1/auth/token"}
IDEMPOTENCY_HOURS = 24
KEY_MAX_LENGTH = 255


def _bearer_user(request):
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    found = api_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    return found.user if found else None


def _replay(record: IdempotentRequest, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        return JsonResponse(
            {"detail": _("This Idempotency-Key was already used for a different request.")},
            status=422,
        )
    response = HttpResponse(bytes(record.body), status=record.status)
    response["Content-Type"] = record.content_type
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get("Idempotency-Key", "")
        if (
            request.method != "POST"
            or not key
            or not request.path.startswith(API_PREFIX)
            or request.path in NOT_IDEMPOTENT
        ):
            return self.get_response(request)
        user = _bearer_user(request)
        if user is None:
            return self.get_response(request)  # the API answers 401
        if len(key) > KEY_MAX_LENGTH or is_unstorable(key):
            return JsonResponse(
                {"detail": _("The Idempotency-Key must be text of at most 255 characters.")},
                status=400,
            )
        fingerprint = hashlib.sha256(request.path.encode() + b"\n" + request.body).hexdigest()
        now = timezone.now()
        with transaction.atomic():
            IdempotentRequest.objects.filter(expires_at__lte=now).delete()
            try:
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(
                        user=user,
                        key=key,
                        fingerprint=fingerprint,
                        expires_at=now + datetime.timedelta(hours=IDEMPOTENCY_HOURS),
                    )
            except IntegrityError:
                record = None
            if record is not None:
                response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                    return response
                record.status = response.status_code
                record.content_type = response.get("Content-Type", "")
                record.body = response.content
                record.save(update_fields=["status", "content_type", "body"])
                return response
        return _replay(IdempotentRequest.objects.get(user=user, key=key), fingerprint)
