"""The SLA report for staff: thin — parse the period, call the selector, render."""

from datetime import datetime, time, timedelta

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from balcao.accounts.access import staff_required
from balcao.sla.forms import PeriodForm
from balcao.sla.selectors import sla_report

BAR_WIDTH = 300  # pixels for 100 %
BAR_HEIGHT = 14


def _bars(rows) -> list[dict]:
    """Geometry of the chart: per department, first-response and resolution compliance."""
    bars = []
    for index, row in enumerate(rows):
        y = index * (2 * BAR_HEIGHT + 14)
        bars.append(
            {
                "label": row.label,
                "y": y,
                "label_y": y + BAR_HEIGHT,
                "second_y": y + BAR_HEIGHT + 2,
                "first": row.first_compliance,
                "resolution": row.resolution_compliance,
                "first_width": round((row.first_compliance or 0) * BAR_WIDTH / 100),
                "resolution_width": round((row.resolution_compliance or 0) * BAR_WIDTH / 100),
            }
        )
    return bars


@require_GET
@staff_required
def report(request):
    form = PeriodForm(request.GET or PeriodForm.last_30_days())
    report = None
    if form.is_valid():
        zone = timezone.get_current_timezone()
        start = datetime.combine(form.cleaned_data["start"], time(), zone)
        end = datetime.combine(form.cleaned_data["end"] + timedelta(days=1), time(), zone)
        report = sla_report(request.user, start, end)
    bars = _bars(report.departments) if report else []
    return render(
        request,
        "sla/report.html",
        {
            "form": form,
            "report": report,
            "bars": bars,
            "bar_height": BAR_HEIGHT,
            "chart_height": len(bars) * (2 * BAR_HEIGHT + 14),
            "bar_width": BAR_WIDTH,
        },
    )
