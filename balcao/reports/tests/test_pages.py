"""The reports as staff use them: pages, filters and their errors, access, CSV, query counts."""

import csv
import io
import re
from html import unescape

import pytest
from django.urls import reverse

from balcao.factories import SESSION
from balcao.reports.selectors import REPORTS
from balcao.reports.tests.conftest import PERIOD

pytestmark = pytest.mark.django_db


def url(slug: str) -> str:
    return reverse("reports:report", args=[slug])


def html_table(html: str, key: str) -> list[list[str]]:
    """The cells of one table of a page, as text, header and footer included."""
    table = re.search(rf'<table class="list report" id="data-{key}">(.*?)</table>', html, re.S)
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    ]


def test_a_customer_finds_no_reports(helpdesk, client):
    client.force_login(helpdesk.tickets["t1"].requester)
    assert client.get(url("volume")).status_code == 404
    assert client.get(reverse("reports:csv", args=["volume", "days"])).status_code == 404


def test_every_report_page_with_its_chart_and_period(helpdesk, client):
    client.force_login(helpdesk.admin)
    for slug in REPORTS:
        response = client.get(url(slug), PERIOD)
        assert response.status_code == 200, slug
        html = response.content.decode()
        assert 'value="2026-04-30"' in html and 'value="2026-05-06"' in html  # the dates shown
        assert '<svg role="img" aria-labelledby="chart-title chart-desc"' in html, slug
        assert '<title id="chart-title">' in html and 'class="list report"' in html
        assert "— %" not in html
    assert client.get(reverse("reports:index")).status_code == 200  # the last 30 days
    assert client.get(url("nada")).status_code == 404


def test_the_menu_leads_to_the_reports(helpdesk, client):
    client.force_login(helpdesk.ana)
    html = client.get(reverse("console:home")).content.decode()
    assert f'href="{reverse("reports:index")}"' in html and "Relatórios" in html


def test_filters_are_validated_with_a_clear_error(helpdesk, client):
    client.force_login(helpdesk.ana)
    cases = [
        ({"department": "financeiro"}, "Escolha um dos departamentos em que você trabalha."),
        ({"plan": "ouro"}, "Escolha um dos planos."),
        ({"agent": str(helpdesk.bruno.pk)}, "Escolha um agente dos seus departamentos."),
        ({"start": "2026-05-06", "end": "2026-04-30"}, "O período termina antes de começar."),
        (
            {"start": "2024-01-01", "end": "2026-05-06"},
            "Escolha um período de no máximo dois anos.",
        ),
        ({"start": "ontem"}, "Informe uma data válida."),
    ]
    for query, message in cases:
        response = client.get(url("volume"), {**PERIOD, **query})
        assert response.status_code == 400, query
        assert message in response.content.decode(), query
        assert response.context["result"] is None
        csv_response = client.get(
            reverse("reports:csv", args=["volume", "days"]), {**PERIOD, **query}
        )
        assert csv_response.status_code == 400 and message in csv_response.content.decode()


def test_an_agent_never_sees_another_departments_numbers(helpdesk, client):
    client.force_login(helpdesk.bruno)  # financeiro only
    for slug in REPORTS:
        response = client.get(url(slug), PERIOD)
        html = response.content.decode()
        assert "Suporte" not in html and "Mega Store" not in html, slug
        assert "Ouvidoria" not in html, slug
    volume = client.get(url("volume"), PERIOD).context["result"]
    assert [row[0] for row in volume.tables[1].rows] == ["Financeiro"]
    assert volume.tables[1].total[1:] == [1, 0]
    days = client.get(reverse("reports:csv", args=["volume", "days"]), PERIOD).content.decode()
    assert sum(int(row[1]) for row in list(csv.reader(io.StringIO(days.lstrip("\ufeff"))))[1:]) == 1


def test_staff_of_no_department_see_empty_reports(helpdesk, client):
    from balcao.factories import StaffFactory

    client.force_login(StaffFactory(departments=[]))
    for slug in REPORTS:
        response = client.get(url(slug), PERIOD)
        assert response.status_code == 200, slug
        assert "Mega Store" not in response.content.decode()
    assert client.get(url("tempos"), PERIOD).context["result"].tables[0].total[1] == 0


def test_the_ouvidoria_only_for_directors(helpdesk, client):
    client.force_login(helpdesk.director)
    html = client.get(url("volume"), PERIOD).content.decode()
    assert "Ouvidoria" in html and "Suporte" not in html
    client.force_login(helpdesk.ana)
    assert "Ouvidoria" not in client.get(url("volume"), PERIOD).content.decode()


def test_every_csv_equals_its_table(helpdesk, client):
    client.force_login(helpdesk.admin)
    for slug in REPORTS:
        page = client.get(url(slug), PERIOD)
        html = page.content.decode()
        for table in page.context["result"].tables:
            response = client.get(reverse("reports:csv", args=[slug, table.key]), PERIOD)
            assert response["Content-Type"] == "text/csv; charset=utf-8"
            assert f"-{table.key}-2026-04-30-2026-05-06.csv" in response["Content-Disposition"]
            lines = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
            shown = html_table(html, table.key)
            assert len(lines) == len(shown), (slug, table.key)
            for written, cells in zip(lines[1:], shown[1:], strict=True):
                assert written[0] == cells[0] or written[0] == _iso(cells[0])
                for value, cell, column in zip(
                    written[1:], cells[1:], table.columns[1:], strict=True
                ):
                    assert _same(value, cell, column.kind), (slug, table.key, value, cell)


def _iso(day: str) -> str:
    d, m, y = day.split("/")
    return f"{y}-{m}-{d}"


def _same(value: str, cell: str, kind: str) -> bool:
    """A CSV value (a number, hours) against the cell the page shows ("66,7 %", "4 h 24 min")."""
    if value == "":
        return cell == "—"
    if kind == "duration":
        hours, minutes = re.match(r"(\d+) h (\d+) min", cell).groups()
        return abs(float(value) - (int(hours) + int(minutes) / 60)) < 0.01
    if kind == "percent":
        return cell == f"{float(value):.1f} %".replace(".", ",")
    if kind == "decimal":
        return cell == f"{float(value):.2f}".replace(".", ",")
    return value == cell


def test_the_company_ranking_pages(helpdesk, client, settings):
    from balcao.reports.selectors import shares  # where companies() reads it

    client.force_login(helpdesk.admin)
    original = shares.COMPANIES_PER_PAGE
    shares.COMPANIES_PER_PAGE = 1
    try:
        first = client.get(url("empresas"), PERIOD)
        second = client.get(url("empresas"), {**PERIOD, "page": 2})
        every = client.get(reverse("reports:csv", args=["empresas", "companies"]), PERIOD)
    finally:
        shares.COMPANIES_PER_PAGE = original
    assert [r[0] for r in first.context["result"].tables[0].rows] == ["Mega Store"]
    assert [r[0] for r in second.context["result"].tables[0].rows] == ["Loja Pequena"]
    assert "página 1 de 2" in first.content.decode()
    assert "Mega Store" in every.content.decode() and "Loja Pequena" in every.content.decode()


PINNED = {
    # the session (SESSION), user, departments, plans, agents, then the report's own queries;
    # one table each
    "volume": (SESSION + 6, "days"),
    "pendentes": (SESSION + 5, "statuses"),
    "tempos": (SESSION + 5, "departments"),
    "sla": (SESSION + 5, "departments"),
    "reaberturas": (SESSION + 5, "departments"),
    "satisfacao": (SESSION + 5, "departments"),
    "canais": (SESSION + 5, "channels"),
    "planos": (SESSION + 5, "plans"),
    "empresas": (SESSION + 6, "companies"),
}


@pytest.mark.parametrize("slug", PINNED)
def test_pinned_query_counts(helpdesk, client, django_assert_num_queries, slug):
    count, key = PINNED[slug]
    client.force_login(helpdesk.admin)
    client.get(url(slug), PERIOD)
    with django_assert_num_queries(count):
        assert client.get(url(slug), PERIOD).status_code == 200
    csv_count = count - 1 if slug == "empresas" else count  # every company: no page to count
    with django_assert_num_queries(csv_count):
        assert client.get(reverse("reports:csv", args=[slug, key]), PERIOD).status_code == 200
