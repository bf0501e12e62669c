"""Factories for tests: build through the actions where the actions are the only way in."""

import factory
from django.conf import settings

from balcao.accounts.models import Department, User
from balcao.customers.actions import do_authorize_contact, do_create_company
from balcao.customers.models import Plan
from balcao.tickets.actions import do_open_ticket
from balcao.tickets.inbound import InboundMessage, Sender, do_receive_inbound
from balcao.tickets.models import Origin

PASSWORD = "balcao-test-pw"
# The query a signed-in request spends reading its session's row: none where sessions are read
# through Redis (REDIS_URL: cached_db) and the session is there — it is, from the login until
# the cache is emptied; one on the embedded database, and after cache.clear().
SESSION = 0 if settings.SESSION_ENGINE.endswith(".cached_db") else 1


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@balcao.localhost")
    name = factory.Faker("name", locale="pt_BR")
    role = User.Role.AGENT
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set(Department.objects.filter(slug__in=extracted))


_company_seq = iter(range(1, 10**9))


def make_company(plan: str = "essencial", addons=(), name: str | None = None):
    """A company with its primary contact (password ``PASSWORD``)."""
    n = next(_company_seq)
    company = do_create_company(
        name=name or f"Empresa {n}",
        plan=Plan.objects.get(slug=plan),
        primary_email=f"contato{n}@empresa{n}.com.br",
        primary_name=f"Contato {n}",
        addons=list(addons),
    )
    primary = company.contacts.get().user
    primary.set_password(PASSWORD)
    primary.save()
    return company, primary


def make_authorized(company, primary, email: str | None = None):
    contact = do_authorize_contact(
        company, actor=primary, email=email or f"autorizado{next(_company_seq)}@x.com.br"
    )
    contact.user.set_password(PASSWORD)
    contact.user.save()
    return contact.user


def open_ticket(
    contact_user,
    department: str = "suporte",
    subject: str = "Problema no checkout",
    body: str = "Os clientes não conseguem pagar.",
    **kwargs,
):
    return do_open_ticket(
        actor=contact_user,
        department=Department.objects.get(slug=department),
        subject=subject,
        body=body,
        **kwargs,
    )


_message_seq = iter(range(1, 10**9))


def inbound_message(
    *,
    sender: Sender,
    department: str = "suporte",
    subject: str = "Problema no checkout",
    body: str = "Os clientes não conseguem pagar.",
    channel: str = Origin.EMAIL,
    **kwargs,
) -> InboundMessage:
    """A message as any channel hands it to the funnel, each with its own message id."""
    kwargs.setdefault("message_id", f"msg-{next(_message_seq)}@test")
    return InboundMessage(
        channel=channel,
        sender=sender,
        department=Department.objects.get(slug=department),
        subject=subject,
        body_text=body,
        **kwargs,
    )


def contact_sender(user, **kwargs) -> Sender:
    """A registered or authorized contact, as a connector resolves it."""
    return Sender(
        address=user.email, email=user.email, name=user.name, contact=user.contact, **kwargs
    )


def receive(**kwargs):
    """File a message through the funnel; the ticket it landed in."""
    return do_receive_inbound(inbound_message(**kwargs)).ticket
