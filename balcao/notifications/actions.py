"""Agents told of what needs them: who is told of each ticket event, the rows of the console's
list, and the preferences and follows behind them.

The ticket actions call ``notify_later(event)`` for the events worth telling; once committed,
``tell`` works out who, per each one's preferences, and tells them in the console (a row,
pushed live) and by e-mail (a task; threaded per ticket, with its link)."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.models import Department, User
from balcao.core.enqueue import enqueue_all
from balcao.core.errors import ActionRefused
from balcao.core.prepared import prepared_instances
from balcao.events.models import Event, EventKind
from balcao.notifications import tasks
from balcao.notifications.delivery import push_notifications
from balcao.notifications.models import Follower, Kind, Notification, NotificationPreference
from balcao.tickets.models import Ticket


def notify_later(event: Event) -> Event:
    """Tell the people concerned by ``event`` once the transaction commits: by one task, with
    the action's other tasks, where a worker's push reaches the open pages (NOTIFY_BY_TASK:
    the queue and the channel layer on Redis; issue 17: ~5 ms of a new ticket's request),
    else in the process that acted. The event's id is read on commit: events recorded
    together have theirs only at the end of their block."""
    if settings.NOTIFY_BY_TASK:
        transaction.on_commit(lambda: enqueue_all([(tasks.tell_task, (event.pk,))]), robust=True)
    else:
        transaction.on_commit(lambda: tell(event), robust=True)
    return event


def tell(event: Event) -> None:
    """After commit: the console rows, pushed at once to the open pages; the e-mails leave by
    task. In the process that acted (the embedded default's in-memory channel layer reaches
    only its pages), the event is the one the action wrote, with its ticket as the action left
    it: nothing is read again; in the worker (``tell_task``), the event as committed."""
    if event.ticket_id is None:
        return
    _kind, rows, by_email = do_notify(event)
    push_notifications(rows)
    # one INSERT for everyone told by e-mail (database task backend)
    enqueue_all([(tasks.email_notification_task, (event.pk, user.pk)) for user in by_email])


# Who is told, as (a shape, a builder, its values): the builder given the values (or markers
# standing for them) gives the people; a shape where the SQL depends on it alone, or None.
_Who = tuple[tuple[str, ...] | None, Callable[..., QuerySet[User]], tuple[Any, ...]]


def _staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True).exclude(role="")


def _department_staff(department: Department | None) -> _Who:
    if department is None:
        return None, lambda: _staff().none(), ()
    if department.restricted:
        return (
            ("restricted",),
            lambda: _staff().filter(role__in=[User.Role.DIRECTOR, User.Role.ADMINISTRATOR]),
            (),
        )
    return ("department",), lambda pk: _staff().filter(departments=pk), (department.pk,)


def department_directors(department: Department) -> QuerySet[User]:
    """The department's lead: departments have no lead of their own, so its directors (a
    director who works in it); where none does, every director and administrator, so that a
    low score is never told to nobody."""
    directors = User.objects.filter(is_active=True, role=User.Role.DIRECTOR)
    own = directors.filter(departments=department)
    if own.exists():
        return own
    return User.objects.filter(
        is_active=True, role__in=[User.Role.DIRECTOR, User.Role.ADMINISTRATOR]
    )


def concerned(event: Event) -> tuple[str, list[User]]:
    """(the kind, who is told of it): never the person who did it."""
    kind, (_shape, build, values) = _concerned(event)
    return kind, list(build(*values))


def _concerned(event: Event) -> tuple[str, _Who]:
    ticket, data = event.ticket, event.data or {}
    nobody: _Who = (None, lambda: User.objects.none(), ())
    if ticket is None:  # every kind told of is a ticket's
        return "", nobody
    kind, who = "", nobody
    if event.kind == EventKind.TICKET_OPENED:
        kind, who = Kind.NEW_TICKET, _department_staff(ticket.department)
    elif event.kind == EventKind.MESSAGE_ADDED and data.get("direction") == "in":
        kind = Kind.CUSTOMER_REPLY
        if ticket.assignee_id is None:
            who = (
                ("followers",),
                lambda pk: _staff().filter(followed_tickets__ticket=pk),
                (ticket.pk,),
            )
        else:
            who = (
                ("assignee and followers",),
                lambda pk, assignee: _staff().filter(
                    Q(pk=assignee) | Q(followed_tickets__ticket=pk)
                ),
                (ticket.pk, ticket.assignee_id),
            )
    elif event.kind == EventKind.ASSIGNED and data.get("new"):
        kind = Kind.ASSIGNED
        who = (("assigned",), lambda pk: _staff().filter(pk=pk), (data["new"]["id"],))
    elif event.kind == EventKind.TRANSFERRED:
        kind = Kind.TRANSFERRED
        who = _department_staff(Department.objects.filter(slug=data.get("new")).first())
    elif event.kind == EventKind.SLA_WARNING:
        kind = Kind.SLA_WARNING
        if ticket.assignee is not None and ticket.assignee.is_active:
            who = (("assignee",), lambda pk: User.objects.filter(pk=pk), (ticket.assignee.pk,))
        else:
            who = _department_staff(ticket.department)
    elif event.kind == EventKind.SATISFACTION_RATED:
        directors = department_directors(ticket.department)
        kind, who = Kind.LOW_SATISFACTION, (None, lambda: directors, ())
    shape, build, values = who
    if event.actor_id:
        shape = (*shape, "but the actor") if shape is not None else None
        build = _but(build, len(values))
        values = (*values, event.actor_id)
    return kind, (shape, _ordered(build), values)


def _but(build: Callable[..., QuerySet[User]], count: int) -> Callable[..., QuerySet[User]]:
    """``build`` taking one more value: the person left out (who did it)."""
    return lambda *values: build(*values[:count]).exclude(pk=values[count])


def _ordered(build: Callable[..., QuerySet[User]]) -> Callable[..., QuerySet[User]]:
    return lambda *values: build(*values).distinct().order_by("pk")


def _told(people: QuerySet[User], kind: str, event: int) -> QuerySet[User]:
    """``people``, each with their preference for ``kind`` (without one: both ways) and
    whether they were told of ``event`` already."""
    preference = NotificationPreference.objects.filter(user=OuterRef("pk"), kind=kind)
    return people.annotate(
        wants_email=Coalesce(Subquery(preference.values("by_email")), Value(True)),
        wants_console=Coalesce(Subquery(preference.values("in_console")), Value(True)),
        told_already=Exists(Notification.objects.filter(event=event, recipient=OuterRef("pk"))),
    )


def do_notify(event: Event) -> tuple[str, list[Notification], list[User]]:
    """The kind, the console rows for ``event`` (once per person, however often this runs)
    and who wants it by e-mail. Who, with each one's preference for the kind (without one:
    both ways) and whether anyone was told already, in one query, its SQL built once per
    process for each shape (issue 17: the ORM building it cost more than running it); then
    the rows in one INSERT (issue 17: was four statements, one transaction)."""
    kind, (shape, build, values) = _concerned(event)
    count = len(values)
    told: list[Any]  # people annotated: wants_email, wants_console, told_already
    if shape is None:
        told = list(_told(build(*values), kind, event.pk))
    else:
        told = prepared_instances(
            ("notify", *shape),
            lambda *marks: _told(build(*marks[:count]), marks[count], marks[count + 1]),
            *values,
            str(kind),
            event.pk,
        )
    if not told or any(user.told_already for user in told):
        return kind, [], []  # nobody concerned, or told already: a run twice tells nobody twice
    rows = [
        Notification(recipient=user, kind=kind, ticket=event.ticket, event=event)
        for user in told
        if user.wants_console
    ]
    Notification.objects.bulk_create(rows)
    return kind, rows, [user for user in told if user.wants_email]


@transaction.atomic
def do_mark_notifications_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the agent's notifications read: these, or all."""
    unread = Notification.objects.filter(recipient=user, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def do_set_notification_preferences(user: User, choices: Mapping[str, tuple[bool, bool]]) -> None:
    """``choices``: per kind, (by e-mail, in the console)."""
    if not user.is_agent:
        raise ActionRefused(_("Only the support team is notified."), code="forbidden")
    for kind, (by_email, in_console) in choices.items():
        if kind not in Kind.values:
            raise ActionRefused(_("Unknown kind “%(kind)s”.") % {"kind": kind}, code="invalid")
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"by_email": by_email, "in_console": in_console}
        )


@transaction.atomic
def do_follow_ticket(ticket: Ticket, *, actor: User, follow: bool = True) -> bool:
    """Staff follow a ticket (told of the customer's replies) or stop; whether they follow."""
    if not actor.is_agent:
        raise ActionRefused(_("Only the support team can follow tickets."), code="forbidden")
    if follow:
        Follower.objects.get_or_create(ticket=ticket, user=actor)
    else:
        Follower.objects.filter(ticket=ticket, user=actor).delete()
    return follow
