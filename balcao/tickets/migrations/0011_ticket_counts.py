"""Tickets counted per (department, status, linked) by the database itself (issue 17: the
console home counted every ticket, 137–258 ms at 100,000 on PostgreSQL, 0.5–3 s at a million,
after every change on the desk).

Triggers on ``tickets_ticket`` insert a row of +1 or -1 into ``tickets_ticketcount`` for each
ticket inserted, deleted, or changed in department, status or linked-ness, whoever wrote it;
rows are only inserted, so two writers never wait on one counter row. The count of a key is
the SUM of its rows; ``tickets.actions.fold_ticket_counts`` folds them each minute. Seeded
here from the tickets there are, under a lock that keeps writers out until the commit.

PostgreSQL: inserts counted per row (a row-level trigger costs a ticket's INSERT 0.02 ms more,
one counted per statement from its transition table 0.05 ms: tickets are opened one at a
time), the deletes per statement (one INSERT … SELECT … GROUP BY for however many a purge
deletes), the updates per row, only when one of the three changed (the trigger's WHEN,
evaluated without calling the function). A TRUNCATE of the tickets empties the counts. SQLite: per row; a DELETE that leaves no ticket empties the
counts as well (Django's flush deletes the tables in any order).

On SQLite a migration that remakes ``tickets_ticket`` (Django copies it into a new table)
drops these triggers: it must create them again (tests/test_ticket_counts.py checks they are
there after every migration).
"""

from django.db import migrations, models

COLUMNS = "tickets_ticketcount (department_id, status, linked, n)"

POSTGRESQL = [
    "LOCK TABLE tickets_ticket IN SHARE ROW EXCLUSIVE MODE",
    f"""
    CREATE FUNCTION tickets_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {COLUMNS}
        VALUES (NEW.department_id, NEW.status, NEW.company_id IS NOT NULL, 1);
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION tickets_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {COLUMNS}
        SELECT department_id, status, company_id IS NOT NULL, -COUNT(*)
        FROM tickets_deleted GROUP BY 1, 2, 3;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION tickets_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {COLUMNS} VALUES
            (OLD.department_id, OLD.status, OLD.company_id IS NOT NULL, -1),
            (NEW.department_id, NEW.status, NEW.company_id IS NOT NULL, 1);
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION tickets_count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM tickets_ticketcount;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER tickets_count_insert AFTER INSERT ON tickets_ticket"
    " FOR EACH ROW EXECUTE FUNCTION tickets_count_inserted()",
    "CREATE TRIGGER tickets_count_delete AFTER DELETE ON tickets_ticket"
    " REFERENCING OLD TABLE AS tickets_deleted"
    " FOR EACH STATEMENT EXECUTE FUNCTION tickets_count_deleted()",
    "CREATE TRIGGER tickets_count_update"
    " AFTER UPDATE OF department_id, status, company_id ON tickets_ticket FOR EACH ROW"
    " WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id"
    " OR OLD.status IS DISTINCT FROM NEW.status"
    " OR (OLD.company_id IS NULL) <> (NEW.company_id IS NULL))"
    " EXECUTE FUNCTION tickets_count_changed()",
    "CREATE TRIGGER tickets_count_truncate AFTER TRUNCATE ON tickets_ticket"
    " FOR EACH STATEMENT EXECUTE FUNCTION tickets_count_truncated()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER tickets_count_insert ON tickets_ticket",
    "DROP TRIGGER tickets_count_delete ON tickets_ticket",
    "DROP TRIGGER tickets_count_update ON tickets_ticket",
    "DROP TRIGGER tickets_count_truncate ON tickets_ticket",
    "DROP FUNCTION tickets_count_inserted()",
    "DROP FUNCTION tickets_count_deleted()",
    "DROP FUNCTION tickets_count_changed()",
    "DROP FUNCTION tickets_count_truncated()",
]

SQLITE = [
    "CREATE TRIGGER tickets_count_insert AFTER INSERT ON tickets_ticket BEGIN"
    f" INSERT INTO {COLUMNS}"
    " VALUES (NEW.department_id, NEW.status, NEW.company_id IS NOT NULL, 1);"
    " END",
    "CREATE TRIGGER tickets_count_update"
    " AFTER UPDATE OF department_id, status, company_id ON tickets_ticket"
    " WHEN OLD.department_id IS NOT NEW.department_id OR OLD.status IS NOT NEW.status"
    " OR (OLD.company_id IS NULL) <> (NEW.company_id IS NULL)"
    f" BEGIN INSERT INTO {COLUMNS} VALUES"
    " (OLD.department_id, OLD.status, OLD.company_id IS NOT NULL, -1),"
    " (NEW.department_id, NEW.status, NEW.company_id IS NOT NULL, 1);"
    " END",
    "CREATE TRIGGER tickets_count_delete AFTER DELETE ON tickets_ticket BEGIN"
    f" INSERT INTO {COLUMNS}"
    " VALUES (OLD.department_id, OLD.status, OLD.company_id IS NOT NULL, -1);"
    " DELETE FROM tickets_ticketcount WHERE NOT EXISTS (SELECT 1 FROM tickets_ticket);"
    " END",
]
SQLITE_DROP = [
    "DROP TRIGGER tickets_count_insert",
    "DROP TRIGGER tickets_count_update",
    "DROP TRIGGER tickets_count_delete",
]

SEED = (
    f"INSERT INTO {COLUMNS}"
    " SELECT department_id, status, company_id IS NOT NULL, COUNT(*) FROM tickets_ticket"
    " GROUP BY department_id, status, company_id IS NOT NULL"
)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor, []):
        schema_editor.execute(statement)
    schema_editor.execute(SEED)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_departments_token"),
        ("tickets", "0010_attachments_in_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="TicketCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("assigned", "Assigned"),
                            ("answered", "Answered"),
                            ("customer_reply", "Customer-Reply"),
                            ("in_progress", "In Progress"),
                            ("closed", "Closed"),
                        ],
                        max_length=20,
                    ),
                ),
                ("linked", models.BooleanField()),
                ("n", models.IntegerField()),
                (
                    "department",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.department",
                    ),
                ),
            ],
            options={
                "verbose_name": "ticket count",
                "verbose_name_plural": "ticket counts",
                "indexes": [
                    models.Index(
                        fields=["department", "status", "linked", "n"],
                        name="tickets_counted_by_key",
                    )
                ],
            },
        ),
        migrations.RunPython(create, drop),
    ]
