from django.contrib import admin
from django.contrib.admin.views.main import IGNORED_PARAMS, PAGE_VAR
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from balcao.core.admin import ShownInListsAdmin
from balcao.search.selectors import match_tickets
from balcao.tickets.actions import do_save_canned_response
from balcao.tickets.models import CannedResponse, DepartmentOptions, PriorityPolicy, Tag, Ticket
from balcao.tickets.selectors import kept_count_rows


class KeptCountPaginator(Paginator):
    """A paginator whose count, given ``kept`` (``tickets.selectors.kept_count_rows``), is the
    sum of the counts the database keeps: no ticket read to count them."""

    def __init__(self, *args, kept=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kept = kept

    @cached_property
    def count(self) -> int:
        return sum(self.kept) if self.kept is not None else super().count


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change through the console and its actions, never here. At a million
    tickets the list counted the whole table twice (48 ms each on PostgreSQL) and searched by
    scanning every ticket's text (1.9 s): it counts once, from the counts the database keeps
    when filtered by status or department alone, and searches as the console does, along the
    full-text index."""

    list_display = [
        "number",
        "subject",
        "status",
        "department",
        "company",
        "assignee",
        "updated_at",
    ]
    list_filter = ["status", "department"]
    search_fields = ["number", "subject", "requester_email"]  # (the box; searched below)
    search_help_text = _("Words, number, requester, company or CNPJ")
    list_select_related = ["department", "company", "assignee"]
    show_full_result_count = False
    list_per_page = 25  # as the console's list: the admin's templates render 100 rows in ~50 ms

    COUNTED = ("status__exact", "department__id__exact")  # the filters the kept counts know

    def get_search_results(self, request, queryset, search_term):
        return match_tickets(queryset, search_term, staff=True), False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return KeptCountPaginator(
            queryset, per_page, orphans, allow_empty_first_page, kept=self._kept(request)
        )

    def _kept(self, request):
        """The kept count rows of the list's filters, or None if another filter is set."""
        asked = {
            name: value
            for name, value in request.GET.items()
            if name not in IGNORED_PARAMS and name != PAGE_VAR
        }
        if request.GET.get("q", "").strip() or set(asked) - set(self.COUNTED):
            return None
        department = asked.get("department__id__exact")
        if department is not None and not department.isdigit():
            return None
        rows = kept_count_rows(request.user, status=asked.get("status__exact", ""))
        if rows is not None and department is not None:
            rows = rows.filter(department_id=int(department))
        return rows

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    """The team's canned replies, kept by administrators; agents' own are theirs (console)."""

    list_display = ["title", "department", "owner", "set_status", "assign_to_me", "add_tags"]
    list_filter = ["department"]
    search_fields = ["title", "body"]
    exclude = ["owner", "created_at"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.owner_id is None)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        saved = do_save_canned_response(
            actor=request.user,
            canned=CannedResponse.objects.get(pk=obj.pk) if change else None,
            title=obj.title,
            body=obj.body,
            department=obj.department,
            shared=True,
            set_status=obj.set_status,
            assign_to_me=obj.assign_to_me,
            add_tags=obj.add_tags,
        )
        obj.pk = saved.pk


@admin.register(PriorityPolicy)
class PriorityPolicyAdmin(admin.ModelAdmin):
    list_display = ["priority", "sla_percent"]


@admin.register(DepartmentOptions)
class DepartmentOptionsAdmin(admin.ModelAdmin):
    list_display = ["department", "customers_set_priority"]


@admin.register(Tag)
class TagAdmin(ShownInListsAdmin):
    search_fields = ["name"]
