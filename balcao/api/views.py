"""REST API /api/v1 — thin: parse, check access through selectors, call one action, render."""

import json
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.openapi.docs import Swagger
from ninja.parser import Parser
from ninja.security import HttpBearer
from pydantic import ValidationInfo, field_validator

from balcao.accounts.actions import do_issue_api_token, do_revoke_api_token
from balcao.accounts.models import User
from balcao.accounts.selectors import api_token, find_staff, get_department, list_api_tokens
from balcao.api.schemas import (
    AssignIn,
    CannedResponseOut,
    ChannelOut,
    DepartmentOut,
    ErrorOut,
    MergeIn,
    MessageIn,
    NotificationOut,
    NotificationPreferenceIn,
    NotificationPreferenceOut,
    StatusIn,
    TicketIn,
    TicketOut,
    TicketPatchIn,
    TicketSummaryOut,
    TokenIn,
    TokenListOut,
    TokenOut,
    TransferIn,
)
from balcao.api.shapes import FACTS, detail, summary
from balcao.connectors.whatsapp.actions import do_reply_with_template
from balcao.connectors.whatsapp.selectors import free_form_refusal
from balcao.core.clients import client_address
from balcao.core.errors import ActionRefused, NotFound
from balcao.core.listcache import ListCache
from balcao.core.text import is_unstorable
from balcao.customers.selectors import find_company, get_contact, list_department_choices
from balcao.notifications.actions import do_set_notification_preferences
from balcao.notifications.selectors import (
    list_notifications,
    notification_payload,
    notification_preferences,
)
from balcao.search.selectors import is_search, ranked_ids
from balcao.sla.selectors import viewer_channels
from balcao.tickets import actions
from balcao.tickets.models import Origin, Ticket
from balcao.tickets.selectors import (
    canned_responses_for,
    get_ticket,
    list_tickets,
    list_version,
    tag_names,
    values_page,
    visible_departments,
)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = api_token(token)
        # HttpRequest declares no such attribute; the views read it (tokens_list).
        setattr(request, "api_token", found)  # noqa: B010
        return found.user if found else None


class StorableJsonParser(Parser):
    """JSON bodies with NUL or lone surrogates are refused (400) before any query: neither
    database can store them."""

    def parse_body(self, request: HttpRequest):
        data = json.loads(request.body)
        if is_unstorable(data):
            raise ValueError("NUL or a lone surrogate in the body")
        return data


class OwnSwagger(Swagger):
    """The docs page from the package's own template and static files (settings adds their
    folders), never its CDN variant: ninja picks the CDN unless "ninja" is an installed app,
    and installing it would import the whole package in every process at start-up."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api}
        return render(request, self.template, context)


api = NinjaAPI(
    title="Balcão API",
    version="1",
    urls_namespace="api",
    auth=BearerToken(),
    docs_url="/docs",
    docs=OwnSwagger(),
    parser=StorableJsonParser(),
)


@api.exception_handler(NotFound)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(ActionRefused)
def refused(request, exc: ActionRefused):
    status = {"forbidden": 403, "unchanged": 409, "taken": 409, "throttled": 429}.get(exc.code, 400)
    return api.create_response(request, {"detail": str(exc.message)}, status=status)


@api.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 400: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    tags=["auth"],
)
def issue_token(request, payload: TokenIn):
    """A bearer token for API_TOKEN_DAYS; ``code`` is the authenticator app's code (or a
    recovery code) for those who use two-factor authentication. Failures are throttled."""
    token = do_issue_api_token(
        email=payload.email, password=payload.password, code=payload.code, request=request
    )
    return {"token": token}


@api.get("/auth/tokens", response=list[TokenListOut], tags=["auth"])
def tokens_list(request):
    """The caller's tokens that still work; ``current`` is the one this request used."""
    return [
        {
            "id": t.id,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "current": t.id == request.api_token.id,
        }
        for t in list_api_tokens(request.auth)
    ]


@api.delete("/auth/tokens/{token_id}", response={204: None, 404: ErrorOut}, tags=["auth"])
def revoke_token(request, token_id: int):
    do_revoke_api_token(request.auth, token_id, client=client_address(request))
    return Status(204, None)


@api.get("/departments", response=list[DepartmentOut], tags=["departments"])
def departments(request):
    viewer = request.auth
    if viewer.is_agent:
        return [
            {
                "slug": d.slug,
                "name": d.localized("name"),
                "description": d.localized("description"),
                "available": True,
            }
            for d in visible_departments(viewer).order_by("position", "name")
        ]
    contact = get_contact(viewer)
    if contact is None:
        return []
    return [
        {
            "slug": c.department.slug,
            "name": c.department.localized("name"),
            "description": c.department.localized("description"),
            "available": c.available,
            "reason": c.reason or None,
        }
        for c in list_department_choices(contact.company)
    ]


@api.get("/channels", response=list[ChannelOut], tags=["channels"])
def channels(request):
    """Real-time channels: in the caller's plan, open now, or when they open (R13, R14)."""
    return [vars(c) for c in viewer_channels(request.auth)]


class TicketFilters(Schema):
    """``q``: full text (subject, messages — notes for staff only —, requester, company, CNPJ,
    number), best match first; the others narrow it, combined."""

    status: str = ""
    department: str = ""
    q: str = Field("", max_length=200)
    priority: str = ""  # one or more, comma-separated
    tag: str = ""
    company: int | None = None
    opened_from: date | None = None
    opened_to: date | None = None

    @field_validator("opened_to")
    @classmethod
    def _not_before_the_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("opened_from")
        if value and start and value < start:
            raise ValueError(_("The end date is before the start date."))
        return value


class TicketPage(Schema):
    """Which page of the list. A page number beyond any list is a 422, never an offset the
    database cannot hold."""

    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int | None = Field(None, ge=1)


class PagedTicketSummaryOut(Schema):
    items: list[TicketSummaryOut]
    count: int


TICKETS_PAGE_SIZE = 50
TICKETS_PAGE_SIZE_MAX = 100


def _ticket_page(viewer, filters: TicketFilters, pages: TicketPage) -> dict[str, Any]:
    """The page's tickets, each shaped only once it is on the page, and the list's size."""
    size = min(pages.page_size or TICKETS_PAGE_SIZE, TICKETS_PAGE_SIZE_MAX)
    offset = (pages.page - 1) * size
    if is_search(filters.q):
        # The page's ids and the total in one ranking of the matches, then the page.
        ids, count = ranked_ids(
            list_tickets(viewer, **{**filters.dict(), "q": ""}),
            filters.q,
            staff=viewer.is_agent,
            offset=offset,
            limit=size,
        )
        found = list_tickets(viewer).select_related(None).filter(pk__in=ids).values(*FACTS)
        rows = {row["pk"]: row for row in found}
        shown = [rows[pk] for pk in ids if pk in rows]
    else:
        shown, count = values_page(viewer, offset, size, FACTS, **filters.dict())
    names = tag_names([row["pk"] for row in shown])
    return {"items": [summary(viewer, row, names[row["pk"]]) for row in shown], "count": count}


@api.get("/tickets", response=PagedTicketSummaryOut, tags=["tickets"])
def tickets(request, filters: Query[TicketFilters], pages: Query[TicketPage]):
    # Kept encoded under the viewer's list token (core.listcache): the same page asked again
    # unchanged is neither counted, read, shaped nor encoded again, its bytes sent as they were.
    kept = ListCache("api-json", request, request.auth, list_version(request.auth))
    content = kept.shown()
    if content is None:
        page = PagedTicketSummaryOut.model_validate(_ticket_page(request.auth, filters, pages))
        content = api.create_response(request, page.model_dump(), status=200).content
        kept.keep(content)
    return HttpResponse(content, content_type=api.get_content_type())


def _department(slug: str):
    department = get_department(slug)
    if department is None:
        raise ActionRefused(_("Unknown department “%(slug)s”.") % {"slug": slug})
    return department


def _open_for_customer(viewer, payload: TicketIn) -> Ticket:
    company = find_company(payload.company) if payload.company is not None else None
    if company is None or not payload.requester_email:
        raise ActionRefused(
            _("Say for which company (id or name) and which contact (requester_email).")
        )
    return actions.do_open_ticket_for_customer(
        actor=viewer,
        company=company,
        requester_email=payload.requester_email,
        department=_department(payload.department),
        subject=payload.subject,
        body=payload.body,
        channel=payload.channel,
        as_note=payload.as_note,
        notify_customer=payload.notify_customer,
        override_reason=payload.override_reason,
        priority=payload.priority,
        reference=payload.reference,
    )


@api.post("/tickets", response={201: TicketOut, 400: ErrorOut, 403: ErrorOut}, tags=["tickets"])
def open_ticket(request, payload: TicketIn):
    """A contact opens a ticket (R6); staff open one for a customer (a phone call, a meeting)."""
    viewer = request.auth
    if viewer.is_agent:
        ticket = _open_for_customer(viewer, payload)
        return Status(201, detail(viewer, get_ticket(viewer, ticket.number)))
    ticket = actions.do_open_ticket(
        actor=viewer,
        department=_department(payload.department),
        subject=payload.subject,
        body=payload.body,
        reference=payload.reference,
        origin=Origin.API,
    )
    return Status(201, detail(viewer, get_ticket(viewer, ticket.number)))


@api.get("/tickets/{number}", response={200: TicketOut, 404: ErrorOut}, tags=["tickets"])
def ticket(request, number: int):
    return detail(request.auth, get_ticket(request.auth, number))


@api.post(
    "/tickets/{number}/messages",
    response={201: TicketOut, 400: ErrorOut, 404: ErrorOut},
    tags=["tickets"],
)
def add_message(request, number: int, payload: MessageIn):
    viewer = request.auth
    if payload.whatsapp_template is not None:
        do_reply_with_template(
            get_ticket(viewer, number), actor=viewer, template_id=payload.whatsapp_template
        )
        return Status(201, detail(viewer, get_ticket(viewer, number)))
    if getattr(viewer, "is_agent", False) and not payload.internal:
        refusal = free_form_refusal(get_ticket(viewer, number))
        if refusal:
            raise ActionRefused(refusal, code="whatsapp_window_closed")
    if payload.canned_response is not None:
        try:
            actions.do_reply_with_canned(
                get_ticket(viewer, number),
                actor=viewer,
                canned_id=payload.canned_response,
                body=payload.body,
                internal=payload.internal,
                channel=Origin.API,
            )
        except NotFound:
            raise ActionRefused(_("Unknown canned reply.")) from None
        return Status(201, detail(viewer, get_ticket(viewer, number)))
    actions.do_add_message(
        get_ticket(viewer, number),
        actor=viewer,
        body=payload.body,
        internal=payload.internal,
        channel=Origin.API,
    )
    return Status(201, detail(viewer, get_ticket(viewer, number)))


@api.post(
    "/tickets/{number}/assign",
    response={200: TicketOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    tags=["tickets"],
)
def assign(request, number: int, payload: AssignIn):
    viewer = request.auth
    ticket = get_ticket(viewer, number)
    assignee = None
    if payload.assignee:
        assignee = find_staff(payload.assignee)
        if assignee is None:
            raise ActionRefused(
                _("%(email)s is not a member of the team.") % {"email": payload.assignee}
            )
    actions.do_assign_ticket(ticket, actor=viewer, assignee=assignee)
    return detail(viewer, get_ticket(viewer, number))


@api.post(
    "/tickets/{number}/status",
    response={200: TicketOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=["tickets"],
)
def change_status(request, number: int, payload: StatusIn):
    viewer = request.auth
    actions.do_change_status(get_ticket(viewer, number), actor=viewer, status=payload.status)
    return detail(viewer, get_ticket(viewer, number))


@api.post(
    "/tickets/{number}/transfer",
    response={200: TicketOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    tags=["tickets"],
)
def transfer(request, number: int, payload: TransferIn):
    viewer = request.auth
    ticket = actions.do_transfer_ticket(
        get_ticket(viewer, number), actor=viewer, department=_department(payload.department)
    )
    return detail(viewer, ticket)  # the new department may be out of the agent's sight


# Notifications (staff): how each kind reaches the caller, and what they were told.


def _require_staff(user) -> None:
    if not user.is_agent:
        raise ActionRefused(_("Only the support team is notified."), code="forbidden")


@api.get(
    "/me/notifications",
    response={200: list[NotificationPreferenceOut], 403: ErrorOut},
    tags=["notifications"],
)
def my_notification_preferences(request):
    _require_staff(request.auth)
    return notification_preferences(request.auth)


@api.patch(
    "/me/notifications",
    response={200: list[NotificationPreferenceOut], 400: ErrorOut, 403: ErrorOut},
    tags=["notifications"],
)
def change_notification_preferences(request, payload: list[NotificationPreferenceIn]):
    """Only the kinds and ways given change; the others stay as they were."""
    _require_staff(request.auth)
    current = {p["kind"]: p for p in notification_preferences(request.auth)}
    choices: dict[str, tuple[bool, bool]] = {}
    for item in payload:
        now = current.get(item.kind, {"email": True, "console": True})
        choices[item.kind] = (
            bool(now["email"]) if item.email is None else item.email,
            bool(now["console"]) if item.console is None else item.console,
        )
    do_set_notification_preferences(request.auth, choices)
    return notification_preferences(request.auth)


@api.get(
    "/notifications", response={200: list[NotificationOut], 403: ErrorOut}, tags=["notifications"]
)
def notifications(request):
    """The caller's latest notifications, newest first."""
    _require_staff(request.auth)
    return [notification_payload(n) for n in list_notifications(request.auth)]


@api.patch(
    "/tickets/{number}",
    response={200: TicketOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    tags=["tickets"],
)
def change_ticket(request, number: int, payload: TicketPatchIn):
    """Priority (staff, and the customer where the department allows) and tags (staff)."""
    viewer = request.auth
    ticket = get_ticket(viewer, number)
    if payload.priority is not None and payload.priority != ticket.priority:
        ticket = actions.do_set_priority(ticket, actor=viewer, priority=payload.priority)
    if payload.tags is not None and sorted(actions.clean_tags(payload.tags)) != sorted(
        t.name for t in ticket.tags.all()
    ):
        actions.do_set_tags(ticket, actor=viewer, tags=payload.tags)
    return detail(viewer, get_ticket(viewer, number))


@api.post(
    "/tickets/{number}/merge",
    response={200: TicketOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=["tickets"],
)
def merge(request, number: int, payload: MergeIn):
    """Merge this ticket (a duplicate) into ticket ``into`` of the same company; the merged
    ticket is returned, pointing to the other in ``merged_into``."""
    viewer = request.auth
    actions.do_merge_ticket(
        get_ticket(viewer, number), actor=viewer, into=get_ticket(viewer, payload.into)
    )
    return detail(viewer, get_ticket(viewer, number))


@api.get("/canned-responses", response=list[CannedResponseOut], tags=["tickets"])
def canned_responses(request):
    """The canned replies the caller may use: the team's and their own (staff only)."""
    return [
        {
            "id": c.pk,
            "title": c.title,
            "body": c.body,
            "department": c.department.slug if c.department else None,
            "shared": c.owner_id is None,
            "set_status": c.set_status,
            "assign_to_me": c.assign_to_me,
            "add_tags": c.tag_names(),
        }
        for c in canned_responses_for(request.auth).select_related("department")
    ]


# Meetings (balcao/meetings): a router of its own, mounted under /meetings.
from balcao.api.meetings import router as meetings_router  # noqa: E402

api.add_router("/meetings", meetings_router)
