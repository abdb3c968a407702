"""The summary evaluation (总结评估): results per host unit and per university counted by hand, the
typical cases units put forward, a printable page and an audited workbook."""

from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

import form_worker
from form_worker.accounts.models import AuditEntry
from form_worker.reports import summary
from form_worker.reports.outcomes import SMALL
from tests.form_worker.conftest import StaffClient
from tests.helpers.statistics import STORY, A, B, C, Tables, positions_of, workbook

YEAR = 2026


def unit(app, position_id: str) -> str:
    positions = positions_of(app)
    return positions.unit_of(positions.by_id[position_id]).name


def figures_of(rows) -> list[tuple]:
    return [
        (
            r.key,
            r.outcome.placements,
            r.outcome.on_site,
            r.outcome.completed,
            r.outcome.ended_early,
            r.outcome.grades,
        )
        for r in rows
    ]


NO_GRADES = {"优秀": 0, "良好": 0, "合格": 0, "不合格": 0}


@pytest.mark.backend
def test_results_per_unit_and_per_university(app, session, figures) -> None:
    positions = positions_of(app)
    # A: a1 on time (优秀), a2 early (良好); B: a3 active, a4 signed; C: a5 withdrew after signing.
    assert figures_of(summary.by_unit(session, positions, YEAR)) == sorted(
        [
            (unit(app, A), 2, 0, 1, 1, {**NO_GRADES, "优秀": 1, "良好": 1}),
            (unit(app, B), 2, 2, 0, 0, NO_GRADES),
            (unit(app, C), 1, 0, 0, 1, NO_GRADES),
        ],
        key=lambda r: (-r[1], r[0]),
    )
    assert figures_of(summary.by_university(session, YEAR)) == [
        ("重庆大学", 3, 0, 1, 2, {**NO_GRADES, "优秀": 1, "良好": 1}),
        ("西南大学", 2, 2, 0, 0, NO_GRADES),
    ]
    # 2025 has its one completed internship, graded 合格, and nothing of 2026.
    assert figures_of(summary.by_unit(session, positions, 2025)) == [
        (unit(app, A), 1, 0, 1, 0, {**NO_GRADES, "合格": 1})
    ]


@pytest.mark.backend
def test_typical_cases_of_the_year(app, session, figures) -> None:
    positions = positions_of(app)
    cases, more = summary.typical_cases(session, positions, YEAR)
    title = positions.by_id[A].position.title
    assert cases == [summary.TypicalCase(unit(app, A), title, "见习生01", STORY)] and not more
    assert [c.story for c in summary.typical_cases(session, positions, 2025)[0]] == ["往年的案例"]


def test_typical_cases_are_capped(app, session, figures, monkeypatch) -> None:
    monkeypatch.setattr(summary, "MAX_CASES", 0)
    assert summary.typical_cases(session, positions_of(app), YEAR) == ([], True)


def test_the_printable_page(reviewer: StaffClient, app, figures) -> None:
    response = reviewer.get("/staff/reports/summary")
    assert response.status_code == 200
    page = response.text
    assert "<h1>2026 年度重庆市大学生科技见习计划总结评估</h1>" in page
    assert 'class="report printable"' in page and 'class="no-print"' in page
    tables = Tables(page).tables
    assert tables["table-funnel"][-1] == ["合计", "11", "", ""]
    assert tables["table-results-by-university"][1] == [
        "重庆大学",
        "3",
        "0",
        "1",
        "2",
        "33.3%",
        "1",
        "1",
        "0",
        "0",
        *("1", "0", "1", "0", "0", "50.0%"),  # 去向: a1 kept on, a2 to further study; 留用率
    ]
    none_recorded = ("0", "0", "0", "0", "0", "—")
    by_unit = tables["table-results-by-unit"]
    assert [unit(app, C), "1", "0", "0", "1", "0.0%", "0", "0", "0", "0", *none_recorded] in by_unit
    assert [unit(app, B), "2", "2", "0", "0", "—", "0", "0", "0", "0", *none_recorded] in by_unit
    assert [
        unit(app, A),
        "2",
        "0",
        "1",
        "1",
        "50.0%",
        "1",
        "1",
        "0",
        "0",
        "1",
        "0",
        "1",
        "0",
        "0",
        "50.0%",
    ] in (by_unit)
    # The same per position type and per district (A, B and C's types and districts from the catalogue).
    positions = positions_of(app)
    by_type = {row[0]: row for row in tables["table-results-by-type"][1:]}
    assert by_type[positions.by_id[A].position.type][10:] == ["1", "0", "1", "0", "0", "50.0%"]
    by_district = {row[0]: row for row in tables["table-results-by-district"][1:]}
    assert by_district[positions.by_id[A].position.workplace.district][10:] == [
        "1",
        "0",
        "1",
        "0",
        "0",
        "50.0%",
    ]
    assert STORY in page and "见习生01" in page and "往年的案例" not in page
    assert "table-cases" not in page  # the cases read as short articles on the page
    assert "table-priority" not in page and "低保家庭" not in page
    assert "<script" not in page and 'style="' not in page
    css = (Path(form_worker.__file__).parent / "static" / "worker.css").read_text(encoding="utf-8")
    assert "@media print" in css and "body:has(.printable) .staff-nav" in css
    old = reviewer.get("/staff/reports/summary?year=2025").text
    assert "往年的案例" in old and STORY not in old


def test_a_bad_year_is_ignored_with_a_note(reviewer: StaffClient, figures) -> None:
    response = reviewer.get("/staff/reports/summary?year=二〇二六")
    assert response.status_code == 200
    assert "年度“二〇二六”无效，已按 2026 年度统计" in response.text


def test_the_workbook_is_audited(reviewer: StaffClient, app, figures, session) -> None:
    response = reviewer.post("/staff/reports/summary.xlsx", {"year": "2026"})
    assert quote("见习计划总结评估-2026年度") in response.headers["Content-Disposition"]
    sheets = workbook(response)
    names = list(sheets)
    assert len(names) == len(set(names))
    results = ["见习成效-按设岗单位", "见习成效-按学校", "见习成效-按岗位类型", "见习成效-按工作地点"]
    assert names[0] == "说明" and names[-6:] == [*results, "学生评价-按设岗单位", "典型案例"]
    assert "优先考虑情形" not in sheets
    assert sheets["见习成效-按学校"][1] == [
        "重庆大学",
        3,
        0,
        1,
        2,
        "33.3%",
        1,
        1,
        0,
        0,
        1,
        0,
        1,
        0,
        0,
        "50.0%",
    ]
    title = positions_of(app).by_id[A].position.title
    assert sheets["典型案例"] == [
        ["设岗单位", "岗位", "见习生", "事迹"],
        [unit(app, A), title, "见习生01", STORY],
    ]
    assert sheets["报名环节"][1] == ["提交报名", 1, 11, "—"]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "report_summary"))
    assert (entry.actor, entry.target) == ("reviewer", "summary:2026")
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "stats_view_sensitive")) is None


def test_the_admins_summary_has_the_priority_figures_audited(admin: StaffClient, figures, session) -> None:
    page = admin.get("/staff/reports/summary").text
    assert ["零就业家庭", SMALL] in Tables(page).tables["table-priority"]
    sheets = workbook(admin.post("/staff/reports/summary.xlsx", {"year": "2026"}))
    assert ["低保家庭", 5] in sheets["优先考虑情形"] and ["残疾", SMALL] in sheets["优先考虑情形"]
    targets = session.scalars(
        select(AuditEntry.target).where(AuditEntry.action == "stats_view_sensitive").order_by(AuditEntry.id)
    ).all()
    assert targets == ["summary", "summary.xlsx"]
