"""The ticket's department on its SLA clock, kept equal to it by the database, so that the
console's at-risk and breached counts per department read the live clocks alone instead of
joining each to its ticket (issue 17: 381 ms at 100,000 tickets on PostgreSQL, ~1 s at a
million).

Filled from the tickets under a lock that keeps their writers out until the commit; then
triggers keep it: a ticket's change of department moves its clock, and a clock inserted or
written with another department than its ticket's gets the ticket's (PostgreSQL: before the
row is written; SQLite: corrected just after). On SQLite a migration that remakes
``tickets_ticket`` or ``sla_ticketsla`` drops these triggers and must create them again.
"""

from django.db import migrations, models

TICKETS_DEPARTMENT = "(SELECT department_id FROM tickets_ticket WHERE id = {row}.ticket_id)"

FILL = (
    "UPDATE sla_ticketsla SET department_id = "
    + TICKETS_DEPARTMENT.format(row="sla_ticketsla")
)

POSTGRESQL = [
    """
    CREATE FUNCTION sla_clock_follows_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE sla_ticketsla SET department_id = NEW.department_id WHERE ticket_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION sla_clock_department() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.department_id := (SELECT department_id FROM tickets_ticket WHERE id = NEW.ticket_id);
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER sla_clock_follows_ticket AFTER UPDATE OF department_id ON tickets_ticket"
    " FOR EACH ROW WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id)"
    " EXECUTE FUNCTION sla_clock_follows_ticket()",
    "CREATE TRIGGER sla_clock_insert BEFORE INSERT ON sla_ticketsla"
    " FOR EACH ROW EXECUTE FUNCTION sla_clock_department()",
    "CREATE TRIGGER sla_clock_update BEFORE UPDATE OF department_id ON sla_ticketsla"
    " FOR EACH ROW WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id)"
    " EXECUTE FUNCTION sla_clock_department()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER sla_clock_follows_ticket ON tickets_ticket",
    "DROP TRIGGER sla_clock_insert ON sla_ticketsla",
    "DROP TRIGGER sla_clock_update ON sla_ticketsla",
    "DROP FUNCTION sla_clock_follows_ticket()",
    "DROP FUNCTION sla_clock_department()",
]

_CORRECT = (
    " WHEN NEW.department_id IS NOT {department}"
    " BEGIN UPDATE sla_ticketsla SET department_id = {department}"
    " WHERE ticket_id = NEW.ticket_id; END"
).format(department=TICKETS_DEPARTMENT.format(row="NEW"))
SQLITE = [
    "CREATE TRIGGER sla_clock_follows_ticket AFTER UPDATE OF department_id ON tickets_ticket"
    " WHEN OLD.department_id IS NOT NEW.department_id"
    " BEGIN UPDATE sla_ticketsla SET department_id = NEW.department_id"
    " WHERE ticket_id = NEW.id; END",
    "CREATE TRIGGER sla_clock_insert AFTER INSERT ON sla_ticketsla" + _CORRECT,
    "CREATE TRIGGER sla_clock_update AFTER UPDATE OF department_id ON sla_ticketsla" + _CORRECT,
]
SQLITE_DROP = [
    "DROP TRIGGER sla_clock_follows_ticket",
    "DROP TRIGGER sla_clock_insert",
    "DROP TRIGGER sla_clock_update",
]


def lock(apps, schema_editor):
    """PostgreSQL: no ticket moves between the fill and the triggers (held to the commit);
    taken first, before the clocks' table, in the order the actions take them."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("LOCK TABLE tickets_ticket IN SHARE ROW EXCLUSIVE MODE")


def fill(apps, schema_editor):
    schema_editor.execute(FILL)
    if schema_editor.connection.vendor == "postgresql":
        # the foreign key's checks of the rows filled, now: ALTER TABLE (NOT NULL, next)
        # refuses a table with checks pending
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor, []):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_departments_token"),
        ("sla", "0004_policies_token"),
        ("tickets", "0011_ticket_counts"),
    ]

    operations = [
        migrations.RunPython(lock, migrations.RunPython.noop),
        migrations.AddField(
            model_name="ticketsla",
            name="department",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to="accounts.department",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="ticketsla",
            name="department",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to="accounts.department",
            ),
        ),
        migrations.AddIndex(
            model_name="ticketsla",
            index=models.Index(
                fields=[
                    "department",
                    "state",
                    "next_due",
                    "at_risk_from",
                    "first_response_breached",
                    "next_response_breached",
                    "resolution_breached",
                ],
                name="sla_live_by_department",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
