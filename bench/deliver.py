"""`balcao mail deliver` as an MTA's pipe runs it, one process per message: in-process
(Django booted each time) against the thin client (MAIL_LMTP set, to a `balcao mail lmtp`
started here on loopback), interleaved. Prints CPU (user + system of the process) and wall
time per message, p50 and p95, and the LMTP server's CPU per message.

    BALCAO_HOME=var/bench-deliver .venv/bin/python bench/deliver.py [--messages 50]
    (PostgreSQL: DATABASE_URL=postgres://…/scratch .venv/bin/python bench/deliver.py)

Messages are those of bench/mail.py (contacts of 20 companies; one in seven with an
attachment of 20–200 KB).
"""

import argparse
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mail import SUBJECTS, message  # noqa: E402


def _server_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def deliver_processes(count: int, contacts: list[str]) -> None:
    """`balcao mail deliver` in-process against the thin client: CPU and wall per message."""
    balcao = [sys.executable, "-m", "balcao.cli"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [*balcao, "mail", "lmtp", "--port", str(port)],
        cwd=ROOT,  # `-m` runs the working directory's code first: this tree's
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    rng = random.Random(11)
    departments = ["suporte", "financeiro", "atendimento", "manutencao"]
    samples: dict[str, list[tuple[float, float]]] = {"in-process": [], "thin client": []}
    server_cpu = 0.0
    try:
        for n in range(count):
            modes = ["in-process", "thin client"] if n % 2 else ["thin client", "in-process"]
            for mode in modes:
                sender = rng.choice(contacts)
                to = f"{rng.choice(departments)}@balcao.localhost"
                raw = message(rng, sender, to, rng.choice(SUBJECTS), False)
                lmtp = f"127.0.0.1:{port}" if mode == "thin client" else ""
                before = _server_cpu(server.pid)
                began = time.perf_counter()
                child = subprocess.Popen(
                    [*balcao, "mail", "deliver", "--from", sender, "--to", to],
                    cwd=ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    env={**os.environ, "MAIL_LMTP": lmtp},
                )
                assert child.stdin is not None
                child.stdin.write(raw)
                child.stdin.close()
                _, status, usage = os.wait4(child.pid, 0)
                child.returncode = os.waitstatus_to_exitcode(status)
                wall = time.perf_counter() - began
                assert child.returncode == 0, f"{mode}: exit {child.returncode}"
                if lmtp:
                    server_cpu += _server_cpu(server.pid) - before
                samples[mode].append((usage.ru_utime + usage.ru_stime, wall))
    finally:
        server.terminate()
        server.wait(10)

    def at(values: list[float], share: float) -> float:
        return sorted(values)[min(len(values) - 1, int(share * len(values)))] * 1000

    print(f"`balcao mail deliver` as a process, {count} messages each way, interleaved")
    for mode, taken in samples.items():
        cpu, wall = [c for c, _ in taken], [w for _, w in taken]
        print(
            f"  {mode:12} CPU p50 {at(cpu, 0.5):6.0f} ms, p95 {at(cpu, 0.95):6.0f} ms;"
            f" wall p50 {at(wall, 0.5):6.0f} ms, p95 {at(wall, 0.95):6.0f} ms"
        )
    print(f"  LMTP server's CPU per message (thin client): {server_cpu / count * 1000:.0f} ms")
    print(f"  load average: {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from balcao.customers.actions import do_load_default_profile
    from balcao.customers.models import Contact
    from balcao.factories import make_company

    call_command("migrate", verbosity=0)
    do_load_default_profile()
    contacts = list(Contact.objects.values_list("user__email", flat=True)[:20])
    if not contacts:
        contacts = [make_company(plan)[1].email for plan in ["essencial", "team"] * 10]
    deliver_processes(args.messages, contacts)


if __name__ == "__main__":
    main()
