"""The frame's cost, in-process: CPU per request (this thread's, best of 5 rounds) and queries of console
and client-area pages with Django's test client, and their HTML saved per viewer and language
(CSRF tokens masked) so that two trees' pages can be compared byte for byte.

    PYTHONPATH=TREE BALCAO_HOME=var/bench .venv/bin/python bench/frame.py [--requests 100]
        [--html DIR] [--profile NAME]
"""

import argparse
import os
import re
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--html", help="save each viewer's pages, in both languages, here")
    parser.add_argument("--profile", help="profile this page (a name from the table)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from balcao.accounts.models import User
    from balcao.tickets.models import Ticket
    from balcao.tickets.selectors import visible_tickets

    settings.ALLOWED_HOSTS = ["*"]
    ticket = Ticket.objects.filter(company__isnull=False).order_by("-messages__id").first()
    contact = ticket.requester
    viewers = {
        "administrator": User.objects.get(email="admin@balcao.localhost"),
        "agent": User.objects.filter(role=User.Role.AGENT).order_by("id").first(),
        "contact": contact,
    }
    staff_ticket = visible_tickets(viewers["agent"]).order_by("-id").first()
    console = [reverse(n) for n in ("webchat:queue", "lgpd:requests", "reports:index")]
    console += [
        "/console/",
        "/console/chamados/",
        f"/console/chamados/{staff_ticket.number}/",
        "/console/chamados/?assignee=me&status=open",
        "/console/chamados/?unlinked=on",
        "/console/notificacoes/",
        "/console/agenda/",
        "/console/respostas-prontas/",
    ]
    portal = [reverse("portal:open_ticket"), reverse("webchat:start"), reverse("kb:list")]
    portal += [
        "/cliente/",
        "/cliente/chamados/",
        f"/cliente/chamados/{ticket.number}/",
        "/cliente/contatos/",
        "/cliente/meu-plano/",
        "/cliente/ajuda/",
    ]
    timed = {
        "console list": ("administrator", "/console/chamados/"),
        "console ticket": ("agent", f"/console/chamados/{staff_ticket.number}/"),
        "client-area list": ("contact", "/cliente/chamados/"),
        "client-area ticket": ("contact", f"/cliente/chamados/{ticket.number}/"),
    }

    def client(viewer: str, language: str = "pt-br") -> Client:
        c = Client()
        c.force_login(viewers[viewer])
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return c

    if args.html:
        out = Path(args.html)
        out.mkdir(parents=True, exist_ok=True)
        for viewer in viewers:
            for language in ("pt-br", "en"):
                c = client(viewer, language)
                for path in portal if viewer == "contact" else console:
                    response = c.get(path)
                    html = re.sub(r"[A-Za-z0-9]{64}", "CSRF", response.content.decode())
                    html = re.sub(r":[\w-]{6}:[\w-]{43}", ":SIGNED", html)  # timed links
                    html = re.sub(r'nonce="[^"]+"', "nonce", html)
                    name = re.sub(r"\W+", "_", path).strip("_")
                    (out / f"{viewer}-{language}-{name}.html").write_text(
                        f"{response.status_code}\n{html}"
                    )
    print(f"{'page':20} {'cpu ms':>7} {'queries':>8}")
    for name, (viewer, path) in timed.items():
        c = client(viewer)
        c.get(path)
        best = float("inf")
        for _round in range(5):
            cpu = time.thread_time()
            for _ in range(args.requests):
                c.get(path)
            best = min(best, (time.thread_time() - cpu) * 1000 / args.requests)
        with CaptureQueriesContext(connection) as queries:
            c.get(path)
        print(f"{name:20} {best:7.2f} {len(queries):8d}")
    if args.profile:
        from bench.floor import profile_requests

        viewer, path = timed[args.profile]
        profile_requests(client(viewer), path, args.requests, top=(20, 45))


if __name__ == "__main__":
    main()
