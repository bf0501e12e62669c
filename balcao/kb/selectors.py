"""Reading help articles. Published articles are public; staff also see drafts (a preview)."""

from django.db.models import Count, F, FloatField, Q, QuerySet
from django.db.models.functions import Cast, NullIf
from django.utils.translation import gettext as _

from balcao.accounts.models import User, Viewer
from balcao.core.errors import NotFound
from balcao.kb.models import Answer, Article


def visible_articles(viewer: Viewer) -> QuerySet[Article]:
    articles = Article.objects.all()
    if not getattr(viewer, "is_agent", False):
        articles = articles.filter(published=True)
    return articles


def list_articles(viewer: Viewer, *, q: str = "") -> QuerySet[Article]:
    """Articles grouped by department (general ones first), then by position and title;
    ``q`` finds words in the title or text, in either language."""
    articles = visible_articles(viewer).select_related("department")
    q = q.strip()
    if q:
        articles = articles.filter(
            Q(title__icontains=q)
            | Q(title_en__icontains=q)
            | Q(body__icontains=q)
            | Q(body_en__icontains=q)
        )
    return articles.order_by(
        F("department__position").asc(nulls_first=True), "department__name", "position", "title"
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
