"""Staff write articles in the admin and see how readers answered."""

import pytest
from django.urls import reverse

from balcao.factories import make_authorized
from balcao.kb.actions import do_answer_article
from balcao.kb.models import Article

pytestmark = pytest.mark.django_db


def test_the_changelist_counts_answers_and_helpfulness(client, admin_user, make_article, customer):
    article = make_article("boletos", title="Boletos")
    company = customer.contact.company
    readers = [customer] + [make_authorized(company, customer) for _ in range(3)]
    for reader, helpful in zip(readers, [True, True, True, False], strict=True):
        do_answer_article(article, reader=reader, helpful=helpful)
    do_answer_article(make_article("pix", title="PIX"), reader=customer, helpful=False)
    client.force_login(admin_user)
    response = client.get(reverse("admin:kb_article_changelist"), {"o": "8"})
    page = response.content.decode()
    assert "Útil (sim)" in page and "Não útil (não)" in page and "Acharam útil" in page
    rows = [
        (a.slug, a.helpful_count, a.unhelpful_count) for a in response.context["cl"].result_list
    ]
    assert rows[:3] == [("pix", 0, 1), ("boletos", 3, 1), (rows[2][0], 0, 0)]  # least helpful first
    assert '<td class="field-helpfulness">75%</td>' in page
    assert '<td class="field-helpfulness">—</td>' in page  # the starter articles, unanswered


def test_an_article_written_in_the_admin_is_sanitised(client, admin_user, profile):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:kb_article_add"),
        {
            "title": "Nota de débito",
            "slug": "nota-de-debito",
            "body": '<p>Emitida após o pagamento.<script>alert("x")</script></p>',
            "title_en": "",
            "body_en": "",
            "department": "",
            "published": "on",
            "position": "0",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="nota-de-debito")
    assert article.body == "<p>Emitida após o pagamento.</p>" and article.published
