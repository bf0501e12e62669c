"""Reading help articles. Published articles are public; staff also see drafts (a preview)."""

from datetime import timedelta

from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils.translation import gettext as _

from balcao.accounts.models import User, Viewer
from balcao.core.errors import NotFound
from balcao.kb.models import Answer, Article, Deflection
from balcao.search.selectors import match_articles
from balcao.tickets.models import Ticket

# A ticket opened this soon after "this solved it" means it did not (R9).
DEFLECTION_WINDOW = timedelta(hours=72)


def visible_articles(viewer: Viewer) -> QuerySet[Article]:
    articles = Article.objects.all()
    if not getattr(viewer, "is_agent", False):
        articles = articles.filter(published=True)
    return articles


def list_articles(viewer: Viewer, *, q: str = "") -> QuerySet[Article]:
    """Articles by category (uncategorised ones first), then by position and title. With
    ``q``, those having its words in either language (the search engine), best first."""
    articles = visible_articles(viewer).select_related("category", "department")
    if q.strip():
        return match_articles(articles, q)
    return articles.order_by(
        F("category__position").asc(nulls_first=True), "category__name", "position", "title"
    )


def suggest_articles(viewer: User, text: str, *, limit: int = 3) -> list[Article]:
    """While a customer writes a ticket (R9): the articles best matching any meaningful word
    of what was typed so far."""
    return list(match_articles(visible_articles(viewer), text, any_word=True)[:limit])


def count_deflections(articles: QuerySet[Article]) -> QuerySet[Article]:
    """``deflected`` on each article: readers it solved something for (R9), less those who
    opened a ticket within 72 hours of saying so."""
    opened_after = Ticket.objects.filter(
        requester_email=OuterRef("reader__email"),
        created_at__gte=OuterRef("created_at"),
        created_at__lt=OuterRef("created_at") + DEFLECTION_WINDOW,
    )
    held = Deflection.objects.filter(article=OuterRef("pk")).exclude(Exists(opened_after))
    return articles.annotate(
        deflected=Coalesce(
            Subquery(
                held.order_by().values("article").annotate(n=Count("pk")).values("n"),
            ),
            0,
        )
    )


def get_article(viewer: Viewer, slug: str) -> Article:
    try:
        return visible_articles(viewer).select_related("department").get(slug=slug)
    except Article.DoesNotExist:
        raise NotFound(_("This article does not exist or is not published.")) from None


def reader_answer(viewer: Viewer, article: Article) -> Answer | None:
    """The viewer's own answer to the article, if any."""
    if not isinstance(viewer, User):
        return None
    return Answer.objects.filter(article=article, reader=viewer).first()


def with_answer_counts(articles: QuerySet[Article]) -> QuerySet[Article]:
    """``helpful_count``, ``unhelpful_count`` and ``helpful_ratio`` (0–1, None without
    answers) on each article, in the same query."""
    return articles.annotate(
        helpful_count=Count("answers", filter=Q(answers__helpful=True)),
        unhelpful_count=Count("answers", filter=Q(answers__helpful=False)),
    ).annotate(
        helpful_ratio=Cast("helpful_count", FloatField())
        / NullIf(F("helpful_count") + F("unhelpful_count"), 0)
    )
