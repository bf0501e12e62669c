from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from balcao.core.models import Localized


class Category(Localized, models.Model):
    """A shelf of the help centre: one per department at least, plus general ones."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name (pt-BR)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Article(Localized, models.Model):
    """A help article (R16), in pt-BR (``title``, ``body``) and English (``*_en``).

    The body is HTML, sanitised on the way in by ``kb.actions.do_save_article``.
    """

    title = models.CharField(_("title (pt-BR)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    body = models.TextField(
        _("text (pt-BR)"),
        help_text=_(
            "HTML: paragraphs, headings, lists, links, bold. Scripts, styles and event"
            " attributes are removed when saving."
        ),
    )
    body_en = models.TextField(_("text (English)"), blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name=_("department"),
        help_text=_("Empty: a general article, listed first."),
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name=_("category"),
    )
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Only published articles reach customers.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("help article")
        verbose_name_plural = _("help articles")
        indexes = [models.Index(fields=["published", "position"], name="kb_article_published")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("kb:article", args=[self.slug])


class Answer(models.Model):
    """A reader's answer to "Este artigo foi útil para você?": one per reader and article,
    changed in place when the reader changes their mind."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="answers", verbose_name=_("article")
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reader"),
    )
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["article", "reader"], name="kb_one_answer_per_reader")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"


class Deflection(models.Model):
    """A contact said a suggested article solved what they were about to ask (R9). It counts
    as a deflection unless the same contact opens a ticket within 72 hours anyway
    (``kb.selectors.count_deflections``)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="deflections", verbose_name=_("article")
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reader"),
    )
    created_at = models.DateTimeField(_("solved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")
        indexes = [models.Index(fields=["article", "created_at"])]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.reader_id}"
