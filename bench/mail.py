"""E-mail benchmark: messages per second through the funnel, beside the parse-only ceiling,
and the time to parse and strip each message of the test corpus.

    BALCAO_HOME=var/bench-mail .venv/bin/python bench/mail.py [--messages 1000]
    (PostgreSQL: DATABASE_URL=postgres://…/scratch .venv/bin/python bench/mail.py)
    .venv/bin/python bench/mail.py --corpus-only   (no database: the corpus figures alone)
    BALCAO_HOME=var/bench-mail .venv/bin/python bench/mail.py --profile 25   (cProfile's top 25)
    BALCAO_HOME=var/bench-mail .venv/bin/python bench/mail.py --statements   (what one costs)
    BALCAO_HOME=var/bench-mail .venv/bin/python bench/mail.py --batch 25   (as IMAP/LMTP group)

Generates --messages raw e-mails in the shapes of the corpus (plain, alternative with HTML,
Latin-1, quoted replies): 70% open new tickets (from contacts of 20 companies and from unknown
addresses), 30% are replies carrying the token of a ticket opened earlier in the run, and about
one in seven has an attachment (20–200 KB). Each goes through `do_receive_mail` exactly as
`balcao mail deliver` calls it (raw store, parse, thread, ticket action, tasks enqueued on
commit), then the same bytes are parsed again with `parse_message` alone. With --batch N,
N messages at a time go through `do_receive_mails`, as `balcao mail fetch` and the LMTP
server hand over the messages that arrive together (one sync of their bytes, one commit);
statements and CPU are then per message, the batch's divided by its size.

Then every message of tests/mail/corpus is parsed and stripped (`parse_message`) five times;
the best CPU time (time.process_time) of each is one sample, and p50, p99 and max of those
are printed, with the slowest message's name.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from email.message import EmailMessage
from email.utils import make_msgid
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "mail" / "corpus"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")

SUBJECTS = ["Checkout fora do ar", "Boleto de novembro", "Frete não calcula", "Nota fiscal"]
QUOTE = "\n\nEm seg., 24 de nov. de 2026 às 10:00, Suporte <suporte@balcao.localhost> escreveu:\n"


def message(rng: random.Random, sender: str, to: str, subject: str, reply: bool) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Message-ID"] = make_msgid(domain="cliente.example")
    body = "Olá, " + " ".join(
        rng.choice(["pedido", "pagamento", "erro", "módulo"]) for _ in range(60)
    )
    if reply:
        body += QUOTE + "\n".join(f"> linha {n} da conversa anterior" for n in range(30))
    charset = rng.choice(["utf-8", "utf-8", "iso-8859-1"])
    mail.set_content(body, charset=charset)
    if rng.random() < 0.5:
        mail.add_alternative(f"<div><p>{body}</p></div>", subtype="html", charset=charset)
    if rng.random() < 1 / 7:
        data = rng.randbytes(rng.randint(20_000, 200_000))
        mail.add_attachment(data, maintype="application", subtype="pdf", filename="relatório.pdf")
    return mail.as_bytes()


def count(queries: list[str], execute, sql, params, many, context):
    queries.append(sql)
    return execute(sql, params, many, context)


def corpus_times() -> None:
    """Parse-and-strip time per corpus message: p50, p99, max."""
    from balcao.connectors.email.parsing import parse_message

    samples = []
    for path in sorted(CORPUS.glob("*.eml")):
        raw = path.read_bytes()
        best = float("inf")
        for _ in range(5):
            began = time.process_time()
            parse_message(raw, authserv_id="mx.balcao.localhost")
            best = min(best, time.process_time() - began)
        samples.append((best, path.name))
    samples.sort()
    times = [t for t, _ in samples]

    def at(share: float) -> float:
        return times[min(len(times) - 1, int(share * len(times)))] * 1000

    print(
        f"corpus parse+strip ({len(times)} messages): p50 {at(0.5):.2f} ms, "
        f"p99 {at(0.99):.2f} ms, max {times[-1] * 1000:.2f} ms ({samples[-1][1]})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--corpus-only", action="store_true")
    parser.add_argument(
        "--batch", type=int, default=1, help="messages filed together (do_receive_mails)"
    )
    parser.add_argument(
        "--profile", type=int, default=0, help="print the funnel's top N entries (cProfile)"
    )
    parser.add_argument(
        "--statements",
        action="store_true",
        help="print the statements of the last message of each outcome (created, joined…)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    if args.corpus_only:
        corpus_times()
        return
    from django.core.management import call_command
    from django.db import connection

    from balcao.connectors.email.actions import RawMail, do_receive_mail, do_receive_mails
    from balcao.connectors.email.parsing import parse_message
    from balcao.customers.actions import do_load_default_profile
    from balcao.customers.models import Contact
    from balcao.factories import make_company

    call_command("migrate", verbosity=0)
    do_load_default_profile()
    contacts = list(Contact.objects.values_list("user__email", flat=True)[:20])
    if not contacts:
        contacts = [make_company(plan)[1].email for plan in ["essencial", "team"] * 10]
    rng = random.Random(7)
    departments = ["suporte", "financeiro", "atendimento", "manutencao"]
    tickets: list[tuple[int, str, str]] = []
    raws: list[bytes] = []
    profiler = cProfile.Profile() if args.profile else None
    by_action: dict[str, list[float]] = {}
    last: dict[str, list[str]] = {}
    funnel = cpu = 0.0
    queries = begins = 0
    while len(raws) < args.messages:
        batch: list[tuple[bytes, str, str]] = []
        for _ in range(min(args.batch, args.messages - len(raws))):
            if tickets and rng.random() < 0.3:
                number, sender, subject = rng.choice(tickets)
                raw = message(
                    rng, sender, "suporte@balcao.localhost", f"RE: [#{number}] {subject}", True
                )
            else:
                sender = (
                    rng.choice(contacts)
                    if rng.random() < 0.8
                    else f"p{rng.randrange(10**6)}@gmail.com"
                )
                subject = rng.choice(SUBJECTS)
                to = f"{rng.choice(departments)}@balcao.localhost"
                raw = message(rng, sender, to, subject, False)
            batch.append((raw, sender, subject))
        began, began_cpu = time.perf_counter(), time.process_time()
        counted: list[str] = []
        # counted as they run (CaptureQueriesContext stops counting once Django's log of
        # 9,000 queries is full: the mean it gave was 9,000 / messages)
        with connection.execute_wrapper(partial(count, counted)):
            if profiler is not None:
                profiler.enable()
            if args.batch == 1:
                results = [do_receive_mail(RawMail(batch[0][0]))]
            else:
                results = do_receive_mails([RawMail(raw) for raw, _, _ in batch])
            if profiler is not None:
                profiler.disable()
        funnel += time.perf_counter() - began
        cpu += time.process_time() - began_cpu
        queries += len(counted)
        begins += sum(sql.startswith("BEGIN") for sql in counted)
        for result, (raw, sender, subject) in zip(results, batch, strict=True):
            by_action.setdefault(result.action, []).append(len(counted) / len(batch))
            last[result.action] = counted
            if result.action == "created":
                tickets.append((result.ticket, sender, subject))
            raws.append(raw)

    began = time.perf_counter()
    for raw in raws:
        parse_message(raw)
    parse = time.perf_counter() - began

    size = sum(len(r) for r in raws) / len(raws) / 1024
    print(
        f"database: {connection.vendor}; {len(raws)} messages, mean {size:.1f} KiB,"
        f" {args.batch} filed at a time"
    )
    print(f"funnel (store, parse, thread, ticket): {len(raws) / funnel:8.1f} messages/s")
    print(
        f"  per message: {cpu / len(raws) * 1000:.1f} ms of CPU, {queries / len(raws):.1f} queries"
        f" ({(queries - begins) / len(raws):.1f} without SQLite's BEGIN IMMEDIATE: psycopg sends"
        " PostgreSQL's BEGIN unseen by Django's cursor)"
    )
    for action, counts in sorted(by_action.items()):
        print(f"  {action}: {len(counts)}, {sum(counts) / len(counts):.1f} queries each")
    print(f"parse only (stdlib email + quotes):    {len(raws) / parse:8.1f} messages/s")
    if args.statements:
        for action, statements in sorted(last.items()):
            print(f"  the last {action}:")
            for sql in statements:
                print(f"    {' '.join(sql.split())[:110]}")
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
        print(out.getvalue())
    corpus_times()


if __name__ == "__main__":
    main()
