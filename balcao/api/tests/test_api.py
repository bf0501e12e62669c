import pytest
from django.test import Client

from balcao.factories import PASSWORD, StaffFactory, make_authorized, make_company, open_ticket
from balcao.tickets import actions

pytestmark = pytest.mark.django_db


def api_client(user) -> Client:
    response = Client().post(
        "/api/v1/auth/token",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return Client(headers={"Authorization": f"Bearer {response.json()['token']}"})


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


@pytest.fixture
def mega(profile):
    company, primary = make_company("team", name="Mega")
    return company, primary


@pytest.fixture
def loja(profile):
    return make_company("essencial", name="Loja")


def test_token_with_wrong_password_is_400_with_detail(loja):
    response = Client().post(
        "/api/v1/auth/token",
        {"email": loja[1].email, "password": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "senha" in response.json()["detail"]


def test_calls_without_token_are_401(profile):
    assert Client().get("/api/v1/tickets").status_code == 401
    assert (
        Client(headers={"Authorization": "Bearer nope"}).get("/api/v1/tickets").status_code == 401
    )


def test_contact_sees_departments_with_availability(loja):
    data = {d["slug"]: d for d in api_client(loja[1]).get("/api/v1/departments").json()}
    assert len(data) == 7
    assert data["suporte"]["available"] and data["suporte"]["reason"] is None
    assert not data["sucesso"]["available"] and "TEAM" in data["sucesso"]["reason"]
    assert not data["qualidade"]["available"] and "Pacote Expresso" in data["qualidade"]["reason"]


def test_staff_sees_their_departments(profile):
    agent = StaffFactory(departments=["suporte", "ouvidoria"])
    slugs = [d["slug"] for d in api_client(agent).get("/api/v1/departments").json()]
    assert slugs == ["suporte"]  # Ouvidoria is for directors only


def test_open_and_follow_ticket(loja):
    client = api_client(loja[1])
    response = post(
        client,
        "/api/v1/tickets",
        {"department": "suporte", "subject": "Checkout", "body": "Erro 500", "reference": None},
    )
    assert response.status_code == 201, response.content
    ticket = response.json()
    assert ticket["status"] == "open" and ticket["linked"] and ticket["company"] == "Loja"
    assert ticket["messages"][0]["body_text"] == "Erro 500"
    assert ticket["events"][0]["kind"] == "ticket_opened"
    listed = client.get("/api/v1/tickets").json()
    assert listed["count"] == 1 and listed["items"][0]["number"] == ticket["number"]


def test_open_in_forbidden_department_is_400_with_reason(loja):
    response = post(
        api_client(loja[1]),
        "/api/v1/tickets",
        {"department": "sucesso", "subject": "x", "body": "y"},
    )
    assert response.status_code == 400 and "TEAM" in response.json()["detail"]


def test_ouvidoria_reference_checked(loja, mega):
    foreign = open_ticket(mega[1])
    client = api_client(loja[1])
    response = post(
        client,
        "/api/v1/tickets",
        {"department": "ouvidoria", "subject": "x", "body": "y", "reference": foreign.number},
    )
    assert response.status_code == 400
    own = open_ticket(loja[1])
    response = post(
        client,
        "/api/v1/tickets",
        {"department": "ouvidoria", "subject": "x", "body": "y", "reference": own.number},
    )
    assert response.status_code == 201 and response.json()["reference"] == own.number


def test_other_companys_ticket_is_404_by_every_url(loja, mega):
    foreign = open_ticket(mega[1])
    client = api_client(loja[1])
    base = f"/api/v1/tickets/{foreign.number}"
    assert client.get(base).status_code == 404
    assert post(client, f"{base}/messages", {"body": "oi"}).status_code == 404
    assert post(client, f"{base}/status", {"status": "closed"}).status_code == 404
    assert post(client, f"{base}/assign", {"assignee": None}).status_code == 404
    assert post(client, f"{base}/transfer", {"department": "financeiro"}).status_code == 404
    for query in (f"q={foreign.number}", "q=Problema", "department=suporte", "status=open"):
        assert client.get(f"/api/v1/tickets?{query}").json()["count"] == 0
    foreign.refresh_from_db()
    assert foreign.messages.count() == 1 and foreign.status == "open"


def test_contact_sees_no_internal_notes(loja):
    ticket = open_ticket(loja[1])
    agent = StaffFactory(departments=["suporte"])
    actions.do_add_message(ticket, actor=agent, body="segredo", internal=True)
    body = api_client(loja[1]).get(f"/api/v1/tickets/{ticket.number}").json()
    assert [m["body_text"] for m in body["messages"]] == ["Os clientes não conseguem pagar."]
    staff_view = api_client(agent).get(f"/api/v1/tickets/{ticket.number}").json()
    assert [m["internal"] for m in staff_view["messages"]] == [False, True]


def test_agent_workflow(loja):
    ticket = open_ticket(loja[1])
    agent = StaffFactory(departments=["suporte"])
    client = api_client(agent)
    base = f"/api/v1/tickets/{ticket.number}"
    assert post(client, f"{base}/assign", {"assignee": agent.email}).json()["status"] == "assigned"
    assert (
        post(client, f"{base}/status", {"status": "in_progress"}).json()["status"] == "in_progress"
    )
    assert post(client, f"{base}/messages", {"body": "Feito"}).json()["status"] == "answered"
    transferred = post(client, f"{base}/transfer", {"department": "financeiro"})
    assert transferred.status_code == 200 and transferred.json()["department"] == "financeiro"
    assert client.get(base).status_code == 404  # no longer in the agent's departments


def test_invalid_status_is_400(loja):
    ticket = open_ticket(loja[1])
    client = api_client(StaffFactory(departments=["suporte"]))
    response = post(client, f"/api/v1/tickets/{ticket.number}/status", {"status": "answered"})
    assert response.status_code == 400 and response.json()["detail"]


def test_agent_outside_department_gets_404(loja):
    ticket = open_ticket(loja[1])
    client = api_client(StaffFactory(departments=["financeiro"]))
    assert client.get(f"/api/v1/tickets/{ticket.number}").status_code == 404


def test_ouvidoria_only_for_directors(loja):
    from balcao.accounts.models import User

    ticket = open_ticket(loja[1], "ouvidoria", reference=open_ticket(loja[1]).number)
    member = StaffFactory(departments=["ouvidoria"])
    director = StaffFactory(role=User.Role.DIRECTOR)
    assert api_client(member).get(f"/api/v1/tickets/{ticket.number}").status_code == 404
    assert api_client(director).get(f"/api/v1/tickets/{ticket.number}").status_code == 200


def test_authorized_contact_follows_company_tickets(loja):
    ticket = open_ticket(loja[1])
    ti = make_authorized(*loja)
    assert api_client(ti).get(f"/api/v1/tickets/{ticket.number}").status_code == 200


def test_contact_closes_and_reopens_by_message(loja):
    ticket = open_ticket(loja[1])
    client = api_client(loja[1])
    base = f"/api/v1/tickets/{ticket.number}"
    assert post(client, f"{base}/status", {"status": "closed"}).json()["status"] == "closed"
    assert (
        post(client, f"{base}/messages", {"body": "De novo"}).json()["status"] == "customer_reply"
    )


def test_openapi_document(profile):
    schema = Client().get("/api/v1/openapi.json").json()
    assert {"/api/v1/auth/token", "/api/v1/tickets", "/api/v1/tickets/{number}"} <= set(
        schema["paths"]
    )


@pytest.mark.parametrize("rows", [10, 1000])
def test_ticket_list_query_count_is_constant(
    loja, rows, assert_queries_besides_the_cache, settings
):
    from balcao.tickets.models import Ticket

    first = open_ticket(loja[1])
    Ticket.objects.bulk_create(
        Ticket(
            number=first.number + i,
            subject=f"T{i}",
            department=first.department,
            company=first.company,
            requester_email="a@b.c",
            origin="portal",
        )
        for i in range(1, rows)
    )
    client = api_client(loja[1])
    # Token with its user, version, one page with the count (the contact is a subquery), and
    # that page's tags if it has tickets — or, past the last page, the count apart: the other
    # tickets are never loaded.
    with assert_queries_besides_the_cache(4):
        response = client.get("/api/v1/tickets?page=2")
    assert response.json()["count"] == rows
    assert len(response.json()["items"]) == min(50, max(rows - 50, 0))
    # the token (kept in Redis, read on SQLite), the version: the same page is kept
    with assert_queries_besides_the_cache(1 if settings.API_TOKENS_KEPT else 2):
        again = client.get("/api/v1/tickets?page=2")
    assert again.json() == response.json()


def test_a_kept_page_is_sent_as_it_was_encoded(loja, monkeypatch):
    open_ticket(loja[1])
    client = api_client(loja[1])
    first = client.get("/api/v1/tickets?page_size=10")

    def never(*args, **kwargs):
        raise AssertionError("a kept page is neither listed, shaped nor encoded again")

    monkeypatch.setattr("balcao.api.views.list_tickets", never)
    monkeypatch.setattr("balcao.api.views.summary", never)
    monkeypatch.setattr("balcao.api.views.api.renderer.render", never)
    again = client.get("/api/v1/tickets?page_size=10")
    assert again.status_code == 200
    assert again["Content-Type"] == first["Content-Type"] == "application/json; charset=utf-8"
    assert again.content == first.content
    assert first.json()["count"] == 1


def test_the_ticket_list_kept_for_a_viewer_is_never_stale_nor_another_viewers(
    mega, loja, django_capture_on_commit_callbacks
):
    ours = open_ticket(mega[1], subject="Checkout fora do ar")
    theirs = open_ticket(loja[1], subject="Segredo da Loja")
    agent = StaffFactory(departments=["suporte"])

    def subjects(client) -> list[str]:
        return [t["subject"] for t in client.get("/api/v1/tickets").json()["items"]]

    mega_client, loja_client = api_client(mega[1]), api_client(loja[1])
    assert subjects(mega_client) == [ours.subject]
    assert subjects(loja_client) == [theirs.subject]  # the same address and list token
    assert subjects(api_client(agent)) == [theirs.subject, ours.subject]
    with django_capture_on_commit_callbacks(execute=True):  # the token moves on commit
        actions.do_assign_ticket(ours, actor=agent, assignee=agent)
        newer = open_ticket(mega[1], subject="Boleto duplicado")
    items = mega_client.get("/api/v1/tickets").json()["items"]
    assert [t["subject"] for t in items] == [newer.subject, ours.subject]
    assert items[1]["assignee_name"] == agent.name


# ---- CC and notifications ----------------------------------------------------------------


def test_ticket_detail_lists_the_copied_contacts(mega):
    company, primary = mega
    colleague = make_authorized(company, primary, "ti@mega.example")
    ticket = open_ticket(primary)
    actions.do_add_cc(ticket, actor=primary, email=colleague.email)
    assert api_client(primary).get(f"/api/v1/tickets/{ticket.number}").json()["cc"] == [
        colleague.email
    ]


def test_an_agent_reads_and_changes_notification_preferences(profile):
    agent = StaffFactory(departments=["suporte"])
    client = api_client(agent)
    preferences = client.get("/api/v1/me/notifications").json()
    assert {p["kind"] for p in preferences} == {
        "new_ticket",
        "customer_reply",
        "assigned",
        "transferred",
        "sla_warning",
        "low_satisfaction",
    }
    assert all(p["email"] and p["console"] for p in preferences)
    changed = client.patch(
        "/api/v1/me/notifications",
        [{"kind": "new_ticket", "email": False}],
        content_type="application/json",
    )
    assert changed.status_code == 200
    new_ticket = next(p for p in changed.json() if p["kind"] == "new_ticket")
    assert (new_ticket["email"], new_ticket["console"]) == (False, True)
    refused = client.patch(
        "/api/v1/me/notifications", [{"kind": "nonsense"}], content_type="application/json"
    )
    assert refused.status_code == 400


def test_an_agent_lists_notifications_a_customer_gets_403(
    mega, tasks, django_capture_on_commit_callbacks
):
    agent = StaffFactory(departments=["suporte"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(mega[1])
    listed = api_client(agent).get("/api/v1/notifications").json()
    assert [(n["kind"], n["ticket"], n["read"]) for n in listed] == [
        ("new_ticket", ticket.number, False)
    ]
    assert listed[0]["url"] == f"/console/chamados/{ticket.number}/"
    assert api_client(mega[1]).get("/api/v1/notifications").status_code == 403
    assert api_client(mega[1]).get("/api/v1/me/notifications").status_code == 403


def test_the_ticket_list_built_once_is_what_the_orm_reads_and_each_agent_sees_their_own(
    profile, loja, built_sql, monkeypatch
):
    from django.core.cache import cache

    from balcao.tickets import selectors

    support = StaffFactory(departments=["suporte"], name="Ana Suporte")
    billing = StaffFactory(departments=["financeiro"], name="")
    _company, contact = loja
    opened = [
        open_ticket(contact, dep, subject=f"{dep} {i}")
        for i in range(3)
        for dep in ("suporte", "financeiro")
    ]
    actions.do_assign_ticket(opened[0], actor=support, assignee=support)
    actions.do_assign_ticket(opened[1], actor=billing, assignee=billing)  # no name: the address
    actions.do_add_tags(opened[2], actor=support, tags=["urgente", "checkout"])
    actions.do_merge_ticket(opened[4], actor=support, into=opened[2])
    clients = {who: api_client(who) for who in (support, billing, contact)}

    def pages(client) -> list[dict]:
        cache.clear()  # each read made, not kept
        return [
            client.get("/api/v1/tickets", {"page": n, "page_size": 2}).json() for n in (1, 2, 3, 4)
        ]

    built = {who: pages(client) for who, client in clients.items()}
    assert len([q for q in built_sql if q.model is selectors.Ticket]) == 2 * 4  # staff, contact
    monkeypatch.setattr(selectors, "PREPARED_PAGES", 0)  # every page read by the ORM
    assert {who: pages(client) for who, client in clients.items()} == built
    support_numbers = {item["number"] for page in built[support] for item in page["items"]}
    assert support_numbers == {t.number for t in opened if t.department.slug == "suporte"}
    assert built[support][0]["count"] == 3 and built[contact][3] == {"items": [], "count": 6}
    items = {item["number"]: item for page in built[contact] for item in page["items"]}
    assert items[opened[0].number]["assignee"] is None  # a customer: people by name
    assert items[opened[0].number]["assignee_name"] == "Ana Suporte"
    assert items[opened[1].number]["assignee_name"] is None
    assert items[opened[2].number]["tags"] == ["checkout", "urgente"]
    assert items[opened[4].number]["merged_into"] == opened[2].number
    staff_items = {item["number"]: item for page in built[billing] for item in page["items"]}
    assert staff_items[opened[1].number]["assignee_name"] == billing.email
