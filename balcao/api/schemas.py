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


class MessageOut(Schema):
    id: int
    direction: str
    internal: bool
    author_email: str
    author_name: str
    body_text: str
    body_html: str
    created_at: datetime
    delivery: str
    attachments: list[AttachmentOut]


class EventOut(Schema):
    kind: str
    created_at: datetime
    actor: str | None
    data: dict


class TicketSummaryOut(Schema):
    number: int
    subject: str
    status: str
    department: str
    company: str | None
    requester_email: str
    assignee: str | None
    linked: bool
    origin: str
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


class TicketOut(TicketSummaryOut):
    reference: int | None
    sla: SlaOut
    messages: list[MessageOut]
    events: list[EventOut]


class TicketIn(Schema):
    department: str
    subject: str = Field(max_length=255)
    body: str
    reference: int | None = None


class MessageIn(Schema):
    body: str
    internal: bool = False


class AssignIn(Schema):
    assignee: str | None


class StatusIn(Schema):
    status: str


class TransferIn(Schema):
    department: str
