"""The reports area of the console: thin — validate the filters, build the scope from the
viewer's choices, call the report's function, render it as a page or one table as CSV."""

import csv

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from balcao.accounts.access import staff_required
from balcao.reports import charts
from balcao.reports.forms import ReportForm
from balcao.reports.selectors import REPORTS, ReportSpec, Table, report_choices
from balcao.reports.templatetags.reports_tags import csv_cell, csv_header


def _spec(slug: str) -> ReportSpec:
    try:
        return REPORTS[slug]
    except KeyError:
        raise Http404 from None


@require_GET
@staff_required
def report(request, slug: str = "volume"):
    spec = _spec(slug)
    form = ReportForm(report_choices(request.user), request.GET.dict())
    result = None
    if form.is_valid():
        page = request.GET.get("page", "1")
        result = spec.build(form.scope(int(page) if page.isdigit() else 1))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/report.html",
        {
            "spec": spec,
            "reports": REPORTS.values(),
            "form": form,
            "result": result,
            "chart": charts.geometry(result.chart) if result else None,
            "query": query.urlencode(),
        },
        status=200 if form.is_valid() else 400,
    )


@require_GET
@staff_required
def report_csv(request, slug: str, table: str):
    spec = _spec(slug)
    form = ReportForm(report_choices(request.user), request.GET.dict())
    if not form.is_valid():
        errors = [str(e) for field in form.errors.values() for e in field]
        return HttpResponseBadRequest("\n".join(errors), content_type="text/plain; charset=utf-8")
    found = [t for t in spec.build(form.scope(None)).tables if t.key == table]
    if not found:
        raise Http404
    data = form.cleaned_data
    name = f"{slugify(str(spec.title))}-{table}-{data['start']}-{data['end']}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    _write(response, found[0])
    return response


def _write(response: HttpResponse, table: Table) -> None:
    """The table as shown (every row of a ranked list), a header line first; numbers as
    numbers, durations in business hours."""
    response.write("\ufeff")  # spreadsheets then read the accents as UTF-8
    writer = csv.writer(response)
    writer.writerow([csv_header(c.label, c.kind) for c in table.columns])
    for row in [*table.rows, *([table.total] if table.total else [])]:
        writer.writerow(
            [csv_cell(value, column.kind) for value, column in zip(row, table.columns, strict=True)]
        )
