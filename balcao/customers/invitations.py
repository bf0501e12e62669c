"""The invitation of a newly authorized contact: a link to set their password, signed by
Django's password-reset token generator under its own salt, so it expires after
INVITATION_DAYS and works once (the token covers the password, which it changes)."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

from balcao.customers.models import Contact

DEFAULT_DAYS = 7


def invitation_days() -> int:
    """INVITATION_DAYS, read defensively: a bad value counts as the default."""
    days = getattr(settings, "INVITATION_DAYS", DEFAULT_DAYS)
    return days if isinstance(days, int) and 0 < days <= 90 else DEFAULT_DAYS


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token under another salt (a reset link is no invitation, nor the
    reverse), valid for INVITATION_DAYS instead of PASSWORD_RESET_TIMEOUT."""

    key_salt = "balcao.customers.invitations.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            stamp, _hash = token.split("-")
            timestamp = base36_to_int(stamp)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - timestamp <= invitation_days() * 24 * 60 * 60


invitation_tokens = InvitationTokenGenerator()


def invitation_link(contact: Contact) -> str:
    user = contact.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("portal:invitation", args=[uid, invitation_tokens.make_token(user)])
    return settings.SITE_URL + path


def send_invitation(contact: Contact) -> None:
    user = contact.user
    language = user.language if user.language in dict(settings.LANGUAGES) else None
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {
            "contact": contact,
            "company": contact.company.name,
            "link": invitation_link(contact),
            "days": invitation_days(),
            "login": settings.SITE_URL + reverse("portal:login"),
        }
        subject = _("You were invited to %(company)s's support in Balcão") % context
        text = render_to_string("customers/invitation.txt", context)
        html = render_to_string("customers/invitation.html", context)
    mail = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    mail.attach_alternative(html, "text/html")
    mail.send()
