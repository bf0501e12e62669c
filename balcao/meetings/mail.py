"""The e-mails of a meeting: the invitation (with its .ics) and the reminders, to the contact and
the host. The .ics is a ``text/calendar`` part with its method, as calendar programs expect."""

from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from balcao.meetings.ics import BRASILIA, invitation, method_of
from balcao.meetings.models import Meeting


def _when(meeting: Meeting) -> str:
    local = timezone.localtime(meeting.start, BRASILIA)
    return _("%(date)s at %(time)s (Brasília time)") % {
        "date": date_format(local, "DATE_FORMAT"),
        "time": date_format(local, "G:i"),
    }


def _recipients(meeting: Meeting) -> list[str]:
    return [meeting.contact.email, meeting.host.user.email]


def send_invitation(meeting: Meeting) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        method = method_of(meeting)
        facts = {
            "topic": meeting.topic,
            "when": _when(meeting),
            "host": meeting.host.user.display_name,
            "place": meeting.host.place,
            "number": meeting.ticket.number,
        }
        if method == "CANCEL":
            subject = _("Cancelled: %(topic)s, %(when)s") % facts
            body = _("The meeting “%(topic)s” of %(when)s with %(host)s was cancelled.") % facts
        elif meeting.sequence:
            subject = _("Moved: %(topic)s, now %(when)s") % facts
            body = _("The meeting “%(topic)s” with %(host)s is now %(when)s.\n%(place)s") % facts
        else:
            subject = _("Meeting: %(topic)s, %(when)s") % facts
            body = (
                _("Your meeting “%(topic)s” with %(host)s is booked for %(when)s.\n%(place)s")
                % facts
            )
        body += "\n\n" + _("Ticket #%(number)s keeps its history.") % facts
    message = EmailMessage(
        subject=f"[#{meeting.ticket.number}] {subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=_recipients(meeting),
        reply_to=[meeting.host.user.email],
    )
    part = MIMEText(invitation(meeting).decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="convite.ics")
    message.attach(part)
    message.send()


def send_reminder(meeting: Meeting, hours: int) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        facts = {"topic": meeting.topic, "when": _when(meeting), "place": meeting.host.place}
        subject = _("Reminder: %(topic)s, %(when)s") % facts
        body = _("The meeting “%(topic)s” is %(when)s.\n%(place)s") % facts
    EmailMessage(
        subject=f"[#{meeting.ticket.number}] {subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=_recipients(meeting),
    ).send()
