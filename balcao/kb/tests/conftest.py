import pytest

from balcao.accounts.models import Department, User
from balcao.factories import PASSWORD, StaffFactory, make_company
from balcao.kb.actions import do_save_article
from balcao.kb.models import Article


@pytest.fixture
def customer(profile):
    return make_company("essencial", name="Loja Exemplo")[1]


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"])


@pytest.fixture
def make_article(profile):
    def make(slug: str, department: str | None = None, **fields) -> Article:
        fields = {
            "title": slug.replace("-", " ").capitalize(),
            "body": f"<p>Texto de {slug}.</p>",
            "published": True,
            **fields,
        }
        dep = Department.objects.get(slug=department) if department else None
        return do_save_article(Article(slug=slug, department=dep, **fields))

    return make


@pytest.fixture
def client_for(client):
    def login(user: User):
        assert client.login(username=user.email, password=PASSWORD)
        return client

    return login
