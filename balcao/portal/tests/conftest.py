import pytest

from balcao.accounts.models import User
from balcao.customers.models import AddOn
from balcao.factories import PASSWORD, StaffFactory, make_authorized, make_company, open_ticket


@pytest.fixture
def mega(profile):
    """A TEAM company with the Pacote Expresso: every department is open to it."""
    return make_company("team", addons=AddOn.objects.all(), name="Mega Store")


@pytest.fixture
def loja(profile):
    """An Essencial company: Sucesso do Cliente and Qualidade e Projetos are closed to it."""
    return make_company("essencial", name="Loja Exemplo")


@pytest.fixture
def customer(mega):
    return mega[1]


@pytest.fixture
def authorized(mega):
    company, primary = mega
    return make_authorized(company, primary, "ti@megastore.com.br")


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"], name="Ana Suporte")


@pytest.fixture
def ticket(customer):
    return open_ticket(customer, "suporte", subject="Checkout fora do ar")


@pytest.fixture
def other(loja, media):
    """A ticket of another company, with an attachment, that Mega Store must never reach."""
    from balcao.tickets.actions import NewAttachment

    return open_ticket(
        loja[1],
        "suporte",
        subject="Segredo da Loja",
        attachments=[NewAttachment("loja.txt", "text/plain", b"da loja")],
    )


@pytest.fixture
def client_for(client):
    def login(user: User):
        assert client.login(username=user.email, password=PASSWORD)
        return client

    return login
