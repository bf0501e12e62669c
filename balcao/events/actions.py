from balcao.events.models import Event, EventKind


def record_event(kind: EventKind, *, actor=None, ticket=None, company=None, **data) -> Event:
    """Write one history record; called by every action inside its transaction."""
    return Event.objects.create(
        kind=kind,
        actor=actor,
        ticket=ticket,
        company=company or getattr(ticket, "company", None),
        data=data,
    )
