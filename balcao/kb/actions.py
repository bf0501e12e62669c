"""Every change to help articles and their answers."""

from django.db import transaction
from django.utils.translation import gettext as _

from balcao.accounts.models import User
from balcao.core.errors import ActionRefused, NotFound
from balcao.core.html import sanitize_html
from balcao.customers.selectors import get_contact
from balcao.kb.models import Answer, Article


@transaction.atomic
def do_save_article(article: Article) -> Article:
    """Create or update an article (the admin saves through here): both texts sanitised."""
    article.body = sanitize_html(article.body)
    article.body_en = sanitize_html(article.body_en)
    article.save()
    return article


@transaction.atomic
def do_answer_article(article: Article, *, reader: User, helpful: bool) -> Answer:
    """Record whether ``article`` helped ``reader``: one answer per reader, the last one counts.

    Readers are the contacts of active customer companies; staff answers would skew the count.
    """
    if get_contact(reader) is None:
        raise ActionRefused(
            _("Only customer contacts answer whether an article helped."), code="not_a_reader"
        )
    if not Article.objects.select_for_update().filter(pk=article.pk, published=True).exists():
        raise NotFound(_("This article does not exist or is not published."))
    answer, _created = Answer.objects.update_or_create(
        article=article, reader=reader, defaults={"helpful": helpful}
    )
    return answer
