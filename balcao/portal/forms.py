"""Forms of the client area: they parse and check input; the actions decide."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from balcao.accounts.throttle import (
    RESET_PER_CLIENT,
    RESET_PER_EMAIL,
    authenticate_throttled,
    count,
    reached,
)
from balcao.core.clients import client_address
from balcao.core.errors import ActionRefused
from balcao.core.forms import MultipleFileField
from balcao.customers.actions import do_accept_invitation
from balcao.tickets.actions import NewAttachment, check_upload
from balcao.tickets.models import Status


class LoginForm(AuthenticationForm):
    """E-mail and password, checked by the one throttled way to a password
    (``authenticate_throttled``): guessing gets slow, a person who forgot gets a way out."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("E-mail or password is wrong."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail")
        self.fields["username"].widget.attrs.update(type="email", autocomplete="email")
        self.fields["password"].label = _("Password")

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            try:
                self.user_cache = authenticate_throttled(self.request, email, password)
            except ActionRefused as refused:
                raise forms.ValidationError(refused.message, code=refused.code) from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class PortalPasswordResetForm(PasswordResetForm):
    """Also reaches people who never had a password (a newly authorized contact sets their
    first one this way); inactive accounts are still skipped. At most RESET_PER_CLIENT
    requests per client address (then an error), and RESET_PER_EMAIL e-mails per address
    (then nothing more is sent, with the same answer: whether an address exists stays
    unknown)."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["email"].label = _("E-mail")

    def clean(self):
        client = client_address(self.request)
        if reached(RESET_PER_CLIENT, client):
            raise forms.ValidationError(
                _("Too many requests from this connection. Try again in an hour."),
                code="throttled",
            )
        count(RESET_PER_CLIENT, client)
        return super().clean()

    def save(self, *args, **kwargs):
        email = self.cleaned_data["email"]
        if reached(RESET_PER_EMAIL, email):
            return
        count(RESET_PER_EMAIL, email)
        super().save(*args, **kwargs)

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return iter(users)


class PortalSetPasswordForm(SetPasswordForm):
    """The new password chosen through the e-mailed link (an account event: a reset)."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def save(self, commit=True):
        do_accept_invitation(
            self.user,
            self.cleaned_data["new_password1"],
            client=client_address(self.request),
            reset=True,
        )
        return self.user


class AttachmentsMixin:
    """Reads the uploaded files once, within the limits of tickets.actions.check_upload."""

    cleaned_data: dict[str, Any]

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        attachments, errors = [], []
        for upload in files:
            # One byte over the limit is enough for check_upload to refuse it, without
            # reading a huge file into memory.
            content = upload.read(settings.ATTACHMENT_MAX_BYTES + 1)
            item = NewAttachment(
                name=upload.name,
                content_type=upload.content_type or "application/octet-stream",
                content=content,
            )
            try:
                check_upload(item)
            except ActionRefused as refused:
                errors.append(refused.message)
            else:
                attachments.append(item)
        if errors:
            raise forms.ValidationError(errors)
        return attachments

    def new_attachments(self) -> list[NewAttachment]:
        return self.cleaned_data.get("attachments") or []


def _attachments_field():
    return MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_(
            "Optional; several files at once, up to %(limit)d MB each. Programs and scripts are"
            " not accepted."
        )
        % {"limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
    )


class OpenTicketForm(AttachmentsMixin, forms.Form):
    """The department is any active one: a department the plan does not allow is refused by
    do_open_ticket with its reason, shown on the field."""

    department = forms.ChoiceField(
        label=_("Department"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the department that fits your question.")},
    )
    reference = forms.IntegerField(
        label=_("Number of the earlier ticket"),
        required=False,
        min_value=1,
        help_text=_(
            "The ticket about the question that was not resolved well (asked only by the"
            " departments that need it)."
        ),
    )
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The more you tell us, the likelier we solve it in one answer."),
    )

    def __init__(self, *args, departments, **kwargs):
        """``departments``: the ones it accepts (the page lists them, with why some are not
        the customer's; a POST reads only the one it names)."""
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            (d.slug, d.localized("name")) for d in departments
        ]
        self.departments = {d.slug: d for d in departments}
        self.fields["attachments"] = _attachments_field()

    def chosen_department(self):
        return self.departments[self.cleaned_data["department"]]


class ReplyForm(AttachmentsMixin, forms.Form):
    body = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()


class TicketFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Words, number or subject")}
        ),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)

    def __init__(self, data, *, departments):
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("Any status"))] + list(
            Status.choices
        )
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", _("All departments"))
        ] + [(d.slug, d.localized("name")) for d in departments]

    def filters(self) -> dict:
        """Arguments of list_tickets; an unknown value filters nothing rather than failing."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in ("q", "status", "department")}


class AuthorizeContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    consent = forms.BooleanField(
        label=_(
            "This person works with us and may open and follow tickets on the company's behalf."
        ),
        error_messages={"required": _("Please confirm that this person may talk to support.")},
    )


class SatisfactionForm(forms.Form):
    """ "Como foi o atendimento?": the score the link preselected, an optional comment."""

    score = forms.TypedChoiceField(
        label=_("How was the service?"),
        coerce=int,
        choices=[
            (1, _("1 — Very bad")),
            (2, _("2 — Bad")),
            (3, _("3 — Fair")),
            (4, _("4 — Good")),
            (5, _("5 — Very good")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
