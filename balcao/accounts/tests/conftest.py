import pytest
from django.test import Client

from balcao.accounts.models import User
from balcao.factories import PASSWORD, StaffFactory, make_company

LOGIN = "/cliente/entrar/"


@pytest.fixture
def contact(profile):
    return make_company("team", name="Mega Store")[1]


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"], name="Ana Suporte")


@pytest.fixture
def administrator(profile):
    return User.objects.create_superuser("admin@balcao.localhost", PASSWORD, name="Admin")


def post_login(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def token_response(email: str, password: str = PASSWORD, code: str = "", **extra):
    return Client(**extra).post(
        "/api/v1/auth/token",
        {"email": email, "password": password, "code": code},
        content_type="application/json",
    )
