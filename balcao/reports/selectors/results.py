"""What a report returns — tables, a chart, notes — and the small helpers that fill them: a
share, column sums, one counted table with its bar chart."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Label = str | Promise


@dataclass(frozen=True)
class Column:
    label: Label
    kind: str = "count"  # text | date | count | percent | duration


@dataclass
class Table:
    key: str
    title: Label
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None = None
    page: Page[Any] | None = None

    @property
    def shown_columns(self) -> list[Column]:
        """The columns with their labels translated once, not once per cell of a long table."""
        return [Column(str(column.label), column.kind) for column in self.columns]

    @property
    def cells(self) -> list[list[tuple[Any, Column]]]:
        """Each row's values beside their column, for the templates."""
        columns = self.shown_columns
        return [list(zip(row, columns, strict=True)) for row in self.rows]

    @property
    def total_cells(self) -> list[tuple[Any, Column]]:
        return list(zip(self.total, self.shown_columns, strict=True)) if self.total else []


@dataclass(frozen=True)
class Chart:
    """``kind`` "bars" (one bar per label and series) or "lines" (one point per label);
    ``unit`` "count", "hours" or "percent" (bars out of 100)."""

    kind: str
    title: Label
    labels: list[str]
    series: list[tuple[Label, list[float]]]
    unit: str = "count"


@dataclass
class Result:
    tables: list[Table]
    chart: Chart | None = None
    notes: list[Label] = field(default_factory=list)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _sum(rows: Iterable[Sequence[Any]], columns: slice) -> list[int]:
    """Column sums of the counts at ``columns`` of each row."""
    sums: list[int] = []
    for row in rows:
        values = list(row[columns])
        sums = [a + b for a, b in zip(sums, values, strict=True)] if sums else values
    return sums


def _counted(
    names: tuple[str, Label, Label, Label],
    rows: list[list[Any]],
    total: int,
    notes: Sequence[Label] = (),
) -> Result:
    """One table of [name, tickets, share] rows under ``names`` (key, title, what a row is,
    the chart's title), with its total and a bar chart of the tickets."""
    key, title, label, chart_title = names
    return Result(
        tables=[
            Table(
                key,
                title,
                [Column(label, "text"), Column(_("Tickets")), Column(_("Share"), "percent")],
                rows,
                total=[_("Total"), total, percent(total, total)],
            )
        ],
        chart=Chart(
            "bars", chart_title, [r[0] for r in rows], [(_("Tickets"), [r[1] for r in rows])]
        ),
        notes=list(notes),
    )
