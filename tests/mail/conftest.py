from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.utils import timezone

from balcao.connectors.email.actions import RawMail, do_receive_mail
from balcao.customers.models import AddOn
from balcao.factories import make_authorized, make_company


def make_mail(
    *,
    sender: str,
    to: str = "suporte@balcao.localhost",
    subject: str = "Checkout fora do ar",
    body: str = "Os clientes não conseguem pagar.",
    attachments=(),
    **headers,
) -> bytes:
    """A message as a mail client would send it (headers given as Python names: In_Reply_To)."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = headers.pop("Message_ID", make_msgid(domain="cliente.example"))
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(body)
    for name, content_type, content in attachments:
        maintype, subtype = content_type.split("/")
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return mail.as_bytes()


def stored_bytes(mail) -> bytes:
    """The raw message as the store keeps it."""
    with mail.raw.open("rb") as source:
        return source.read()


def receive(raw: bytes, recipient: str = "", **kwargs):
    return do_receive_mail(RawMail(raw, recipient, **kwargs))


@pytest.fixture
def loja(profile):
    """Essencial plan, no add-on: Qualidade e Projetos and Sucesso do Cliente are closed to it."""
    return make_company("essencial", name="Loja Exemplo")


@pytest.fixture
def mega(profile):
    company, primary = make_company("team", addons=AddOn.objects.all(), name="Mega Store")
    return company, primary, make_authorized(company, primary, "ti@megastore.com.br")
