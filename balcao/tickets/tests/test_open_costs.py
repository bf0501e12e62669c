"""What opening a ticket costs in the client area (issue 17), pinned: the POST of the form,
everything after commit included, as the server runs it (its tasks sent in one batch)."""

import pytest
from django_tasks_db.models import DBTaskResult

from balcao.core.enqueue import batch
from balcao.factories import PASSWORD, SESSION, StaffFactory, make_company
from balcao.notifications.models import Notification
from balcao.tickets.models import Ticket

pytestmark = pytest.mark.django_db

FORM = {"department": "suporte", "subject": "Pix não confirma", "body": "Desde ontem."}


def test_the_client_area_post_costs_a_pinned_number_of_queries(
    client, profile, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _company, primary = make_company("team")
    agent = StaffFactory(departments=["suporte"])
    assert client.login(username=primary.email, password=PASSWORD)
    client.post("/cliente/abrir-ticket/", FORM)  # warm-up: the ticket counter exists
    # The session (SESSION), user with contact, company and plan, the department posted (was: every
    # department, and the company's add-ons for the one that needs one) — the contact and its
    # company are handed to the action, not read again. The transaction (2): counter with
    # the SLA policies' version token in one statement, ticket, clock, message, search
    # document (its FTS5 row on SQLite by trigger), the opened and SLA-started events in one INSERT
    # (was: two), the departments' list version (was: after commit, a commit of its own).
    # After commit: who is told with their preferences and whether told already (was: three
    # queries in a transaction), the console row (its unread count is the open page's
    # consumer's to read, was: here), and the acknowledgement, the SLA alerts and the
    # agent's e-mail in one INSERT. Was 23 (+ 1 on SQLite).
    with (
        django_assert_num_queries(SESSION + 14),
        batch(),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post("/cliente/abrir-ticket/", FORM)
    assert response.status_code == 302
    ticket = Ticket.objects.latest("pk")
    assert response["Location"].endswith(f"/{ticket.number}/")
    paths = DBTaskResult.objects.filter(args_kwargs__args__0=ticket.pk).values_list(
        "task_path", flat=True
    )
    assert sorted(paths) == [
        "balcao.sla.tasks.sla_alerts_task",  # its four alerts in one (was: one task each)
        "balcao.tickets.tasks.acknowledge_ticket_task",
    ]
    assert Notification.objects.get(ticket=ticket).recipient == agent
