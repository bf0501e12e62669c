"""Geometry of the server-rendered SVG charts: plain numbers for the templates to draw, so the
pages need no chart library and no script. Each chart's figures are also in a table."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import formats

from balcao.reports.selectors import Chart
from balcao.sla.templatetags.sla_tags import business_hours, percent

COLOURS = ["#2c6db3", "#7fb069", "#d08c34"]
BAR_WIDTH = 300  # pixels for the largest value (100 % for percentages)
BAR_HEIGHT = 14
LABEL_WIDTH = 180
LINE_WIDTH = 720
LINE_HEIGHT = 180
LEFT, BOTTOM, TOP = 44, 22, 8


def shown(value: float, unit: str) -> str:
    if unit == "percent":
        return percent(value)
    if unit == "hours":
        return business_hours(timedelta(hours=value))
    return formats.number_format(round(value))


@dataclass
class Bar:
    y: int
    width: int
    colour: str
    series: str
    text: str


def bars(chart: Chart) -> dict:
    """One row per label, one bar per series in it, scaled to the largest value."""
    count = len(chart.series)
    top = (
        100.0
        if chart.unit == "percent"
        else max((max(v, default=0) for _n, v in chart.series), default=0)
    )
    step = count * (BAR_HEIGHT + 2) + 10
    rows = []
    for i, label in enumerate(chart.labels):
        y = i * step
        rows.append(
            {
                "label": label,
                "label_y": y + BAR_HEIGHT,
                "bars": [
                    Bar(
                        y=y + k * (BAR_HEIGHT + 2),
                        width=round(values[i] * BAR_WIDTH / top) if top else 0,
                        colour=COLOURS[k % len(COLOURS)],
                        series=str(name),
                        text=shown(values[i], chart.unit),
                    )
                    for k, (name, values) in enumerate(chart.series)
                ],
            }
        )
    return {
        "rows": rows,
        "width": LABEL_WIDTH + BAR_WIDTH + 90,
        "height": max(len(rows) * step, 1),
        "bar_x": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "legend": _legend(chart),
    }


def lines(chart: Chart) -> dict:
    """One polyline per series over the days, with the largest value and the first and last
    day marked."""
    n = len(chart.labels)
    top = max((max(v, default=0) for _n, v in chart.series), default=0) or 1
    plot_w, plot_h = LINE_WIDTH - LEFT - 10, LINE_HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return round(LEFT + (i * plot_w / (n - 1) if n > 1 else plot_w / 2), 1)

    def y(v: float) -> float:
        return round(TOP + plot_h * (1 - v / top), 1)

    days = [date.fromisoformat(label) for label in chart.labels]
    return {
        "polylines": [
            {
                "points": " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values)),
                "colour": COLOURS[k % len(COLOURS)],
                "series": str(name),
            }
            for k, (name, values) in enumerate(chart.series)
        ],
        "width": LINE_WIDTH,
        "height": LINE_HEIGHT,
        "left": LEFT,
        "right": LINE_WIDTH - 10,
        "top": TOP,
        "bottom": LINE_HEIGHT - BOTTOM,
        "top_label": formats.number_format(round(top)),
        "first_day": formats.date_format(days[0], "SHORT_DATE_FORMAT") if days else "",
        "last_day": formats.date_format(days[-1], "SHORT_DATE_FORMAT") if days else "",
        "legend": _legend(chart),
    }


def _legend(chart: Chart) -> list[tuple[str, str]]:
    return [(COLOURS[k % len(COLOURS)], str(name)) for k, (name, _v) in enumerate(chart.series)]


def geometry(chart: Chart | None) -> dict | None:
    if chart is None or not chart.labels:
        return None
    return {
        "kind": chart.kind,
        "title": str(chart.title),
        **(lines if chart.kind == "lines" else bars)(chart),
    }
