"""The tickets' counts the database keeps (``TicketCount``, written by its triggers), folded
each minute by the worker (``tickets.tasks.fold_ticket_counts_task``, core.counts)."""

from balcao.core.counts import fold_counts


def fold_ticket_counts() -> tuple[int, int]:
    """Fold the counts' rows, a row per (department, status, linked) again. Returns (rows
    folded, rows they became); a quiet desk's fold writes nothing."""
    return fold_counts("tickets_ticketcount", ("department_id", "status", "linked"))
