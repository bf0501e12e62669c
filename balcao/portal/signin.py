"""The client area's ways in: the password, then a second factor where there is one (or its
setup, for an administrator who must have one); signing out; a forgotten password; an
invitation's link, where an authorized contact chooses a password the first time."""

import time

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from balcao.accounts.actions import (
    do_enable_two_factor,
    do_use_second_factor,
)
from balcao.accounts.forms import SecondFactorForm
from balcao.accounts.selectors import (
    get_active_user,
    new_totp_secret,
    totp_qr,
    totp_uri,
    two_factor_required,
)
from balcao.core.clients import client_address
from balcao.core.errors import ActionRefused
from balcao.customers.actions import (
    do_accept_invitation,
)
from balcao.customers.invitations import invitation_tokens
from balcao.portal.forms import (
    LoginForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
)

PENDING_LOGIN = "pending_login"
PENDING_SECONDS = 5 * 60


class LoginView(auth_views.LoginView):
    """The password first; someone with a second factor (or an administrator who must set one
    up) is not logged in yet: the session remembers who, for PENDING_SECONDS, and the next
    page asks for the code."""

    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not (user.has_two_factor or two_factor_required(user)):
            return super().form_valid(form)
        landing = self.get_redirect_url() or (
            reverse("console:home") if user.is_agent else reverse("portal:home")
        )
        self.request.session[PENDING_LOGIN] = {
            "user": user.pk,
            "backend": user.backend,
            "next": landing,
            "at": time.time(),
        }
        return redirect("portal:login_code" if user.has_two_factor else "portal:login_setup")

    def get_default_redirect_url(self):
        """Staff to the console, everyone else to the client area (a ``next`` that is safe
        wins: LoginView checks it with url_has_allowed_host_and_scheme)."""
        if getattr(self.request.user, "is_agent", False):
            return reverse("console:home")
        return reverse("portal:home")


def _pending_login(request):
    """The person who gave the right password in the last PENDING_SECONDS, and where to."""
    pending = request.session.get(PENDING_LOGIN)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None, None
    return get_active_user(pending["user"]), pending


def _finish_login(request, user, pending):
    del request.session[PENDING_LOGIN]
    auth_login(request, user, backend=pending["backend"])


@require_http_methods(["GET", "POST"])
def login_code(request):
    """The second step: the authenticator app's code, or a recovery code."""
    user, pending = _pending_login(request)
    if user is None or not user.has_two_factor:
        return redirect("portal:login")
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            do_use_second_factor(user, form.cleaned_data["code"], client=client_address(request))
        except ActionRefused as refused:
            form.add_error("code", refused.message)
        else:
            _finish_login(request, user, pending)
            return redirect(pending["next"])
    return render(
        request,
        "portal/login_code.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def login_setup(request):
    """An administrator who must use a second factor sets it up before getting in: the app
    reads the secret, the person types the code it shows, and gets recovery codes once."""
    user, pending = _pending_login(request)
    if user is None or user.has_two_factor:
        return redirect("portal:login")
    if "secret" not in pending:
        pending["secret"] = new_totp_secret()
        request.session.modified = True
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            codes = do_enable_two_factor(
                user,
                secret=pending["secret"],
                code=form.cleaned_data["code"],
                client=client_address(request),
            )
        except ActionRefused as refused:
            form.add_error("code", refused.message)
        else:
            _finish_login(request, user, pending)
            return render(
                request, "portal/recovery_codes.html", {"codes": codes, "next": pending["next"]}
            )
    uri = totp_uri(user, pending["secret"])
    return render(
        request,
        "portal/login_setup.html",
        {"form": form, "secret": pending["secret"], "uri": uri, "qr": totp_qr(uri)},
        status=400 if request.method == "POST" else 200,
    )


class LogoutView(auth_views.LogoutView):
    next_page = "portal:login"

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have logged out."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/password_reset_form.html"
    email_template_name = "portal/password_reset_email.txt"
    subject_template_name = "portal/password_reset_subject.txt"
    form_class = PortalPasswordResetForm
    success_url = reverse_lazy("portal:password_reset_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/password_reset_confirm.html"
    form_class = PortalSetPasswordForm
    success_url = reverse_lazy("portal:password_reset_complete")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/password_reset_complete.html"


class InvitationForm(PortalSetPasswordForm):
    def save(self, commit=True):
        do_accept_invitation(
            self.user, self.cleaned_data["new_password1"], client=client_address(self.request)
        )
        return self.user


class InvitationView(PasswordResetConfirmView):
    """The invitation's link: choose a password (once, before it expires), then log in."""

    template_name = "portal/invitation.html"
    form_class = InvitationForm
    token_generator = invitation_tokens
    reset_url_token = "definir-senha"
    success_url = reverse_lazy("portal:login")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. Log in with your e-mail."))
        return response
