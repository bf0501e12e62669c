from django.contrib import admin
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from balcao.kb.actions import do_save_article
from balcao.kb.models import Article, Category
from balcao.kb.selectors import count_deflections, with_answer_counts


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Help articles, with what readers answered to "Este artigo foi útil para você?"."""

    list_display = [
        "title",
        "category",
        "published",
        "position",
        "deflections",
        "helpful",
        "unhelpful",
        "helpfulness",
        "updated_at",
    ]
    list_display_links = ["title"]
    list_editable = ["published", "position"]
    list_filter = ["published", "category"]
    list_select_related = ["category"]
    show_full_result_count = False  # one count less; the filtered count is shown
    search_fields = ["title", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    fields = [
        "title",
        "slug",
        "body",
        "title_en",
        "body_en",
        "category",
        "department",
        "published",
        "position",
    ]

    def get_queryset(self, request):
        return count_deflections(with_answer_counts(super().get_queryset(request)))

    def save_model(self, request, obj, form, change):
        do_save_article(obj)

    @admin.display(description=_("solved before a ticket"), ordering="deflected")
    def deflections(self, article) -> int:
        """R9: "this solved it" while writing a ticket, and no ticket within 72 hours."""
        return article.deflected

    @admin.display(description=_("helpful (yes)"), ordering="helpful_count")
    def helpful(self, article) -> int:
        return article.helpful_count

    @admin.display(description=_("not helpful (no)"), ordering="unhelpful_count")
    def unhelpful(self, article) -> int:
        return article.unhelpful_count

    @admin.display(
        description=_("found it helpful"),
        ordering=F("helpful_ratio").asc(nulls_last=True),  # least helpful first, on any database
        empty_value="—",
    )
    def helpfulness(self, article) -> str | None:
        if article.helpful_ratio is None:
            return None
        return f"{article.helpful_ratio:.0%}"
