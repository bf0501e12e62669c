from datetime import datetime

from ninja import Schema
from pydantic import Field


class TokenIn(Schema):
    email: str
    password: str
    code: str = ""


class TokenOut(Schema):
    token: str


class TokenListOut(Schema):
    id: int
    created_at: datetime
    expires_at: datetime
    current: bool


class ErrorOut(Schema):
    detail: str


class DepartmentOut(Schema):
    slug: str
    name: str
    description: str
    available: bool
    reason: str | None = None


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    purged: bool  # its file was deleted by the retention policy; the row stays


class MessageOut(Schema):
    id: int
    direction: str
    internal: bool
    author_email: str  # empty on the team's messages, for a customer
    author_name: str
    body_text: str
    body_html: str
    created_at: datetime
    delivery: str
    attachments: list[AttachmentOut]


class EventOut(Schema):
    kind: str
    created_at: datetime
    text: str  # the event worded for the caller, in the active language
    actor: str | None  # staff only: who did it, by e-mail address
    actor_name: str | None  # staff only
    data: dict | None  # staff only: the event's payload


class HistoryOut(Schema):
    """One entry of the ticket's history, messages and events merged by time (as the client
    area and the console show it)."""

    at: datetime
    kind: str  # "message", or the event's kind
    message: int | None  # the message's id
    author_name: str
    text: str  # the event worded for the caller; empty for a message


class TicketSummaryOut(Schema):
    number: int
    subject: str
    status: str
    department: str
    company: str | None
    requester_email: str
    assignee: str | None  # staff only: the assignee's e-mail address
    assignee_name: str | None
    linked: bool
    origin: str
    priority: str  # low | normal | high | urgent
    tags: list[str]
    merged_into: int | None  # the ticket this one was merged into
    created_at: datetime
    updated_at: datetime


class SlaOut(Schema):
    state: str  # running | paused | met | breached | none
    first_response_due: datetime | None
    next_response_due: datetime | None
    resolution_due: datetime | None


class ChannelOut(Schema):
    channel: str
    name: str
    available_in_plan: bool
    open_now: bool
    opens_at: datetime | None
    hours: str  # the weekly hours, in words
    state: str  # "open now", "opens monday at 9:00", "by appointment"
    by_appointment: bool  # meetings: booked for a time within the hours


class SatisfactionOut(Schema):
    score: int  # 1–5
    comment: str
    answered_at: datetime
    changed_at: datetime | None


class TicketOut(TicketSummaryOut):
    reference: int | None
    satisfaction: SatisfactionOut | None  # staff only: the customer's answer after closing
    cc: list[str]  # authorized contacts copied on the replies, besides the requester
    sla: SlaOut
    messages: list[MessageOut]
    events: list[EventOut]
    history: list[HistoryOut]


class TicketIn(Schema):
    """A contact opens a ticket for its company; staff open one for a customer, naming the
    company (id or name) and the contact (``requester_email``)."""

    department: str
    subject: str = Field(max_length=255)
    body: str
    reference: int | None = None
    # Staff only:
    priority: str = "normal"
    company: int | str | None = None
    requester_email: str | None = None
    channel: str = "phone"  # phone | meeting | other
    notify_customer: bool = True
    as_note: bool = False  # the first message is the agent's internal note
    override_reason: str = ""  # why the plan's department rules are overridden


class TicketPatchIn(Schema):
    priority: str | None = None
    tags: list[str] | None = None


class MergeIn(Schema):
    into: int


class MessageIn(Schema):
    body: str = ""
    internal: bool = False
    canned_response: int | None = None  # its text, placeholders filled, when body is empty
    # Staff, on a WhatsApp ticket whose 24-hour window is closed: the approved template sent.
    whatsapp_template: int | None = None


class CannedResponseOut(Schema):
    id: int
    title: str
    body: str  # with its placeholders, as written
    department: str | None
    shared: bool  # the team's, or the caller's own
    set_status: str
    assign_to_me: bool
    add_tags: list[str]


class AssignIn(Schema):
    assignee: str | None


class StatusIn(Schema):
    status: str


class TransferIn(Schema):
    department: str


class NotificationPreferenceOut(Schema):
    kind: str  # new_ticket | customer_reply | assigned | transferred | sla_warning
    label: str
    email: bool
    console: bool


class NotificationPreferenceIn(Schema):
    kind: str
    email: bool | None = None
    console: bool | None = None


class NotificationOut(Schema):
    id: int
    kind: str
    ticket: int
    text: str
    url: str
    created_at: datetime
    read: bool
