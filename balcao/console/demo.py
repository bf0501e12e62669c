"""Demo data for `make run`: three companies (one on each kind of plan that meets), their contacts, four staff, tickets in each status."""

from django.db import transaction

from balcao.accounts.actions import do_set_password
from balcao.accounts.models import Department, User
from balcao.customers.actions import (
    do_authorize_contact,
    do_create_company,
    do_load_default_profile,
)
from balcao.customers.models import AddOn, Company, Plan
from balcao.meetings.models import Host, Kind
from balcao.tickets import actions
from balcao.tickets.models import Origin

PASSWORD = "balcao-demo"

DEMO_LOGINS = [
    ("cliente@lojaexemplo.com.br", "Loja Exemplo (Essencial) — primary contact"),
    ("compras@megastore.com.br", "Mega Store (TEAM + Pacote Expresso) — primary contact"),
    ("ti@megastore.com.br", "Mega Store — authorized contact"),
    ("diretoria@grupohorizonte.com.br", "Grupo Horizonte (Enterprise) — primary contact"),
    ("agente.suporte@balcao.localhost", "agent — Suporte"),
    ("agente.atendimento@balcao.localhost", "agent — Atendimento, Financeiro"),
    ("diretoria@balcao.localhost", "director — Ouvidoria"),
    ("consultora@balcao.localhost", "consultant — meetings (Mega Store may book)"),
    ("marketing@balcao.localhost", "marketing analyst — meetings (Enterprise plans)"),
    ("admin@balcao.localhost", "administrator (also /admin/)"),
]

STAFF = [
    ("agente.suporte@balcao.localhost", "Ana Suporte", User.Role.AGENT, ["suporte"]),
    (
        "agente.atendimento@balcao.localhost",
        "Bruno Atendimento",
        User.Role.AGENT,
        ["atendimento", "financeiro"],
    ),
    ("diretoria@balcao.localhost", "Carla Diretoria", User.Role.DIRECTOR, ["ouvidoria"]),
    ("consultora@balcao.localhost", "Rita Alves", User.Role.AGENT, ["sucesso"]),
    ("marketing@balcao.localhost", "Edu Rocha", User.Role.AGENT, ["sucesso"]),
]

# Who meets customers, Monday to Friday, 9–12 and 14–17 (Brasília), 30 min + 10 min buffer.
HOSTS = [
    ("consultora@balcao.localhost", Kind.CONSULTANT, "https://meet.jit.si/balcao-consultoria"),
    ("marketing@balcao.localhost", Kind.MARKETING, "https://meet.jit.si/balcao-marketing"),
]
WEEKDAYS = [[["09:00", "12:00"], ["14:00", "17:00"]]] * 5 + [[], []]


def _staff(email, name, role, departments):
    user = User.objects.create_user(email, PASSWORD, name=name, role=role)
    user.departments.set(Department.objects.filter(slug__in=departments))
    return user


@transaction.atomic
def load_demo() -> bool:
    """Load the demo once; returns False when it is already there."""
    do_load_default_profile()
    if Company.objects.filter(name="Loja Exemplo").exists():
        return False
    agents = {email: _staff(email, name, role, deps) for email, name, role, deps in STAFF}
    admin = User.objects.create_superuser("admin@balcao.localhost", PASSWORD, name="Admin Balcão")
    loja = do_create_company(
        name="Loja Exemplo",
        plan=Plan.objects.get(slug="essencial"),
        primary_email="cliente@lojaexemplo.com.br",
        primary_name="Luiza Lima",
        cnpj="11.222.333/0001-81",
    )
    mega = do_create_company(
        name="Mega Store",
        plan=Plan.objects.get(slug="team"),
        primary_email="compras@megastore.com.br",
        primary_name="Marcos Melo",
        addons=list(AddOn.objects.filter(slug="pacote-expresso")),
    )
    horizonte = do_create_company(  # Enterprise: the marketing analyst can be booked
        name="Grupo Horizonte",
        plan=Plan.objects.get(slug="enterprise"),
        primary_email="diretoria@grupohorizonte.com.br",
        primary_name="Helena Horizonte",
    )
    compras = User.objects.get(email="compras@megastore.com.br")
    do_authorize_contact(mega, actor=compras, email="ti@megastore.com.br", name="Tiago TI")
    for user in User.objects.filter(contact__company__in=[loja, mega, horizonte]):
        do_set_password(user, PASSWORD, actor=None)
    _demo_tickets(agents)
    _demo_canned_replies(admin)
    sucesso = Department.objects.get(slug="sucesso")
    for email, kind, place in HOSTS:
        Host.objects.create(
            user=agents[email], kind=kind, department=sucesso, weekly=WEEKDAYS, place=place
        )
    return True


def _demo_canned_replies(admin):
    """Two of the team's canned replies, to try the reply box's search (Alt+C)."""
    actions.do_save_canned_response(
        actor=admin,
        shared=True,
        title="Recebemos e estamos analisando",
        body="Olá, {customer_name}! Recebemos o chamado #{ticket_number} e já estamos"
        " analisando. Retornamos até {sla_due}.\n\n{agent_name}",
        set_status="in_progress",
        assign_to_me=True,
    )
    actions.do_save_canned_response(
        actor=admin,
        shared=True,
        title="Segunda via do boleto",
        body="Olá, {customer_name}! Segue em anexo a segunda via do boleto da {company}.\n\n"
        "{agent_name}",
        department=Department.objects.get(slug="financeiro"),
        add_tags="boleto",
    )


def _demo_tickets(agents):
    dep = {d.slug: d for d in Department.objects.all()}
    cliente = User.objects.get(email="cliente@lojaexemplo.com.br")
    compras = User.objects.get(email="compras@megastore.com.br")
    ti = User.objects.get(email="ti@megastore.com.br")
    suporte = agents["agente.suporte@balcao.localhost"]
    atendimento = agents["agente.atendimento@balcao.localhost"]

    def open_(actor, slug, subject, body, **kw):
        return actions.do_open_ticket(
            actor=actor,
            department=dep[slug],
            subject=subject,
            body=body,
            origin=Origin.PORTAL,
            **kw,
        )

    open_(
        cliente,
        "suporte",
        "Erro ao finalizar compra no checkout",
        "Desde ontem alguns clientes não conseguem finalizar a compra com cartão.",
    )
    t = open_(
        cliente,
        "financeiro",
        "Segunda via do boleto de novembro",
        "Preciso da segunda via do boleto com vencimento em novembro.",
    )
    actions.do_assign_ticket(t, actor=atendimento, assignee=atendimento)
    t = open_(
        ti,
        "suporte",
        "Integração com o ERP parou de sincronizar estoque",
        "A sincronização de estoque com o ERP não roda desde segunda-feira.",
    )
    actions.do_start_progress(t, actor=suporte)
    t = open_(
        compras,
        "atendimento",
        "Orçamento para módulo de marketplace",
        "Gostaríamos de um orçamento para integrar com marketplaces.",
    )
    actions.do_add_message(
        t,
        actor=atendimento,
        body="Olá! Enviamos a proposta em anexo; qualquer dúvida estamos à disposição.",
    )
    t = open_(
        ti,
        "suporte",
        "Certificado SSL expirando",
        "Recebemos um aviso de que o certificado expira este mês.",
    )
    actions.do_add_message(t, actor=suporte, body="Renovamos o certificado; pode conferir?")
    actions.do_add_message(t, actor=ti, body="Ainda aparece o aviso no navegador do celular.")
    closed = open_(
        compras, "financeiro", "Nota fiscal de outubro", "Não recebemos a nota fiscal de outubro."
    )
    actions.do_add_message(closed, actor=atendimento, body="Reenviamos a nota fiscal por e-mail.")
    actions.do_close_ticket(closed, actor=atendimento)
    open_(
        compras,
        "ouvidoria",
        "Demora na resposta sobre a nota fiscal",
        "A nota fiscal de outubro levou semanas para chegar.",
        reference=closed.number,
    )
