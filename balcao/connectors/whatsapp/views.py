"""Meta's webhook: the subscription check (GET) and the notifications (POST), signed with the
app secret. Thin: check, then hand the bytes to the funnel."""

import hashlib
import hmac

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from balcao.connectors.whatsapp.actions import do_receive_webhook

MAX_BYTES = 1024 * 1024


def _signed(body: bytes, header: str) -> bool:
    if not settings.WHATSAPP_APP_SECRET or not header.startswith("sha256="):
        return False
    expected = hmac.new(settings.WHATSAPP_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def _verify(request) -> HttpResponse:
    token = settings.WHATSAPP_VERIFY_TOKEN
    given = request.GET.get("hub.verify_token", "")
    if (
        request.GET.get("hub.mode") == "subscribe"
        and token
        and hmac.compare_digest(given.encode(), token.encode())
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    return HttpResponse(_("Verification token does not match."), status=403)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request):
    if request.method == "GET":
        return _verify(request)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BYTES:
        return JsonResponse({"error": _("The notification is too large.")}, status=413)
    body = request.body
    if len(body) > MAX_BYTES:
        return JsonResponse({"error": _("The notification is too large.")}, status=413)
    if not _signed(body, request.headers.get("X-Hub-Signature-256", "")):
        return JsonResponse({"error": _("Invalid signature.")}, status=403)
    result = do_receive_webhook(body)
    if result.error:
        return JsonResponse({"error": result.error}, status=400)
    return JsonResponse(
        {
            "created": result.created,
            "joined": result.joined,
            "duplicates": result.duplicates,
            "statuses": result.statuses,
        }
    )
