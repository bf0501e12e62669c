"""Meta's webhook: the subscription check (GET) and the notifications (POST), signed with the
app secret. Thin: check, then hand the bytes to the funnel."""

import hashlib
import hmac

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from balcao.accounts.access import contact_required
from balcao.connectors.whatsapp.actions import (
    do_receive_webhook,
    do_register_number,
    do_remove_number,
)
from balcao.connectors.whatsapp.forms import NumberForm
from balcao.connectors.whatsapp.selectors import company_numbers
from balcao.core.errors import ActionRefused
from balcao.customers.selectors import list_company_contacts

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


@require_http_methods(["GET", "POST"])
@contact_required
def numbers(request):
    """The company's WhatsApp numbers: everyone sees them, the primary contact adds (R2)."""
    company = request.contact.company
    contacts = list_company_contacts(company)
    form = None
    if request.contact.is_primary:
        form = NumberForm(request.POST if request.method == "POST" else None, contacts=contacts)
        if request.method == "POST" and form.is_valid():
            try:
                identity = do_register_number(
                    form.cleaned_data["contact"],
                    actor=request.user,
                    number=form.cleaned_data["number"],
                )
            except ActionRefused as refused:
                form.add_error("number", refused.message)
            else:
                messages.success(
                    request,
                    _("+%(number)s may now write to support on WhatsApp as %(email)s.")
                    % {"number": identity.wa_id, "email": identity.contact.user.email},
                )
                return redirect("whatsapp:numbers")
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "whatsapp/numbers.html",
        {"numbers": company_numbers(company), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@contact_required
def number_remove(request, pk: int):
    found = [n for n in company_numbers(request.contact.company) if n.pk == pk]
    if not found or not request.contact.is_primary:
        raise Http404
    do_remove_number(found[0], actor=request.user)
    messages.success(
        request,
        _("+%(number)s is no longer linked to your company.") % {"number": found[0].wa_id},
    )
    return redirect("whatsapp:numbers")
