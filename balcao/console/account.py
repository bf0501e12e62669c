"""A staff member's own account: two-factor authentication and API tokens."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from balcao.accounts.actions import (
    do_disable_two_factor,
    do_enable_two_factor,
    do_regenerate_recovery_codes,
    do_revoke_api_token,
)
from balcao.accounts.forms import SecondFactorForm
from balcao.accounts.selectors import (
    list_account_events,
    list_api_tokens,
    new_totp_secret,
    totp_qr,
    totp_uri,
    two_factor_required,
)
from balcao.console.views import staff_required
from balcao.core.clients import client_address
from balcao.core.errors import ActionRefused, NotFound

SETUP_SECRET = "totp_setup_secret"


@require_http_methods(["GET", "POST"])
@staff_required
def account(request):
    """Turning the second factor on (the key shown until a code from the app confirms it,
    then the recovery codes, once), off, or getting new recovery codes (each with one more
    code); the person's API tokens and security activity."""
    user = request.user
    if not user.has_two_factor and SETUP_SECRET not in request.session:
        request.session[SETUP_SECRET] = new_totp_secret()
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    codes = None
    if form.is_valid():
        try:
            if user.has_two_factor and request.POST.get("recovery"):
                codes = do_regenerate_recovery_codes(
                    user, code=form.cleaned_data["code"], client=client_address(request)
                )
            elif user.has_two_factor:
                do_disable_two_factor(
                    user, code=form.cleaned_data["code"], client=client_address(request)
                )
                messages.success(request, _("Two-factor authentication is off."))
                return redirect("console:account")
            else:
                codes = do_enable_two_factor(
                    user,
                    secret=request.session[SETUP_SECRET],
                    code=form.cleaned_data["code"],
                    client=client_address(request),
                )
                del request.session[SETUP_SECRET]
            form = SecondFactorForm()
        except ActionRefused as refused:
            form.add_error("code", refused.message)
    secret = request.session.get(SETUP_SECRET, "")
    uri = totp_uri(user, secret) if secret else ""
    return render(
        request,
        "console/account.html",
        {
            "form": form,
            "codes": codes,
            "secret": secret,
            "uri": uri,
            "qr": totp_qr(uri) if uri else "",
            "required": two_factor_required(user),
            "tokens": list_api_tokens(user),
            "account_events": list_account_events(user),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@require_POST
@staff_required
def revoke_token(request, pk: int):
    try:
        do_revoke_api_token(request.user, pk, client=client_address(request))
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The API token was revoked."))
    return redirect("console:account")
