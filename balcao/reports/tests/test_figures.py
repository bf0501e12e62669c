"""Every figure of every report against the hand-built helpdesk of conftest.py, on the
database the suite runs on (SQLite, or PostgreSQL with DATABASE_URL)."""

from datetime import timedelta

import pytest

from balcao.accounts.models import Department
from balcao.customers.models import Plan
from balcao.reports.selectors import (
    TOTAL,
    ReportScope,
    backlog,
    channels,
    companies,
    durations,
    plans,
    reopens,
    report_choices,
    satisfaction,
    sla,
    times,
    volume,
)
from balcao.reports.tests.conftest import END, START
from balcao.tickets.models import Ticket

pytestmark = pytest.mark.django_db
H, M = timedelta(hours=1), timedelta(minutes=1)


def scope(viewer, **filters) -> ReportScope:
    return ReportScope(choices=report_choices(viewer), start=START, end=END, **filters)


def rows(result, key: str) -> dict:
    table = next(t for t in result.tables if t.key == key)
    return {str(row[0]): row[1:] for row in table.rows}


def total(result, key: str) -> list:
    return next(t for t in result.tables if t.key == key).total[1:]


def test_volume_per_day_in_brasilia_and_per_department(helpdesk):
    result = volume(scope(helpdesk.admin))
    days = rows(result, "days")
    assert len(days) == 7  # every day of the period, the empty ones too
    assert days["2026-04-30"] == [1, 0]
    assert days["2026-05-01"] == [0, 0]  # the holiday
    assert days["2026-05-04"] == [2, 1]  # T2, T3 opened; T1 closed (T2 was reopened since)
    # T5, and T4 at 22:30 in Brasília although already Wednesday in UTC; T2 closed again
    assert days["2026-05-05"] == [2, 1]
    assert days["2026-05-06"] == [0, 0]
    departments = rows(result, "departments")
    assert departments["Suporte"] == [3, 2]
    assert departments["Financeiro"] == [1, 0]
    assert departments["Atendimento"] == [1, 0]
    assert departments["Ouvidoria"] == [0, 0]
    assert total(result, "departments") == [5, 2]
    assert result.chart.series[0][1] == [1, 0, 0, 0, 2, 2, 0]


def test_backlog_is_now_whatever_the_period(helpdesk):
    result = backlog(scope(helpdesk.admin))
    statuses = rows(result, "statuses")
    assert statuses["Em aberto"] == [3, 75.0]  # T0 (before the period), T3, T4
    assert statuses["Respondido"] == [1, 25.0]  # T5
    assert statuses["Em andamento"] == [0, 0.0]
    assert total(result, "statuses") == [4, 100.0]


def test_business_times_median_and_90th_percentile(helpdesk):
    result = times(scope(helpdesk.admin))
    suporte = rows(result, "departments")["Suporte"]
    # opened, answered, median and p90 of first response, closed, median and p90 of resolution
    # first responses 30 min, 2 h, 5 h: p90 = 2 h + 0.8 × 3 h; resolutions 1 h 30, 2 h
    assert suporte == [3, 3, 2 * H, 4 * H + 24 * M, 2, 105 * M, 117 * M]
    assert rows(result, "departments")["Financeiro"] == [1, 0, None, None, 0, None, None]
    assert rows(result, "departments")["Atendimento"] == [1, 0, None, None, 0, None, None]
    assert total(result, "departments") == [5, 3, 2 * H, 4 * H + 24 * M, 2, 105 * M, 117 * M]
    assert rows(result, "agents") == {"Ana Suporte": suporte}


def test_durations_of_one_value_and_of_none(helpdesk):
    one = Ticket.objects.filter(pk=helpdesk.tickets["t1"].pk)
    assert durations(one, ["department_id"])[TOTAL][0].first == [2 * H, 2 * H]
    assert durations(Ticket.objects.none(), ["department_id"]) == {"department_id": {}, TOTAL: {}}
    unanswered = Ticket.objects.filter(pk=helpdesk.tickets["t3"].pk)
    found = durations(unanswered, ["department_id", "assignee_id"])
    assert list(found["department_id"].values())[0].row() == [1, 0, None, None, 0, None, None]
    assert found["assignee_id"][None].tickets == 1  # nobody's: the caller leaves it out
    assert found[TOTAL][0].row() == [1, 0, None, None, 0, None, None]


def test_sla_compliance_per_department_and_plan(helpdesk):
    result = sla(scope(helpdesk.admin))
    departments = rows(result, "departments")
    # first response met (T1, T2) and breached (T5, late); resolution met (T1, T2 closed)
    assert departments["Suporte"] == [2, 1, 66.7, 2, 0, 100.0]
    assert departments["Financeiro"] == [0, 1, 0.0, 0, 0, None]  # T3's due passed, unanswered
    assert departments["Atendimento"] == [0, 0, None, 0, 0, None]  # unlinked: no clock
    plan_rows = rows(result, "plans")
    assert plan_rows["TEAM"] == [2, 1, 66.7, 2, 0, 100.0]
    assert plan_rows["Essencial"] == [0, 1, 0.0, 0, 0, None]
    assert total(result, "departments") == [2, 2, 50.0, 2, 0, 100.0]


def test_reopen_rate(helpdesk):
    result = reopens(scope(helpdesk.admin))
    assert rows(result, "departments") == {"Suporte": [2, 1, 50.0]}  # T1, T2 closed; T2 again
    assert total(result, "departments") == [2, 1, 50.0]


def test_tickets_per_channel_plan_and_company(helpdesk):
    admin = scope(helpdesk.admin)
    assert rows(channels(admin), "channels") == {
        "Área do Cliente": [4, 80.0],
        "E-mail": [1, 20.0],
    }
    assert rows(plans(admin), "plans") == {
        "Essencial": [1, 20.0],
        "TEAM": [3, 60.0],
        "Sem empresa (não vinculado)": [1, 20.0],
    }
    ranked = companies(admin).tables[0]
    assert ranked.rows == [["Mega Store", "TEAM", 3, 1], ["Loja Pequena", "Essencial", 1, 1]]
    assert ranked.page.paginator.count == 2


def test_filters_department_plan_agent(helpdesk):
    admin = report_choices(helpdesk.admin)
    suporte = Department.objects.get(slug="suporte")
    essencial = Plan.objects.get(slug="essencial")
    assert rows(volume(scope(helpdesk.admin, department=suporte)), "departments") == {
        "Suporte": [3, 2]
    }
    assert rows(channels(scope(helpdesk.admin, plan=essencial)), "channels") == {
        "Área do Cliente": [1, 100.0]
    }
    ana = next(a for a in admin.agents if a.pk == helpdesk.ana.pk)
    by_ana = scope(helpdesk.admin, agent=ana)
    assert total(volume(by_ana), "departments") == [3, 2]
    assert total(backlog(by_ana), "statuses") == [1, 100.0]  # T5


def test_merged_duplicates_are_not_counted(helpdesk):
    t5 = helpdesk.tickets["t5"]
    from balcao.factories import open_ticket
    from balcao.tickets.actions import do_merge_ticket

    duplicate = open_ticket(t5.requester, subject="Frete de novo")
    before = total(volume(scope(helpdesk.admin)), "departments")
    do_merge_ticket(duplicate, actor=helpdesk.ana, into=t5)
    after = total(volume(scope(helpdesk.admin)), "departments")
    assert before == [6, 2] and after == [5, 2]


def test_satisfaction_per_department_and_agent(helpdesk):
    result = satisfaction(scope(helpdesk.admin))
    # closed, ratings, answer rate, average, CSAT (4 or 5), low scores (1 or 2)
    assert rows(result, "departments")["Suporte"] == [2, 2, 100.0, 3.5, 50.0, 1]
    assert rows(result, "departments")["Financeiro"] == [0, 0, None, None, None, 0]
    assert rows(result, "agents") == {"Ana Suporte": [2, 3.5, 50.0, 1]}
    assert total(result, "departments") == [2, 2, 100.0, 3.5, 50.0, 1]
    bruno = satisfaction(scope(helpdesk.bruno))
    assert rows(bruno, "agents") == {} and list(rows(bruno, "departments")) == ["Financeiro"]
