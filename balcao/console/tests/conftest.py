import re

import pytest
from django.urls import reverse

from balcao.accounts.models import User
from balcao.customers.models import AddOn
from balcao.factories import StaffFactory, make_authorized, make_company, open_ticket, receive
from balcao.tickets.inbound import Sender


@pytest.fixture
def mega(profile):
    """A TEAM company with the Pacote Expresso: every department is open to it."""
    return make_company("team", addons=AddOn.objects.all(), name="Mega Store")


@pytest.fixture
def customer(mega):
    return mega[1]


@pytest.fixture
def suporte_agent(profile):
    return StaffFactory(departments=["suporte"], name="Ana Suporte")


@pytest.fixture
def atendimento_agent(profile):
    return StaffFactory(departments=["atendimento", "financeiro"], name="Bruno Atendimento")


@pytest.fixture
def director(profile):
    return StaffFactory(departments=["ouvidoria"], role=User.Role.DIRECTOR, name="Carla Diretoria")


@pytest.fixture
def admin_user(profile):
    return User.objects.create_superuser("admin@balcao.localhost", "pw-admin-123", name="Admin")


@pytest.fixture
def ticket(customer):
    return open_ticket(customer, "suporte", subject="Checkout fora do ar")


@pytest.fixture
def ouvidoria_ticket(customer, ticket):
    return open_ticket(customer, "ouvidoria", subject="Reclamação", reference=ticket.number)


def open_unlinked(
    email="desconhecido@gmail.com", subject="Pedido sem cadastro", department="atendimento"
):
    return receive(
        sender=Sender(address=email, email=email, name="Pessoa Desconhecida"),
        department=department,
        subject=subject,
        body="Escrevo de um endereço pessoal.",
    )


@pytest.fixture
def authorized(mega):
    company, primary = mega
    return make_authorized(company, primary, "ti@megastore.com.br")


def url(name, *args):
    """A console page's address."""
    return reverse(f"console:{name}", args=args)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def flashes(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def as_agent(client, suporte_agent):
    client.force_login(suporte_agent)
    return client
