"""The live clocks marked breached, counted per department by the database itself (issue 17:
the console home counted every breached clock after each change, 95–135 ms at a million
tickets on PostgreSQL, where 200,000 live clocks were past due).

A clock is *marked* when it is live (running or paused) and breached on some target (its
``*_breached`` flags: set by the breach alert as each due passes, or by a late answer).
Triggers on ``sla_ticketsla`` insert a row of +1 or -1 into ``sla_slacount`` for each clock
that becomes or stops being a marked one, or moves between departments while marked, whoever
wrote it; rows are only inserted, so two writers never wait on one counter row. The count of
a department is the SUM of its rows; ``sla.actions.fold_sla_counts`` folds them each minute.
Seeded here from the clocks there are, under a lock that keeps writers out until the commit.

What is not marked — at risk, or past due before its alert ran — is read from the clocks, along
two partial indexes of the unmarked live clocks by due and by warning instant: a few rows
where the alerts run (``sla.selectors.sla_counts``).

PostgreSQL: per row for inserts and updates (the update's WHEN evaluated without calling the
function: only a change of marked-ness or of a marked clock's department calls it), per
statement for deletes (one INSERT … SELECT … GROUP BY however many a purge deletes); a
TRUNCATE empties the counts. SQLite: per row; a DELETE that leaves no clock empties the counts
(Django's flush deletes the tables in any order). On SQLite a migration that remakes
``sla_ticketsla`` drops these triggers: it must create them again
(console/tests/test_queue_counts.py checks they are there after every migration).
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = "sla_slacount (department_id, n)"
UNMARKED = models.Q(
    ("first_response_breached", False),
    ("next_response_breached", False),
    ("resolution_breached", False),
    ("state__in", ["running", "paused"]),
)


def marked(row: str) -> str:
    return (
        f"({row}.state IN ('running', 'paused') AND ({row}.first_response_breached"
        f" OR {row}.next_response_breached OR {row}.resolution_breached))"
    )


POSTGRESQL = [
    "LOCK TABLE sla_ticketsla IN SHARE ROW EXCLUSIVE MODE",
    f"""
    CREATE FUNCTION sla_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {COLUMNS} VALUES (NEW.department_id, 1);
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION sla_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {COLUMNS}
        SELECT department_id, -COUNT(*) FROM sla_deleted WHERE {marked("sla_deleted")}
        GROUP BY 1;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION sla_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF {marked("OLD")} THEN
            INSERT INTO {COLUMNS} VALUES (OLD.department_id, -1);
        END IF;
        IF {marked("NEW")} THEN
            INSERT INTO {COLUMNS} VALUES (NEW.department_id, 1);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION sla_count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM sla_slacount;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER sla_count_insert AFTER INSERT ON sla_ticketsla FOR EACH ROW"
    f" WHEN {marked('NEW')} EXECUTE FUNCTION sla_count_inserted()",
    "CREATE TRIGGER sla_count_delete AFTER DELETE ON sla_ticketsla"
    " REFERENCING OLD TABLE AS sla_deleted"
    " FOR EACH STATEMENT EXECUTE FUNCTION sla_count_deleted()",
    "CREATE TRIGGER sla_count_update AFTER UPDATE OF department_id, state,"
    " first_response_breached, next_response_breached, resolution_breached ON sla_ticketsla"
    f" FOR EACH ROW WHEN ({marked('OLD')} IS DISTINCT FROM {marked('NEW')}"
    f" OR ({marked('NEW')} AND OLD.department_id IS DISTINCT FROM NEW.department_id))"
    " EXECUTE FUNCTION sla_count_changed()",
    "CREATE TRIGGER sla_count_truncate AFTER TRUNCATE ON sla_ticketsla"
    " FOR EACH STATEMENT EXECUTE FUNCTION sla_count_truncated()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER sla_count_insert ON sla_ticketsla",
    "DROP TRIGGER sla_count_delete ON sla_ticketsla",
    "DROP TRIGGER sla_count_update ON sla_ticketsla",
    "DROP TRIGGER sla_count_truncate ON sla_ticketsla",
    "DROP FUNCTION sla_count_inserted()",
    "DROP FUNCTION sla_count_deleted()",
    "DROP FUNCTION sla_count_changed()",
    "DROP FUNCTION sla_count_truncated()",
]

SQLITE = [
    f"CREATE TRIGGER sla_count_insert AFTER INSERT ON sla_ticketsla WHEN {marked('NEW')}"
    f" BEGIN INSERT INTO {COLUMNS} VALUES (NEW.department_id, 1); END",
    "CREATE TRIGGER sla_count_update AFTER UPDATE OF department_id, state,"
    " first_response_breached, next_response_breached, resolution_breached ON sla_ticketsla"
    f" WHEN {marked('OLD')} IS NOT {marked('NEW')}"
    f" OR ({marked('NEW')} AND OLD.department_id IS NOT NEW.department_id)"
    f" BEGIN INSERT INTO {COLUMNS}"
    f" SELECT OLD.department_id, -1 WHERE {marked('OLD')};"
    f" INSERT INTO {COLUMNS} SELECT NEW.department_id, 1 WHERE {marked('NEW')};"
    " END",
    "CREATE TRIGGER sla_count_delete AFTER DELETE ON sla_ticketsla BEGIN"
    f" INSERT INTO {COLUMNS} SELECT OLD.department_id, -1 WHERE {marked('OLD')};"
    " DELETE FROM sla_slacount WHERE NOT EXISTS (SELECT 1 FROM sla_ticketsla);"
    " END",
]
SQLITE_DROP = [
    "DROP TRIGGER sla_count_insert",
    "DROP TRIGGER sla_count_update",
    "DROP TRIGGER sla_count_delete",
]

SEED = (
    f"INSERT INTO {COLUMNS}"  # noqa: S608 (constants)
    f" SELECT department_id, COUNT(*) FROM sla_ticketsla WHERE {marked('sla_ticketsla')}"
    " GROUP BY department_id"
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
        ("accounts", "0009_user_staff"),
        ("sla", "0005_clock_department"),
        ("tickets", "0012_number_sequence"),
    ]

    operations = [
        migrations.CreateModel(
            name="SlaCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("n", models.IntegerField()),
                (
                    "department",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.department",
                    ),
                ),
            ],
            options={
                "verbose_name": "breached SLA count",
                "verbose_name_plural": "breached SLA counts",
                "indexes": [
                    models.Index(fields=["department", "n"], name="sla_counted_by_department")
                ],
            },
        ),
        migrations.RemoveIndex(model_name="ticketsla", name="sla_live_by_department"),
        migrations.AddIndex(
            model_name="ticketsla",
            index=models.Index(
                condition=UNMARKED, fields=["department", "next_due"], name="sla_unmarked_due"
            ),
        ),
        migrations.AddIndex(
            model_name="ticketsla",
            index=models.Index(
                condition=UNMARKED,
                fields=["department", "at_risk_from"],
                name="sla_unmarked_risk",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
