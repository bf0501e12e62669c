from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from balcao.sla.calendar import Calendar


class BusinessCalendar(models.Model):
    """Opening hours an administrator edits; ``value()`` is the pure ``Calendar`` they mean."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    tz = models.CharField(_("time zone"), max_length=64, default="America/Sao_Paulo")
    weekly = models.JSONField(
        _("weekly hours"),
        help_text=_(
            'Seven lists, Monday first, of ["09:00", "17:00"] pairs; an end not after its start '
            "runs into the next day."
        ),
    )
    observe_holidays = models.BooleanField(_("Brazilian holidays closed"), default=True)
    subdivision = models.CharField(
        _("state"), max_length=20, blank=True, help_text=_("Adds the state's holidays (SP, RJ, …).")
    )
    carnival = models.BooleanField(_("Carnival Monday and Tuesday closed"), default=True)
    closed_dates = models.JSONField(_("extra closed dates"), default=list, blank=True)
    open_dates = models.JSONField(
        _("extra open dates"),
        default=dict,
        blank=True,
        help_text=_('{"2026-12-24": [["09:00", "13:00"]]}: open on that date, these hours only.'),
    )
    is_default = models.BooleanField(_("default for SLA"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_calendar",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def value(self) -> Calendar:
        return Calendar.build(
            self.tz,
            self.weekly,
            observe_holidays=self.observe_holidays,
            subdivision=self.subdivision,
            carnival=self.carnival,
            closed=self.closed_dates,
            open_days=self.open_dates,
        )


class RealtimeChannel(models.TextChoices):
    """Channels answered live, only while open (R13, R14); tickets are open 24 hours."""

    CHAT = "chat", _("Chat")
    WHATSAPP_COMMERCIAL = "whatsapp_commercial", _("WhatsApp Comercial")
    WHATSAPP_SUPPORT = "whatsapp_support", _("WhatsApp Suporte")
    PHONE = "phone", _("Phone")


class ChannelHours(models.Model):
    channel = models.CharField(
        _("channel"), max_length=30, choices=RealtimeChannel.choices, unique=True
    )
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, related_name="+", verbose_name=_("hours")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "channel"]
        verbose_name = _("channel hours")
        verbose_name_plural = _("channel hours")

    def __str__(self) -> str:
        return self.get_channel_display()


class SlaPolicy(models.Model):
    """Targets of a department, for one plan or (plan empty) every plan; where none applies,
    the plan's own targets count, on the default calendar."""

    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, verbose_name=_("department")
    )
    plan = models.ForeignKey(
        "customers.Plan",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("plan"),
        help_text=_("Empty: every plan."),
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("business hours"),
        help_text=_("Empty: the default calendar."),
    )
    first_response_minutes = models.PositiveIntegerField(_("first response (business minutes)"))
    next_response_minutes = models.PositiveIntegerField(
        _("next response (business minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (business minutes)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["department", "plan"], name="one_policy_per_plan"),
            models.UniqueConstraint(
                fields=["department"], condition=models.Q(plan=None), name="one_policy_all_plans"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} / {self.plan or '*'}"


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused: waiting for the customer")
    STOPPED = "stopped", _("Stopped: ticket closed")


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("first response")
    NEXT_RESPONSE = "next_response", _("next response")
    RESOLUTION = "resolution", _("resolution")


# A clock not marked breached on any target; a live one (running or paused) is UNMARKED: the
# console's counts read these by their due and warning instants (sla_counts), the marked ones
# from SlaCount.
NOT_BREACHED = models.Q(
    first_response_breached=False,
    next_response_breached=False,
    resolution_breached=False,
)
UNMARKED = NOT_BREACHED & models.Q(state__in=[ClockState.RUNNING, ClockState.PAUSED])


class TicketSla(models.Model):
    """The SLA clock of one linked ticket: its targets (fixed when it started), due instants,
    what was met or breached. ``next_due`` and ``at_risk_from`` are the soonest pending due
    and warning instants, for queues and counts."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="sla"
    )
    # The ticket's department, kept equal to it by the database (triggers of migration 0005:
    # on the clock's insert and on the ticket's change of department), so that the console's
    # counts per department read the live clocks alone, not joined to every ticket. Never
    # written by a save of a clock (``sla.actions._save``), only at its creation.
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="+"
    )
    calendar = models.ForeignKey(
        BusinessCalendar, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_response_minutes = models.PositiveIntegerField()
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=ClockState.choices)
    started_at = models.DateTimeField()
    running_since = models.DateTimeField(null=True, blank=True)
    resolution_used = models.DurationField(default=timedelta(0))
    first_response_due = models.DateTimeField()
    first_response_warn = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_time = models.DurationField(null=True, blank=True)
    next_response_due = models.DateTimeField(null=True, blank=True)
    next_response_warn = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    resolution_warn = models.DateTimeField(null=True, blank=True)
    first_response_breached = models.BooleanField(default=False)
    next_response_breached = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    next_due = models.DateTimeField(null=True, blank=True)
    at_risk_from = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ticket SLA")
        verbose_name_plural = _("ticket SLAs")
        indexes = [
            models.Index(fields=["next_due"]),
            models.Index(fields=["state", "next_due"]),
            models.Index(fields=["at_risk_from"]),
            models.Index(fields=["started_at"]),
            # The console's at-risk and breached counts per department (sla_counts): the live
            # clocks not yet marked breached whose due or warning has come, by department. Those
            # marked are counted by the database (SlaCount); the alerts mark them as each due
            # passes, so what these read is what is at risk and the breaches not yet marked.
            # Their conditions hold no value a query binds as a parameter (the states): SQLite
            # uses a partial index only when the query's terms imply its condition as written,
            # and `state IN (?, ?)` does not imply `state IN ('running', 'paused')` (it read
            # every clock of each department: 34 ms of the console home at 100,000 tickets).
            # A stopped clock has neither instant; a paused one keeps its first response's.
            models.Index(
                fields=["department", "next_due"],
                condition=NOT_BREACHED & models.Q(next_due__isnull=False),
                name="sla_unmarked_due",
            ),
            models.Index(
                fields=["department", "at_risk_from"],
                condition=NOT_BREACHED & models.Q(at_risk_from__isnull=False),
                name="sla_unmarked_risk",
            ),
        ]

    def __str__(self) -> str:
        return f"SLA {self.ticket_id} ({self.state})"

    @property
    def breached(self) -> bool:
        return (
            self.first_response_breached
            or self.next_response_breached
            or (self.resolution_breached)
        )


class SlaCount(models.Model):
    """How many live clocks (running or paused) of a department are marked breached on some
    target, kept by the database itself: triggers on the clocks' table (migration 0006) add a
    row of +1 or -1 for each clock that becomes or stops being one (marked by an alert or an
    answer, stopped, reopened, deleted, moved to another department), whatever wrote it. Rows
    are only ever inserted; the count is the SUM of a department's rows, folded each minute
    with the tickets' counts (``sla.actions.fold_sla_counts``). At a million tickets, counting
    the breached clocks themselves took 95–135 ms of the console home after every change."""

    # no constraint: a department deleted (its clocks with it) leaves rows summing to 0,
    # removed by the next fold
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    n = models.IntegerField()

    class Meta:
        verbose_name = _("breached SLA count")
        verbose_name_plural = _("breached SLA counts")
        # the key and the delta: a read of the counts is the index alone
        indexes = [models.Index(fields=["department", "n"], name="sla_counted_by_department")]

    def __str__(self) -> str:
        return f"{self.department_id}: {self.n:+d}"


class SlaAlert(models.Model):
    """One warning or breach notice sent: the marker that makes each fire once."""

    class Stage(models.TextChoices):
        WARNING = "warning", _("Warning")
        BREACH = "breach", _("Breach")

    sla = models.ForeignKey(TicketSla, on_delete=models.CASCADE, related_name="alerts")
    target = models.CharField(max_length=20, choices=Target.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    due = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("SLA alert")
        verbose_name_plural = _("SLA alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["sla", "target", "stage", "due"], name="one_alert_per_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sla_id} {self.target} {self.stage}"
