"""Query counts of the help pages and the admin's changelist, pinned: they do not grow with
articles or answers."""

import pytest
from django.urls import reverse

from balcao.factories import SESSION, make_authorized
from balcao.kb.actions import do_answer_article

pytestmark = pytest.mark.django_db

LIST = SESSION + 2  # the session, user with contact, articles (with departments)
ARTICLE = SESSION + 3  # the session, user with contact, article (with department), the reader's
# answer
ARTICLE_ANONYMOUS = 1  # the article: no session, no user
ADMIN_LIST = SESSION + 4  # the session, user, departments to filter by, count, articles with
# answer counts


def fill(n, make_article, customer):
    company = customer.contact.company
    readers = [customer] + [make_authorized(company, customer) for _ in range(2)]
    for i in range(n):
        article = make_article(
            f"artigo-{i}", department=["suporte", "financeiro", None][i % 3], title=f"Artigo {i}"
        )
        for j, reader in enumerate(readers):
            do_answer_article(article, reader=reader, helpful=(i + j) % 2 == 0)
    return article


@pytest.mark.parametrize("n", [3, 30])
def test_help_pages_take_a_constant_number_of_queries(
    client, client_for, customer, make_article, admin_user, n, django_assert_num_queries
):
    article = fill(n, make_article, customer)
    url = reverse("kb:article", args=[article.slug])
    with django_assert_num_queries(ARTICLE_ANONYMOUS):
        assert client.get(url).status_code == 200
    signed_in = client_for(customer)
    with django_assert_num_queries(LIST):
        response = signed_in.get(reverse("kb:list"))
    assert len(response.context["articles"]) == n + 15  # and the fifteen starter articles
    with django_assert_num_queries(LIST):
        response = signed_in.get(reverse("kb:list"), {"q": "Artigo"})
    assert len(response.context["articles"]) == n
    with django_assert_num_queries(ARTICLE):
        response = signed_in.get(url)
    assert response.context["answer"].reader == customer
    signed_in.force_login(admin_user)
    with django_assert_num_queries(ADMIN_LIST):
        response = signed_in.get(reverse("admin:kb_article_changelist"))
    assert response.status_code == 200
