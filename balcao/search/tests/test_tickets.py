"""Ticket search through the one selector, as staff and customers use it; the same on SQLite
and PostgreSQL (the suite runs on both)."""

import pytest
from django.db import connection
from django.utils import timezone

from balcao.accounts.models import User
from balcao.factories import StaffFactory, make_company, open_ticket
from balcao.search.actions import index_ticket, rebuild_index
from balcao.search.models import TicketDocument
from balcao.search.selectors import highlight, ranked_ids, ticket_snippets
from balcao.tickets.actions import do_add_message, do_merge_ticket, do_set_tags
from balcao.tickets.selectors import list_tickets

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(profile):
    return StaffFactory(role=User.Role.ADMINISTRATOR)


@pytest.fixture
def acme(profile):
    return make_company(name="Acme Comércio Ltda")


def numbers(viewer, q, **filters):
    return [t.number for t in list_tickets(viewer, q=q, **filters)]


def test_accents_and_case_are_folded(admin, acme):
    ticket = open_ticket(acme[1], subject="Cartão recusado", body="A NOTA fiscal não chegou.")
    assert numbers(admin, "cartao") == [ticket.number]
    assert numbers(admin, "CARTÃO") == [ticket.number]
    assert numbers(admin, "nota") == [ticket.number]
    assert numbers(admin, "Nao chegou") == [ticket.number]


def test_plurals_meet_singulars(admin, acme):
    ticket = open_ticket(acme[1], subject="Cartões e boletos", body="Dois pagamentos.")
    assert numbers(admin, "cartão boleto pagamento") == [ticket.number]


def test_a_word_only_in_a_later_message_is_found(admin, acme):
    ticket = open_ticket(acme[1], subject="Loja lenta", body="Está demorando.")
    assert numbers(admin, "webhook") == []
    do_add_message(ticket, actor=acme[1], body="O webhook do gateway falha desde ontem.")
    assert numbers(admin, "webhook") == [ticket.number]


def test_requester_company_cnpj_and_number(admin, profile):
    from balcao.customers.models import Company

    company, contact = make_company(name="Padaria Pão Quente")
    Company.objects.filter(pk=company.pk).update(cnpj="12345678000190")
    rebuild_index()
    ticket = open_ticket(contact, subject="Outra coisa", body="Texto.")
    assert numbers(admin, "padaria") == [ticket.number]
    assert numbers(admin, "12345678000190") == [ticket.number]
    assert numbers(admin, "12.345.678/0001-90") == [ticket.number]
    assert numbers(admin, contact.email) == [ticket.number]
    assert numbers(admin, contact.name) == [ticket.number]
    assert numbers(admin, f"#{ticket.number}") == [ticket.number]
    assert numbers(admin, str(ticket.number)[:-1]) == []  # a number is whole, not a prefix


def test_a_tag_finds_its_tickets_for_staff_only_as_long_as_it_has_it(admin, acme):
    ticket = open_ticket(acme[1], subject="Pedido parado", body="Sem resposta.")
    assert numbers(admin, "prioritario") == []
    do_set_tags(ticket, actor=admin, tags=["Cliente Prioritário", "black-friday"])
    assert numbers(admin, "prioritario") == [ticket.number]
    assert numbers(admin, "black friday") == [ticket.number]
    assert numbers(acme[1], "prioritario") == []  # customers never see tags
    do_add_message(ticket, actor=acme[1], body="Alguma novidade?")  # rewriting keeps the tags
    assert numbers(admin, "cliente novidade") == [ticket.number]
    do_set_tags(ticket, actor=admin, tags=["black-friday"])
    assert numbers(admin, "prioritario") == []
    assert rebuild_index() >= 1
    assert numbers(admin, "friday") == [ticket.number]
    assert numbers(acme[1], "friday") == []


def test_a_merge_moves_what_is_found_with_the_messages(admin, acme):
    duplicate = open_ticket(acme[1], subject="Frete", body="A transportadora atrasou.")
    kept = open_ticket(acme[1], subject="Frete de novo", body="A etiqueta não imprime.")
    do_set_tags(duplicate, actor=admin, tags=["logística"])
    do_merge_ticket(duplicate, actor=admin, into=kept)
    assert numbers(admin, "transportadora") == [kept.number]
    assert sorted(numbers(admin, "logistica")) == sorted([duplicate.number, kept.number])


def test_a_renamed_company_s_tickets_are_found_by_its_new_name_and_cnpj(
    admin, acme, tasks, django_capture_on_commit_callbacks
):
    from balcao.customers.actions import do_change_company
    from balcao.search.tasks import index_company_task

    company, contact = acme
    ticket = open_ticket(contact, subject="Pedido", body="Texto.")
    tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_change_company(company, actor=admin, name="Zeta Varejo", cnpj="11.222.333/0001-81")
    assert [(r.task.name, r.args) for r in tasks.results] == [("index_company_task", [company.pk])]
    index_company_task.call(company.pk)
    assert numbers(admin, "zeta varejo") == [ticket.number]
    assert numbers(contact, "11222333000181") == [ticket.number]
    assert numbers(admin, "acme") == []
    tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_change_company(company, actor=admin, contract_resolution_minutes=600)
    assert tasks.results == []  # nothing its tickets are found by


def test_the_last_word_matches_as_typed(admin, acme):
    ticket = open_ticket(acme[1], subject="Certificado expirando", body="Aviso no navegador.")
    assert numbers(admin, "certif") == [ticket.number]
    assert numbers(admin, "certif aviso") == []  # only the last word is a prefix
    assert numbers(admin, "aviso certif") == [ticket.number]


def test_notes_are_for_staff_only(admin, acme):
    company, contact = acme
    ticket = open_ticket(contact, subject="Erro no frete", body="O frete não calcula.")
    do_add_message(ticket, actor=admin, body="Chave da transportadora vencida.", internal=True)
    assert numbers(admin, "transportadora") == [ticket.number]
    assert numbers(contact, "transportadora") == []
    assert numbers(contact, "frete") == [ticket.number]
    assert ticket_snippets([ticket], "transportadora", staff=False) == {}
    assert (
        "<mark>transportadora</mark>"
        in ticket_snippets([ticket], "transportadora", staff=True)[ticket.pk]
    )


def test_a_customer_finds_only_its_company(admin, acme, profile):
    ours = open_ticket(acme[1], subject="Pix não confirma", body="Pagamento por Pix.")
    other_company, other = make_company(name="Outra Loja")
    theirs = open_ticket(other, subject="Pix não confirma", body="Pagamento por Pix.")
    assert numbers(acme[1], "pix") == [ours.number]
    assert numbers(other, "pix") == [theirs.number]
    assert sorted(numbers(admin, "pix")) == sorted([ours.number, theirs.number])
    assert numbers(acme[1], other_company.name) == []


def test_an_agent_finds_only_in_their_departments(acme):
    agent = StaffFactory(departments=["financeiro"])
    open_ticket(acme[1], department="suporte", subject="Boleto vencido", body="Boleto.")
    billing = open_ticket(acme[1], department="financeiro", subject="Boleto", body="Boleto.")
    assert numbers(agent, "boleto") == [billing.number]


def test_more_mentions_rank_first(admin, acme):
    once = open_ticket(acme[1], subject="Dúvida geral", body="Uma pergunta sobre o checkout.")
    many = open_ticket(
        acme[1], subject="Checkout travado", body="O checkout trava; checkout fora do ar."
    )
    open_ticket(acme[1], subject="Outra", body="Nada a ver.")
    assert numbers(admin, "checkout") == [many.number, once.number]


def test_filters_combine_with_words(admin, acme, profile):
    company, contact = acme
    support = open_ticket(contact, department="suporte", subject="Nota fiscal", body="Nota.")
    billing = open_ticket(contact, department="financeiro", subject="Nota fiscal", body="Nota.")
    other = open_ticket(make_company()[1], department="financeiro", subject="Nota", body="Nota.")
    assert numbers(admin, "nota", department="financeiro", company=company.pk) == [billing.number]
    assert sorted(numbers(admin, "nota", department="financeiro")) == sorted(
        [billing.number, other.number]
    )
    day = timezone.localtime(support.created_at).date()  # dates are the viewer's (Brasília)
    assert len(numbers(admin, "nota", opened_from=day, opened_to=day)) == 3
    assert numbers(admin, "nota", opened_to=day.replace(year=day.year - 1)) == []


def test_a_page_of_results_comes_with_the_total_in_the_order_of_the_list(admin, acme):
    company, contact = acme
    for i in range(1, 6):
        ticket = open_ticket(contact, subject=f"Boleto {i}", body="boleto " * i)
    do_add_message(ticket, actor=admin, body="Boleto na nota interna.", internal=True)
    only_noted = open_ticket(contact, subject="Outro", body="Nada.")
    do_add_message(only_noted, actor=admin, body="Boleto.", internal=True)
    for viewer, staff in ((admin, True), (contact, False)):
        listed = [t.pk for t in list_tickets(viewer, q="boleto")]
        assert len(listed) == (6 if staff else 5)
        pages = [
            ranked_ids(list_tickets(viewer), "boleto", staff=staff, offset=offset, limit=2)
            for offset in (0, 2, 4)
        ]
        assert [pk for ids, _ in pages for pk in ids] == listed
        assert {total for _, total in pages} == {len(listed)}
        assert ranked_ids(list_tickets(viewer), "boleto", staff=staff, offset=50, limit=2) == (
            [],
            len(listed),
        )
    assert ranked_ids(
        list_tickets(admin, company=company.pk), "nada", staff=True, offset=0, limit=5
    ) == (
        [only_noted.pk],
        1,
    )
    assert ranked_ids(list_tickets(admin), "inexistente", staff=True, offset=0, limit=5) == ([], 0)


def test_rebuild_writes_the_same_index(admin, acme):
    ticket = open_ticket(acme[1], subject="Lentidão", body="Site muito lento.")
    do_add_message(ticket, actor=admin, body="Banco sobrecarregado.", internal=True)
    assert rebuild_index() >= 1
    assert numbers(admin, "lento") == [ticket.number]
    assert numbers(admin, "sobrecarregado") == [ticket.number]
    assert numbers(acme[1], "sobrecarregado") == []


def test_a_new_tickets_document_is_the_one_written_whole(acme):
    """A new ticket's document is one prepared INSERT (its vectors made by SQL of its own):
    what writing it again from the ticket gives."""
    ticket = open_ticket(acme[1], subject="Nota fiscal", body="A NF-e 1234 não chegou.")
    fields = ["public_text", "internal_text", "tags_text"]
    vectors = ["public_vector", "staff_vector"] if connection.vendor == "postgresql" else []
    new = TicketDocument.objects.filter(ticket=ticket).values(*fields, *vectors).get()
    index_ticket(ticket)
    assert new == TicketDocument.objects.filter(ticket=ticket).values(*fields, *vectors).get()
    assert "1234" in new["public_text"] and (not vectors or new["public_vector"])


def test_a_message_added_leaves_the_document_as_written_whole(admin, acme):
    """Issue 17: a message's words are appended to the document (no read of the ticket's
    messages); what that leaves is what writing the document from the ticket gives."""
    ticket = open_ticket(acme[1], subject="Frete", body="O frete não calcula.")
    do_set_tags(ticket, actor=admin, tags=["transportadora"])
    do_add_message(ticket, actor=acme[1], body="Agora o BOLETO também falha.")
    do_add_message(ticket, actor=admin, body="Gateway fora do ar.", internal=True)
    do_add_message(ticket, actor=admin, body="!!!")  # no words: nothing to append
    do_add_message(ticket, actor=admin, body="Chave trocada.", internal=True)
    fields = ["public_text", "internal_text", "tags_text"]
    vectors = ["public_vector", "staff_vector"] if connection.vendor == "postgresql" else []
    added = TicketDocument.objects.filter(ticket=ticket).values(*fields, *vectors).get()
    index_ticket(ticket)
    whole = TicketDocument.objects.filter(ticket=ticket).values(*fields, *vectors).get()
    assert added == whole
    assert added["internal_text"] == "gateway fora do ar chave trocada"
    assert numbers(acme[1], "boleto") == [ticket.number]
    assert numbers(acme[1], "gateway") == [] and numbers(admin, "gateway chave") == [ticket.number]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")
def test_sqlite_full_text_rows_follow_their_document_whatever_writes_it(admin, acme):
    """Issue 17: the FTS5 row is the database's copy of the document (triggers), not one
    more statement of each action; it goes with the document."""
    ticket = open_ticket(acme[1], subject="Frete", body="O frete não calcula.")
    TicketDocument.objects.filter(ticket=ticket).update(internal_text="zebra", tags_text="urgente")
    assert numbers(admin, "zebra") == [ticket.number] == numbers(admin, "urgente")
    assert numbers(acme[1], "zebra") == [] and numbers(admin, "frete") == [ticket.number]
    TicketDocument.objects.filter(ticket=ticket).delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_ticket_fts WHERE rowid = %s", [ticket.pk])
        assert cursor.fetchone() == (0,)


def test_highlight_marks_words_and_escapes_the_rest():
    text = "<b>Olá</b>, o cartão foi recusado. " + "palavra " * 40 + "Cartões"
    excerpt = highlight(text, "cartao")
    assert "<mark>cartão</mark>" in excerpt
    assert "&lt;b&gt;" in excerpt
    assert highlight("nada aqui", "cartao") == ""
