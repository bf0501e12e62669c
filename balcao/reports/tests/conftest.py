"""A small helpdesk built by hand through the actions, whose every figure is worked out below.

Calendar: Monday–Friday 09:00–17:00 Brasília; Friday 2026-05-01 is a holiday (Labour Day).
The period is 2026-04-30 (Thursday) to 2026-05-06 (Wednesday); "now" is Wednesday 12:00.

    T0 suporte  TEAM       opened 04-01 (before the period), never touched: open
    T1 suporte  TEAM  Ana  opened Thu 04-30 16:00, answered Mon 05-04 10:00, closed 11:00
                           first response 2 h (Thu 16–17, Mon 09–10: holiday and weekend out)
                           resolution 2 h (paused once answered)
    T2 suporte  TEAM  Ana  opened Mon 05-04 09:00, answered 09:30, closed 10:00, the customer
                           writes Tue 09:00 (reopened), answered 10:00, closed 11:00
                           first response 30 min, resolution 30 min + 1 h = 1 h 30
    T3 financeiro Essencial opened Mon 05-04 10:00, never answered: its 16 business hours
                           were due Wed 10:00, so a breach by now
    T4 atendimento unlinked, by e-mail, Tue 05-05 22:30 Brasília (Wednesday in UTC): open
    T5 suporte  TEAM  Ana  opened Tue 05-05 09:00, answered 14:00: 5 h, over its 4 h target

The customer rated T1 5 and T2 2 ("Como foi o atendimento?"), both handled by Ana.
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from balcao.accounts.models import User
from balcao.factories import StaffFactory, make_company, open_ticket, receive
from balcao.satisfaction.actions import do_rate_ticket
from balcao.tickets import actions
from balcao.tickets.inbound import Sender
from balcao.tickets.models import Ticket

SP = ZoneInfo("America/Sao_Paulo")
START, END = date(2026, 4, 30), date(2026, 5, 6)
PERIOD = {"start": "2026-04-30", "end": "2026-05-06"}


def sp(*args: int) -> datetime:
    return datetime(*args, tzinfo=SP)


@dataclass
class Helpdesk:
    ana: User
    bruno: User
    admin: User
    director: User
    tickets: dict[str, Ticket]


@pytest.fixture
def helpdesk(profile, time_machine) -> Helpdesk:
    ana = StaffFactory(departments=["suporte"], name="Ana Suporte")
    bruno = StaffFactory(departments=["financeiro"], name="Bruno Financeiro")
    director = StaffFactory(departments=["ouvidoria"], role=User.Role.DIRECTOR, name="Carla")
    admin = User.objects.create_superuser("admin@balcao.localhost", "pw-admin-123", name="Admin")
    mega, customer = make_company("team", name="Mega Store")
    small, owner = make_company("essencial", name="Loja Pequena")

    def at(*when: int) -> None:
        time_machine.move_to(sp(*when), tick=False)

    at(2026, 4, 1, 10)
    t0 = open_ticket(customer, subject="Antes do período")
    at(2026, 4, 30, 16)
    t1 = open_ticket(customer, subject="Checkout")
    actions.do_assign_ticket(t1, actor=ana, assignee=ana)
    at(2026, 5, 4, 9)
    t2 = open_ticket(customer, subject="Boleto")
    actions.do_assign_ticket(t2, actor=ana, assignee=ana)
    at(2026, 5, 4, 9, 30)
    actions.do_add_message(t2, actor=ana, body="Resolvido.")
    at(2026, 5, 4, 10)
    actions.do_add_message(t1, actor=ana, body="Resolvido.")
    actions.do_close_ticket(t2, actor=ana)
    t3 = open_ticket(owner, "financeiro", subject="Nota fiscal")
    at(2026, 5, 4, 11)
    actions.do_close_ticket(t1, actor=ana)
    at(2026, 5, 4, 12)
    do_rate_ticket(t1, actor=customer, score=5)
    at(2026, 5, 5, 9)
    actions.do_add_message(t2, actor=customer, body="Voltou a falhar.")
    t5 = open_ticket(customer, subject="Frete")
    actions.do_assign_ticket(t5, actor=ana, assignee=ana)
    at(2026, 5, 5, 10)
    actions.do_add_message(t2, actor=ana, body="Agora vai.")
    at(2026, 5, 5, 11)
    actions.do_close_ticket(t2, actor=ana)
    at(2026, 5, 5, 12)
    do_rate_ticket(t2, actor=customer, score=2, comment="Demorou.")
    at(2026, 5, 5, 14)
    actions.do_add_message(t5, actor=ana, body="Pronto.")
    at(2026, 5, 5, 22, 30)
    email = "pessoa@gmail.com"
    t4 = receive(
        sender=Sender(address=email, email=email, name="Pessoa"),
        department="atendimento",
        subject="Sem cadastro",
    )
    at(2026, 5, 6, 12)
    tickets = {"t0": t0, "t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5}
    return Helpdesk(ana=ana, bruno=bruno, admin=admin, director=director, tickets=tickets)
