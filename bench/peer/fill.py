"""Fill the peer's database with the Balcão bench database's workload, row for row.

    PYTHONPATH=bench/peer /tmp/peer-venv/bin/python bench/peer/fill.py BALCAO_DB

Runs in the peer's virtualenv (DJANGO_SETTINGS_MODULE=peer_settings, database PEER_DATABASE).
Migrates, then copies from the Balcão database BALCAO_DB (made by bench/generate.py, so with its
distribution of statuses, departments, requesters and messages): departments become queues,
users become users (staff where Balcão has a role; all with the password "bench-password"),
tickets keep their id, subject, requester, assignee, dates and status (closed → Closed, customer
reply → Reopened, the rest → Open: the peer has no "answered" or "in progress"), their first
message becomes the description, and every message a public follow-up (the first titled
"Ticket Opened", as the peer's own form files it). Rows stream with COPY from one server to the
other. Does nothing when the peer already has as many tickets.
"""

import os
import sys
import time

import django
import psycopg

TICKETS = """
COPY (
  SELECT t.id, left(t.subject, 200), t.created_at, t.updated_at, t.requester_email,
         CASE t.status WHEN 'closed' THEN 4 WHEN 'customer_reply' THEN 2 ELSE 1 END,
         false,
         (SELECT m.body_text FROM tickets_message m WHERE m.ticket_id = t.id
          ORDER BY m.id LIMIT 1),
         3, t.assignee_id, t.department_id, md5(t.id::text)::uuid::text
  FROM tickets_ticket t ORDER BY t.id
) TO STDOUT
"""
TICKET_COLUMNS = (
    "id, title, created, modified, submitter_email, status, on_hold, description, priority,"
    " assigned_to_id, queue_id, secret_key"
)
FOLLOWUPS = """
COPY (
  SELECT m.id, m.created_at,
         CASE WHEN row_number() OVER (PARTITION BY m.ticket_id ORDER BY m.id) = 1
              THEN 'Ticket Opened' ELSE 'Comment' END,
         m.body_text, NOT m.internal, m.ticket_id,
         coalesce(m.author_id,
                  CASE WHEN m.direction = 'in' THEN t.requester_id ELSE t.assignee_id END)
  FROM tickets_message m JOIN tickets_ticket t ON t.id = m.ticket_id ORDER BY m.id
) TO STDOUT
"""
FOLLOWUP_COLUMNS = "id, date, title, comment, public, ticket_id, user_id"


def main() -> None:
    source_db = sys.argv[1]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_settings")
    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, transaction
    from helpdesk.models import Queue, Ticket, UserSettings

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    source = psycopg.connect(f"dbname={source_db} host=127.0.0.1 user=postgres")
    wanted = source.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0]
    if Ticket.objects.count() >= wanted:
        print(f"already filled: {Ticket.objects.count()} tickets")
        return
    password = make_password("bench-password")
    with transaction.atomic():
        Queue.objects.bulk_create(
            Queue(id=pk, title=name, slug=slug, allow_public_submission=True)
            for pk, slug, name in source.execute(
                "SELECT id, slug, name FROM accounts_department ORDER BY id"
            )
        )
        users = User.objects.bulk_create(
            User(
                id=pk,
                username=email,
                email=email,
                first_name=name[:150],
                password=password,
                is_staff=bool(role) or superuser,
                is_superuser=superuser,
                date_joined=joined,
            )
            for pk, email, name, role, superuser, joined in source.execute(
                "SELECT id, email, name, role, is_superuser, date_joined FROM accounts_user"
                " ORDER BY id"
            )
        )
        UserSettings.objects.bulk_create(UserSettings(user=user) for user in users)
        with connection.cursor() as cursor:
            target = cursor.cursor
            for query, table, columns in (
                (TICKETS, "helpdesk_ticket", TICKET_COLUMNS),
                (FOLLOWUPS, "helpdesk_followup", FOLLOWUP_COLUMNS),
            ):
                with (
                    source.cursor().copy(query) as reader,
                    target.copy(f"COPY {table} ({columns}) FROM STDIN") as writer,
                ):
                    for block in reader:
                        writer.write(block)
            for table in ("helpdesk_queue", "auth_user", "helpdesk_ticket", "helpdesk_followup"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"filled {Ticket.objects.count()} tickets, {len(users)} users in "
        f"{time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
