"""Meetings with consultants and marketing analysts, booked by contacts within their plan."""

from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from balcao.customers.models import Channel

# Every meeting starts, lasts and is separated from the next in whole granules: one row of
# ``Claim`` per granule a meeting (with its buffer) occupies makes double booking impossible.
GRANULE_MINUTES = 5


class Kind(models.TextChoices):
    CONSULTANT = "consultant", _("Meeting with a consultant")
    MARKETING = "marketing", _("Meeting with a marketing analyst")


# The plan's channel that opens each kind (R13).
KIND_CHANNEL = {
    Kind.CONSULTANT: Channel.MEETING_CONSULTANT,
    Kind.MARKETING: Channel.MEETING_MARKETING,
}


def parse_weekly(value: object) -> tuple[tuple[tuple[time, time], ...], ...]:
    """Seven lists (Monday first) of ``["09:00", "12:00"]`` pairs as times; ValueError (with
    why) for anything else. Each interval ends after it starts, on whole granules, no overlap."""
    if not isinstance(value, list) or len(value) != 7:
        raise ValueError(_("Seven lists of hours are needed, Monday first."))
    days = []
    for pairs in value:
        if not isinstance(pairs, list):
            raise ValueError(_("Each weekday is a list of hour pairs."))
        hours = []
        for pair in pairs:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ValueError(_("Each interval is a pair of hours."))
            start, end = (time.fromisoformat(str(h)) for h in pair)
            if end <= start:
                raise ValueError(_("An interval must end after it starts, on the same day."))
            if any(t.minute % GRANULE_MINUTES or t.second for t in (start, end)):
                raise ValueError(_("Hours must be on multiples of 5 minutes."))
            hours.append((start, end))
        hours.sort()
        if any(a[1] > b[0] for a, b in zip(hours, hours[1:], strict=False)):
            raise ValueError(_("Intervals of one day overlap."))
        days.append(tuple(hours))
    return tuple(days)


def _check_weekly(value: object) -> None:
    try:
        parse_weekly(value)
    except ValueError as error:
        raise ValidationError(str(error)) from None


def _granules(value: int) -> None:
    if value % GRANULE_MINUTES:
        raise ValidationError(_("Use a multiple of 5 minutes."))


class Host(models.Model):
    """A staff member who meets customers: a consultant or a marketing analyst, with weekly
    hours inside the business calendar, a meeting length and a buffer between meetings."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="meeting_host",
        verbose_name=_("staff member"),
        limit_choices_to={"role__gt": ""},
    )
    kind = models.CharField(_("meets as"), max_length=20, choices=Kind.choices)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("The department where the tickets of these meetings are filed."),
    )
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("business calendar"),
        help_text=_("Meetings only fall where it is open (holidays closed). Empty: the default."),
    )
    weekly = models.JSONField(
        _("weekly availability"),
        validators=[_check_weekly],
        help_text=_('Seven lists, Monday first, of ["09:00", "12:00"] pairs, Brasília time.'),
    )
    length_minutes = models.PositiveSmallIntegerField(
        _("meeting length (minutes)"),
        default=30,
        validators=[MinValueValidator(15), MaxValueValidator(240), _granules],
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer between meetings (minutes)"),
        default=10,
        validators=[MaxValueValidator(120), _granules],
    )
    place = models.CharField(
        _("link or place"),
        max_length=500,
        help_text=_("The video call link, or the address, sent in the invitation."),
    )
    is_active = models.BooleanField(_("takes bookings"), default=True)

    class Meta:
        ordering = ["kind", "user__name"]
        verbose_name = _("meeting host")
        verbose_name_plural = _("meeting hosts")
        indexes = [models.Index(fields=["kind", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_kind_display()})"

    def clean(self) -> None:
        user, department = getattr(self, "user", None), getattr(self, "department", None)
        if user is None or department is None:
            return
        if not user.is_agent:
            raise ValidationError({"user": _("Only staff members meet customers.")})
        if not (user.is_administrator or user.departments.filter(pk=department.pk).exists()):
            raise ValidationError(
                {"department": _("The staff member must work in this department.")}
            )


class Block(models.Model):
    """Time a host does not meet: a day off, an appointment, a holiday of their own."""

    host = models.ForeignKey(
        Host, on_delete=models.CASCADE, related_name="blocks", verbose_name=_("meeting host")
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("blocked time")
        verbose_name_plural = _("blocked times")
        indexes = [models.Index(fields=["host", "end"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="block_ends")
        ]

    def __str__(self) -> str:
        return f"{self.host}: {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"


class MeetingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """One booked meeting; its conversation, notes and follow-up are its ticket's (R17)."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    host = models.ForeignKey(
        Host, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("meeting host")
    )
    company = models.ForeignKey(
        "customers.Company", on_delete=models.CASCADE, related_name="meetings"
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings_booked"
    )
    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="meeting"
    )
    topic = models.CharField(_("topic"), max_length=200)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.BOOKED
    )
    # iCalendar: the same UID for the meeting's whole life, SEQUENCE raised at every change.
    uid = models.CharField(max_length=200, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            models.Index(fields=["host", "start"]),
            models.Index(fields=["company", "start"]),
        ]

    def __str__(self) -> str:
        return f"{self.topic} @ {self.start:%Y-%m-%d %H:%M}"


class Claim(models.Model):
    """One granule of a host's time taken by a meeting (its length and the buffer after it).
    Unique per host and instant on every database: of two bookings of one slot, the second
    insert fails, whatever the code above it did."""

    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="claims")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["host", "at"], name="one_meeting_per_host_granule")
        ]

    def __str__(self) -> str:
        return f"{self.host_id} @ {self.at:%Y-%m-%d %H:%M}"


class Reminder(models.Model):
    """A reminder sent: unique per meeting, start and lead time, so each fires once."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders")
    start = models.DateTimeField()
    hours_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "start", "hours_before"], name="one_reminder_per_instant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.hours_before} h"
