"""Generate a large helpdesk: 2,000 companies, 100,000 tickets, ~4 messages each, two years.

    BALCAO_HOME=var/bench .venv/bin/python bench/generate.py            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1/balcao_bench .venv/bin/python bench/generate.py

Loads the default profile and the demo (for logins) first; prints the time it took.
"""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")

SUBJECTS = [
    "Erro ao finalizar compra no checkout",
    "Segunda via do boleto",
    "Nota fiscal não recebida",
    "Integração com ERP parou",
    "Dúvida sobre o contrato",
    "Orçamento de novo módulo",
    "Frete não calcula para o Nordeste",
    "Pix não confirma o pagamento",
    "Lentidão na loja",
    "Certificado SSL expirando",
    "Cupom de desconto não aplica",
    "Imagens dos produtos sumiram",
    "Alterar plano para TEAM",
    "Relatório de vendas divergente",
    "Cadastro de variações de produto",
]
PHRASES = [
    "Bom dia, equipe.",
    "Desde ontem os clientes relatam o problema.",
    "Segue o print em anexo.",
    "Poderiam verificar com urgência?",
    "Já limpamos o cache e o erro continua.",
    "O pedido 48213 ficou parado no status aguardando pagamento.",
    "Obrigado pelo retorno.",
    "Precisamos disso resolvido antes da Black Friday.",
    "Qual o prazo previsto?",
    "Conferimos as configurações do gateway e estão corretas.",
    "Att., equipe de e-commerce.",
]
STATUSES = ["open", "assigned", "answered", "customer_reply", "in_progress", "closed"]
WEIGHTS = [5, 5, 10, 5, 5, 70]


def text(rng: random.Random) -> str:
    return " ".join(rng.choice(PHRASES) for _ in range(rng.randint(2, 6)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=2000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=4, help="average per ticket")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from balcao.accounts.models import Department, User
    from balcao.console.demo import load_demo
    from balcao.customers.models import Company, Contact, Plan
    from balcao.events.models import Event
    from balcao.tickets.models import Message, Ticket

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_demo()
    if Ticket.objects.count() >= args.tickets:
        print(
            f"already generated: {Ticket.objects.count()} tickets, "
            f"{start_clocks()} SLA clocks started"
        )
        analyze(connection)
        return
    rng = random.Random(2026)
    plans = list(Plan.objects.all())
    departments = list(Department.objects.filter(restricted=False))
    agents = list(User.objects.exclude(role=""))
    now = timezone.now()
    message_rows = Rows(
        connection,
        Message,
        ("ticket_id", "direction", "channel", "author_email", "body_text", "created_at"),
    )
    event_rows = Rows(connection, Event, ("kind", "ticket_id", "company_id", "created_at", "data"))
    opened_data = {"origin": "portal"}
    with transaction.atomic():
        companies = Company.objects.bulk_create(
            Company(name=f"Loja {i:04d} Comércio Eletrônico Ltda", plan=rng.choice(plans))
            for i in range(args.companies)
        )
        users = User.objects.bulk_create(
            User(email=f"contato{i}@loja{i:04d}.com.br", name=f"Contato {i}", password="!")
            for i in range(args.companies)
        )
        Contact.objects.bulk_create(
            Contact(company=c, user=u, is_primary=True)
            for c, u in zip(companies, users, strict=True)
        )
        first = last_number(connection) + 1
        batch = 5000
        for offset in range(0, args.tickets, batch):
            tickets, size = [], min(batch, args.tickets - offset)
            for i in range(size):
                k = rng.randrange(args.companies)
                opened = now - timedelta(seconds=rng.randint(0, 2 * 365 * 86400))
                status = rng.choices(STATUSES, WEIGHTS)[0]
                tickets.append(
                    Ticket(
                        number=first + offset + i,
                        subject=rng.choice(SUBJECTS),
                        department=rng.choice(departments),
                        company=companies[k],
                        requester=users[k],
                        requester_email=users[k].email,
                        status=status,
                        assignee=rng.choice(agents) if status != "open" else None,
                        origin="portal",
                        created_at=opened,
                        # never after now: a ticket changed "later" than any change would keep
                        # its company's list token from moving when the bench changes a ticket
                        updated_at=min(opened + timedelta(hours=rng.randint(1, 200)), now),
                    )
                )
            tickets = Ticket.objects.bulk_create(tickets)
            messages, events = [], []
            for ticket in tickets:
                for j in range(max(1, int(rng.gauss(args.messages, 1.5)))):
                    inbound = j % 2 == 0
                    messages.append(
                        (
                            ticket.pk,
                            "in" if inbound else "out",
                            "portal",
                            ticket.requester_email if inbound else "agente@balcao.localhost",
                            text(rng),
                            min(ticket.created_at + timedelta(hours=j * 3), now),
                        )
                    )
                events.append(
                    ("ticket_opened", ticket.pk, ticket.company_id, ticket.created_at, opened_data)
                )
                if ticket.status != "open":
                    events.append(
                        (
                            "status_changed",
                            ticket.pk,
                            ticket.company_id,
                            ticket.updated_at,
                            {"old": "open", "new": ticket.status},
                        )
                    )
            message_rows.write(messages)
            event_rows.write(events)
            print(f"  {offset + size} tickets", flush=True)
        last_number(connection, first + args.tickets - 1)
    clocks = start_clocks()
    analyze(connection)
    print(
        f"generated {args.tickets} tickets for {args.companies} companies "
        f"({clocks} SLA clocks) in {time.perf_counter() - started:.0f} s"
    )


class Rows:
    """Rows of one table written without a model instance each: tuples of the fields named in
    ``given``, the model's defaults (prepared once) in its other columns; PostgreSQL's COPY,
    elsewhere one INSERT run over every row. At a million tickets a model instance per message
    and event, and bulk_create's SQL, were most of the generator's CPU."""

    def __init__(self, connection, model, given: tuple[str, ...]) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        self.connection = connection
        self.given = [fields[name] for name in given]
        rest = [f for name, f in fields.items() if name not in given]
        template = model()
        self.defaults = tuple(
            f.get_db_prep_save(getattr(template, f.attname), connection) for f in rest
        )
        self.postgresql = connection.vendor == "postgresql"
        # psycopg adapts the others as they are; elsewhere every value goes through its field
        self.prepared = [
            i
            for i, f in enumerate(self.given)
            if not self.postgresql or f.get_internal_type() == "JSONField"
        ]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in [*self.given, *rest])
        table = quote(model._meta.db_table)
        if self.postgresql:
            self.sql = f"COPY {table} ({columns}) FROM STDIN"
        else:
            marks = ", ".join(["%s"] * (len(self.given) + len(rest)))
            self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"

    def write(self, rows: list[tuple]) -> None:
        prepared = [self.prepare(row) for row in rows]
        with self.connection.cursor() as cursor:
            if self.postgresql:
                with cursor.cursor.copy(self.sql) as copy:
                    for row in prepared:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, prepared)

    def prepare(self, row: tuple) -> tuple:
        if self.prepared:
            row = list(row)
            for i in self.prepared:
                row[i] = self.given[i].get_db_prep_save(row[i], self.connection)
        return (*row, *self.defaults)


def last_number(connection, new: int | None = None) -> int:
    """The last ticket number given (and, with ``new``, set to it): PostgreSQL's sequence or
    SQLite's counter row (tickets/actions/opening.py)."""
    from balcao.core.models import Counter
    from balcao.tickets.models import NUMBER_SEQUENCE

    if connection.vendor != "postgresql":
        counter = Counter.objects.get(name="ticket")
        if new is not None:
            counter.value = new
            counter.save()
        return counter.value
    with connection.cursor() as cursor:
        if new is not None:
            cursor.execute("SELECT setval(%s, %s)", [NUMBER_SEQUENCE, new])
        cursor.execute(f"SELECT last_value FROM {NUMBER_SEQUENCE}")
        return cursor.fetchone()[0]


def analyze(connection) -> None:
    """Planner statistics and visibility maps, as autovacuum (or `VACUUM ANALYZE` after an
    import) would have them — where autovacuum is off (as on some machines here), a table
    bulk-written is read through its pages until vacuumed; the tickets' and the breached
    clocks' counts folded first, as the worker does each minute (the triggers wrote a row per
    ticket and per clock marked: the console home would sum them all until then)."""
    from balcao.sla.actions import fold_sla_counts
    from balcao.tickets.actions import fold_ticket_counts

    fold_ticket_counts()
    fold_sla_counts()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def start_clocks() -> int:
    """SLA clocks of the linked tickets not closed, as if started at their opening: running,
    or paused while Answered. Bulk-created (no alert tasks: the bench measures reads), marked
    breached as a running desk's would be: where the first response's due has passed, by its
    breach alert; where the answer came after it, by the answer."""
    from django.utils import timezone

    from balcao.sla.calendar import add_business
    from balcao.sla.models import ClockState, TicketSla
    from balcao.sla.selectors import calendar_value, policy_for
    from balcao.tickets.models import Status, Ticket

    cal = calendar_value(None)
    now = timezone.now()
    policies = {}
    clocks = []
    tickets = (
        Ticket.objects.filter(company__isnull=False, sla__isnull=True)
        .exclude(status=Status.CLOSED)
        .select_related("company__plan", "department")
    )
    for ticket in tickets.iterator(chunk_size=2000):
        company = ticket.company
        key = (
            company.plan_id,
            ticket.department_id,
            company.contract_first_response_minutes,
            company.contract_next_response_minutes,
            company.contract_resolution_minutes,
        )
        if key not in policies:
            policies[key] = policy_for(company, ticket.department)
        policy = policies[key]
        first_due = add_business(
            cal, ticket.created_at, timedelta(minutes=policy.first_response_minutes)
        )
        warn = add_business(
            cal, ticket.created_at, timedelta(minutes=policy.first_response_minutes * 0.8)
        )
        paused = ticket.status == Status.ANSWERED
        clocks.append(
            TicketSla(
                ticket=ticket,
                department_id=ticket.department_id,
                calendar=policy.calendar,
                first_response_minutes=policy.first_response_minutes,
                next_response_minutes=policy.next_response_minutes,
                resolution_minutes=policy.resolution_minutes,
                state=ClockState.PAUSED if paused else ClockState.RUNNING,
                started_at=ticket.created_at,
                running_since=None if paused else ticket.created_at,
                first_response_due=first_due,
                first_response_warn=warn,
                first_response_at=ticket.updated_at if paused else None,
                first_response_breached=(ticket.updated_at if paused else now) > first_due,
                next_due=None if paused else first_due,
                at_risk_from=None if paused else warn,
            )
        )
    TicketSla.objects.bulk_create(clocks, batch_size=2000)
    return len(clocks)


if __name__ == "__main__":
    main()
