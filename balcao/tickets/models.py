from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """The six statuses a customer sees (R11); values are the API's stable names."""

    OPEN = "open", _("Open")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    CUSTOMER_REPLY = "customer_reply", _("Customer-Reply")
    IN_PROGRESS = "in_progress", _("In Progress")
    CLOSED = "closed", _("Closed")


STATUS_MEANINGS = {
    Status.OPEN: _("Not reached yet: waiting in the queue."),
    Status.ASSIGNED: _("Escalated to a specific person; it may take longer."),
    Status.ANSWERED: _("The team answered and is waiting for you."),
    Status.CUSTOMER_REPLY: _("You wrote after the opening; the team has to analyse and answer."),
    Status.IN_PROGRESS: _("The team is working on it."),
    Status.CLOSED: _("Resolved, or nobody is waiting for anything."),
}


class Origin(models.TextChoices):
    PORTAL = "portal", _("Client area")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    CHAT = "chat", _("Chat")
    WHATSAPP = "whatsapp", _("WhatsApp")
    CONSOLE = "console", _("Staff console")
    PHONE = "phone", _("Phone call")
    MEETING = "meeting", _("Meeting")
    OTHER = "other", _("Other (in person, forwarded by hand)")


# The channels staff record a ticket from when they open it for a customer.
STAFF_ORIGINS = (Origin.PHONE, Origin.MEETING, Origin.OTHER)

# Where ticket numbers come from on PostgreSQL (migrations/0012); SQLite counts in core.Counter.
NUMBER_SEQUENCE = "tickets_ticket_number"


class Priority(models.TextChoices):
    """Set by staff, and by the customer where the department allows it; values are the API's."""

    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


# Most pressing first, for sorting.
PRIORITY_ORDER = [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW]


class Tag(models.Model):
    """A label staff put on tickets, to find and group them."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    number = models.PositiveBigIntegerField(_("number"), unique=True)
    subject = models.CharField(_("subject"), max_length=255)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("department"),
    )
    company = models.ForeignKey(
        "customers.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("company"),
        help_text=_("Empty for an unlinked ticket: outside SLA coverage."),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requested_tickets",
        verbose_name=_("requester"),
    )
    requester_email = models.EmailField(_("requester e-mail"), max_length=320)
    requester_name = models.CharField(_("requester name"), max_length=200, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    origin = models.CharField(_("channel of origin"), max_length=20, choices=Origin.choices)
    reference = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("earlier ticket"),
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets", verbose_name=_("tags"))
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["company", "-updated_at"]),
            models.Index(fields=["department", "status", "-updated_at"]),
            models.Index(fields=["status", "-updated_at"]),
            models.Index(fields=["assignee", "-updated_at"]),
            models.Index(fields=["-updated_at", "-id"]),
            models.Index(fields=["department", "-updated_at", "-id"]),
            models.Index(fields=["-created_at", "-id"]),
            models.Index(fields=["requester_email"]),
            models.Index(fields=["origin", "status"]),
            models.Index(fields=["priority", "-updated_at"]),
            # The reports' filters: a period of openings per department or agent, closings.
            # Merged duplicates are never counted; the columns reports group, count and join by
            # come along, so a report reads the index alone, not a row per ticket. merged_into
            # (null throughout) is there for SQLite, which otherwise thinks it must read the
            # row and takes (department, created_at) instead — kept for the console's list of
            # one department by opening date.
            models.Index(fields=["department", "created_at"]),
            models.Index(
                fields=[
                    "department",
                    "created_at",
                    "status",
                    "origin",
                    "company",
                    "assignee",
                    "id",
                    "merged_into",
                ],
                condition=models.Q(merged_into__isnull=True),
                name="tickets_report_opened",
            ),
            models.Index(fields=["assignee", "created_at"]),
            models.Index(
                fields=["closed_at", "department", "id", "merged_into"],
                condition=models.Q(merged_into__isnull=True),
                name="tickets_report_closed",
            ),
            models.Index(fields=["status", "closed_at"]),  # the retention policy's closed tickets
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def linked(self) -> bool:
        return self.company_id is not None

    @property
    def status_meaning(self) -> str:
        return str(STATUS_MEANINGS[Status(self.status)])


class TicketCount(models.Model):
    """How many tickets a department has in a status, linked to a company or not, kept by the
    database itself: triggers on the tickets' table (migration 0011) add a row of +1 or -1 for
    each ticket inserted, deleted, or changed in department, status or linked-ness, whatever
    wrote it (an action, ``update()``, ``bulk_create``, raw SQL, the admin, an erasure). Rows
    are only ever inserted, so writers never wait on one another's counter; the count is the
    SUM of a key's rows, and ``tickets.actions.fold_ticket_counts`` (each minute) folds a
    key's rows into one, so a read sums a bounded number of rows."""

    # no constraint: a department deleted (it has no tickets) leaves rows summing to 0,
    # removed by the next fold
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    linked = models.BooleanField()  # the ticket has a company
    n = models.IntegerField()

    class Meta:
        verbose_name = _("ticket count")
        verbose_name_plural = _("ticket counts")
        # the key and the delta: a read of the counts is the index alone
        indexes = [
            models.Index(
                fields=["department", "status", "linked", "n"], name="tickets_counted_by_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.status} {self.linked}: {self.n:+d}"


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "in", _("From the customer")
        OUTBOUND = "out", _("From the team")

    class Delivery(models.TextChoices):
        NONE = "", _("Not sent by e-mail")
        PENDING = "pending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Delivery failed")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    internal = models.BooleanField(_("internal note"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_email = models.EmailField(max_length=320, blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML (sanitised)"), blank=True)
    channel = models.CharField(max_length=20, choices=Origin.choices)
    # The channel a public reply of the team leaves by ("" for everything else): the domain
    # records it, the connector registered for it delivers (tickets/delivery.py).
    deliver_by = models.CharField(max_length=20, choices=Origin.choices, blank=True, default="")
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, blank=True, default="")
    delivery_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.pk}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A file on a message, stored under its content hash; served only to who may see it."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    inline = models.BooleanField(default=False)
    # An e-mail's Content-ID, so the HTML's ``cid:`` images are shown in place.
    content_id = models.CharField(max_length=255, blank=True, default="")
    # When the retention policy deleted the file (balcao/privacy): the row stays, for the list.
    purged_at = models.DateTimeField(_("purged by the retention policy"), null=True, blank=True)

    class Meta:
        ordering = ["id"]  # in the order they were attached: on the page and in the e-mail
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class TicketCc(models.Model):
    """An authorized contact of the ticket's company who gets the team's replies besides the
    requester (R2, R18): added by the customer, or kept from an e-mail's Cc."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="cc")
    email = models.EmailField(_("e-mail"), max_length=320)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("copied contact")
        verbose_name_plural = _("copied contacts")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "email"], name="ticket_cc_once"),
        ]

    def __str__(self) -> str:
        return self.email


class Receipt(models.Model):
    """One inbound message as the funnel filed it (tickets/inbound.py), under its channel's own
    id: the unique (channel, key) is what makes a second delivery a duplicate, even when two
    processes file it at once. It also keeps the one automatic answer the message got, which
    is what rate-limits the next (one table for every channel)."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Opened a ticket")
        JOINED = "joined", _("Joined a ticket")

    class Answer(models.TextChoices):
        NONE = "", _("No automatic answer")
        ACKNOWLEDGEMENT = "ack", _("Acknowledgement")
        UNLINKED = "unlinked", _("Sender not registered")
        NOT_YOURS = "not_yours", _("Ticket of another company")
        REFUSED = "refused", _("Routed to another department")
        CLOSED = "closed", _("Outside the channel's hours")

    channel = models.CharField(_("channel"), max_length=20, choices=Origin.choices)
    key = models.CharField(_("key"), max_length=64)
    external_id = models.CharField(_("channel's message id"), max_length=998, blank=True)
    conversation = models.CharField(_("conversation"), max_length=255, blank=True)
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="receipts"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    answer = models.CharField(max_length=10, choices=Answer.choices, blank=True, default="")
    note = models.CharField(_("why it landed there"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="receipt_once_per_channel"),
        ]
        indexes = [
            models.Index(fields=["channel", "conversation", "-created_at"]),
            models.Index(fields=["channel", "sender", "answer", "created_at"]),
            models.Index(fields=["channel", "external_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.key[:12]}"


class PriorityPolicy(models.Model):
    """How much of the SLA targets a ticket of a priority gets (R15): 50 % halves them.
    Applied when the clock starts and when the priority changes; no row means 100 %, and a
    normal ticket always has the contract's targets."""

    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, unique=True)
    sla_percent = models.PositiveSmallIntegerField(
        _("share of the SLA targets (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("priority policy")
        verbose_name_plural = _("priority policies")

    def __str__(self) -> str:
        return f"{self.get_priority_display()}: {self.sla_percent} %"


class DepartmentOptions(models.Model):
    """What a department lets its customers do beyond writing (kept beside the Department so
    that ticket handling stays in this app)."""

    department = models.OneToOneField(
        "accounts.Department",
        on_delete=models.CASCADE,
        related_name="ticket_options",
        verbose_name=_("department"),
    )
    customers_set_priority = models.BooleanField(_("customers may set the priority"), default=False)

    class Meta:
        verbose_name = _("department options")
        verbose_name_plural = _("department options")

    def __str__(self) -> str:
        return str(self.department)


class CannedResponse(models.Model):
    """A reply written once and inserted many times (a macro): for one department or all, the
    team's (by an administrator) or one agent's own. Placeholders are filled on the server
    (``tickets.actions.render_canned``); the optional actions run when it is sent."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {customer_name}, {ticket_number}, {agent_name}, {company}, {plan},"
            " {sla_due}."
        ),
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("Empty: for every department."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_responses",
        verbose_name=_("owner"),
        help_text=_("Empty: the team's; otherwise only its owner uses it."),
    )
    set_status = models.CharField(
        _("then set the status"),
        max_length=20,
        blank=True,
        choices=[
            (Status.IN_PROGRESS, Status.IN_PROGRESS.label),
            (Status.CLOSED, Status.CLOSED.label),
        ],
    )
    assign_to_me = models.BooleanField(_("then assign to whoever sends it"), default=False)
    add_tags = models.CharField(
        _("then add tags"), max_length=255, blank=True, help_text=_("Separated by commas.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        indexes = [
            models.Index(fields=["owner", "department"]),
            models.Index(fields=["department"]),
        ]

    def __str__(self) -> str:
        return self.title

    def tag_names(self) -> list[str]:
        return [t.strip() for t in self.add_tags.split(",") if t.strip()]
