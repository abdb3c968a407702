"""The office's statistics: every figure against a small fixture counted by hand, on the page and in
the workbook; priority groups only for admins, small counts shown as "<5", each view audited; the
routes refused to everyone but the office; and the number of SQL statements and the rows they
return independent of how many applications there are."""

import datetime as dt
import re

import pytest
from sqlalchemy import event, insert, select

from form_worker.accounts.models import AuditEntry
from form_worker.applications.models import Application, Choice, Placement, Transition
from form_worker.applications.states import CHAIN
from form_worker.core import db
from form_worker.core.headers import WORKER_POLICY
from form_worker.reports import charts, statistics
from form_worker.reports.filters import Filters
from form_worker.reports.outcomes import SMALL, suppressed
from tests.form_worker.conftest import PASSWORD, StaffClient, logged_in
from tests.helpers.parties import make_account
from tests.helpers.statistics import END, START, YEAR, A, B, C, Tables, positions_of, upto, workbook

# ---------------------------------------------------------------- the figures


@pytest.mark.backend
def test_funnel_counts_each_step_reached_from_the_history(app, session, figures) -> None:
    funnel = statistics.funnel(session, positions_of(app), Filters(YEAR))
    rows = [(s.state, s.now, s.reached, s.conversion) for s in funnel.steps]
    assert rows == [
        ("submitted", 1, 11, None),
        ("checked", 2, 10, 90.9),
        ("recommended_by_university", 0, 8, 80.0),
        ("approved_by_city_office", 0, 7, 87.5),
        ("filed", 1, 7, 100.0),
        # The figures' offers took the office's direct path; the chain counts them past the list.
        ("proposed", 0, 6, 85.7),
        ("confirmed", 0, 6, 100.0),
        ("offered", 1, 6, 100.0),
        ("agreement_signed", 1, 5, 83.3),
        ("active", 1, 4, 80.0),
        ("completed", 2, 2, 50.0),
    ]
    assert (funnel.withdrawn, funnel.rejected, funnel.total) == (1, 1, 11)
    assert statistics.funnel(session, positions_of(app), Filters(2025)).steps[-1].reached == 1


@pytest.mark.backend
def test_position_groups_and_the_most_and_least_wanted(app, session, figures) -> None:
    stats = statistics.position_stats(session, positions_of(app), Filters(YEAR))
    by_type = {g.key: (g.positions, g.headcount, g.filled, g.applications) for g in stats.by_type}
    # 学术助理: 5 positions with 4+2+1+2+3 places; A was chosen 5 times (a1, a2, a7, a9, a11),
    # filled twice (a1, a2).
    assert by_type["学术助理"] == (5, 12, 2, 5)
    assert by_type["科普助理"] == (7, 22, 2, 4)  # B: a3 active, a4 agreement signed
    assert by_type["科创助理"] == (10, 29, 0, 4)  # C: a5 withdrew, a6 only offered
    assert by_type["编辑助理"][3] == by_type["国际助理"][3] == 0
    assert [g.key for g in stats.by_type] == ["学术助理", "科普助理", "编辑助理", "科创助理", "国际助理"]
    by_district = {g.key: g.applications for g in stats.by_district}
    assert (by_district["渝中区"], by_district["南岸区"], by_district["巴南区"], by_district["北碚区"]) == (
        5,
        4,
        4,
        0,
    )
    by_track = {g.key: (g.applications, g.filled) for g in stats.by_track}
    assert by_track == {"科技见习": (9, 4), "职业体验": (4, 0)}
    by_category = {g.key: g.applications for g in stats.by_category}
    assert by_category["市级学会（协会、研究会）"] == 5
    assert by_category["科普场馆"] == by_category["科技企事业单位"] == 4
    # Ties in the number of applications go by position id.
    assert [(f.id, f.applications) for f in stats.most_wanted[:3]] == [(A, 5), (C, 4), (B, 4)]
    assert len(stats.most_wanted) == len(stats.least_wanted) == 10
    assert all(f.applications == 0 for f in stats.least_wanted)
    assert stats.unwanted == len(positions_of(app).by_id) - 3 and stats.unlisted == 0


@pytest.mark.backend
def test_a_position_filter_narrows_every_figure(app, session, figures) -> None:
    positions, only = positions_of(app), Filters(YEAR, type="科普助理")
    stats = statistics.gather(session, positions, only, sensitive=True)
    assert stats.funnel.total == 4  # a1, a3, a4, a8 chose a 科普助理 position
    assert [g.key for g in stats.positions.by_type] == ["科普助理"]
    assert (stats.outcome.placements, stats.outcome.on_site, stats.outcome.completed) == (2, 2, 0)
    assert {c.key: c.applications for c in stats.applicants.by_university} == {"重庆大学": 1, "西南大学": 3}
    assert stats.priority is not None and stats.priority.consented == SMALL
    # 巴南区: a4 (B and C), a5, a6 and a10 chose C; of the placements there only a5's had an
    # agreement, and it withdrew.
    district = statistics.gather(session, positions, Filters(YEAR, district="巴南区"), sensitive=False)
    assert district.funnel.total == 4 and district.priority is None
    assert (district.outcome.placements, district.outcome.ended_early) == (1, 1)


@pytest.mark.backend
def test_applicants_by_university_degree_and_discipline(app, session, figures) -> None:
    stats = statistics.applicant_stats(session, positions_of(app), Filters(YEAR))

    def rows(counts: list[statistics.Count]) -> list[tuple[str, int, int]]:
        return [(c.key, c.applications, c.interns) for c in counts]

    assert rows(stats.by_university) == [("重庆大学", 6, 2), ("西南大学", 4, 2), ("重庆邮电大学", 1, 0)]
    assert rows(stats.by_degree) == [("专科", 1, 0), ("本科", 8, 3), ("硕士", 1, 1), ("博士", 1, 0)]
    assert rows(stats.by_major_group) == [
        ("文学", 1, 0),
        ("理学", 2, 1),
        ("工学", 6, 2),
        ("管理学", 1, 0),
        ("未填写", 1, 1),
    ]


@pytest.mark.backend
def test_completion_and_grades(app, session, figures) -> None:
    o = statistics.outcome(session, positions_of(app), Filters(YEAR))
    # a1 on time; a2 ended early with a reason; a5 withdrew after the agreement; a3, a4 on site;
    # a6 has no agreement and does not count.
    assert (o.placements, o.on_site, o.completed, o.ended_early) == (5, 2, 1, 2)
    assert o.completion_rate == 33.3
    assert o.grades == {"优秀": 1, "良好": 1, "合格": 0, "不合格": 0}


@pytest.mark.backend
def test_priority_groups_are_counted_in_sql_and_small_cells_hidden(app, session, figures) -> None:
    stats = statistics.priority_stats(session, positions_of(app), Filters(YEAR))
    # Consented: a1, a3, a4, a5, a6, a7, a8; 低保家庭 a1, a3, a4, a5, a6; 零就业家庭 a7; 残疾 a3;
    # a9's 特困人员 has no consent behind it.
    assert stats.consented == 7
    assert stats.groups == [
        ("低保家庭", 5),
        ("零就业家庭", SMALL),
        ("防止返贫致贫对象家庭", 0),
        ("特困人员", 0),
        ("残疾", SMALL),
    ]


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, "<5"), (4, "<5"), (5, 5), (120, 120)])
def test_the_small_number_rule(count: int, shown) -> None:
    assert suppressed(count) == shown


# ---------------------------------------------------------------- the page and the workbook


def test_the_page_shows_each_figure_in_a_table_with_its_chart(reviewer: StaffClient, figures) -> None:
    response = reviewer.get("/staff/stats")
    assert response.status_code == 200
    page = response.text
    tables = Tables(page).tables
    assert tables["table-funnel"][0] == ["环节", "当前处于该环节", "到达人数", "转化率"]
    assert tables["table-funnel"][1:4] == [
        ["提交报名", "1", "11", "—"],
        ["通过初步核验", "2", "10", "90.9%"],
        ["高校遴选推荐", "0", "8", "80.0%"],
    ]
    assert tables["table-funnel"][-3:] == [
        ["已撤回", "1", "", ""],
        ["未通过", "1", "", ""],
        ["合计", "11", "", ""],
    ]
    assert ["学术助理", "5", "12", "2", "16.7%", "5", "1.0"] in tables["table-by-type"]
    assert ["科普助理", "7", "22", "2", "9.1%", "4", "0.6"] in tables["table-by-type"]
    assert tables["table-by-university"][1] == ["重庆大学", "6", "2"]
    assert tables["table-by-major-group"][-1] == ["未填写", "1", "1"]
    # … then where interns went: one kept on (留用), one to further study; 留用率 1 of 2.
    outcome = ["5", "2", "1", "2", "33.3%", "1", "1", "0", "0", "1", "0", "1", "0", "0", "50.0%"]
    assert tables["table-outcome"][1][1:] == outcome
    assert "<caption>各环节报名数与转化率</caption>" in page and '<th scope="row">提交报名</th>' in page
    assert "“到达人数”" in page and "转化率" in page  # the definitions are on the page
    # Charts: inline SVG with an accessible name, nothing the policy refuses.
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="pygal-chart"') >= 9
    assert 'role="img" aria-label="柱状图：到达各环节的报名数"' in page
    assert "<script" not in page and "<style" not in page and 'style="' not in page
    assert "优先考虑情形" not in page and "低保家庭" not in page  # reviewers never get the block
    assert response.headers["Content-Security-Policy"] == WORKER_POLICY
    assert "style-src 'self'" in WORKER_POLICY and "unsafe-inline" not in WORKER_POLICY


def test_the_chart_stylesheet_replaces_the_inline_styles(reviewer: StaffClient) -> None:
    response = reviewer.get("/staff/charts.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    css = response.text
    assert css == charts.stylesheet()
    assert ".pygal-chart .color-0" in css and '"Noto Sans CJK SC"' in css and "#chart-" not in css
    assert 'href="/staff/charts.css"' in reviewer.get("/staff/stats").text


def test_a_chart_label_is_escaped(app) -> None:
    svg = charts.bars("图<b>", ["<script>alert(1)</script>", "重庆大学"], [("报名数", [3, 4])])
    assert "<script" not in svg and "&lt;script&gt;" in svg and 'aria-label="图&lt;b&gt;"' in svg


def test_filters_from_the_query_string(reviewer: StaffClient, figures) -> None:
    page = reviewer.get("/staff/stats?year=2026&type=科普助理").text
    assert "统计：2026 年度，科普助理" in page
    assert Tables(page).tables["table-funnel"][-1] == ["合计", "4", "", ""]
    old = reviewer.get("/staff/stats?year=2025").text
    assert Tables(old).tables["table-funnel"][-1] == ["合计", "1", "", ""]
    assert '<option value="2025" selected>' in old and '<option value="2026">' in old
    empty = reviewer.get("/staff/stats?year=2030").text  # a year nobody applied for yet
    assert '<option value="2030" selected>' in empty and Tables(empty).tables["table-funnel"][-1][1] == "0"


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ("year=abc", "年度“abc”无效，已按 2026 年度统计"),
        ("year=99999999999999999999", "无效"),
        ("year=-1", "无效"),
        ("year=²", "无效"),  # a digit to str.isdigit, not to int()
        ("year=１９９９", "无效"),
        ("type=不存在", "岗位类型“不存在”不在可选范围内，已忽略"),
        ("district=%27%3B--", "工作地点“';--”不在可选范围内，已忽略"),
        ("type=" + "科" * 500, "不在可选范围内"),
    ],
)
def test_a_bad_filter_is_ignored_with_a_note(reviewer: StaffClient, figures, query: str, note: str) -> None:
    response = reviewer.get(f"/staff/stats?{query}")
    assert response.status_code == 200
    assert note in response.text.replace("&#39;", "'")
    assert Tables(response.text).tables["table-funnel"][-1] == ["合计", "11", "", ""]


def test_the_workbook_has_one_sheet_per_table_and_is_audited(reviewer: StaffClient, figures, session) -> None:
    response = reviewer.post("/staff/stats.xlsx", {"year": "2026"})
    assert "attachment" in response.headers["Content-Disposition"]
    sheets = workbook(response)
    assert list(sheets)[:3] == ["说明", "报名环节", "按岗位类型"]
    assert "优先考虑情形" not in sheets
    assert sheets["报名环节"][1] == ["提交报名", 1, 11, "—"]
    assert sheets["报名环节"][2] == ["通过初步核验", 2, 10, "90.9%"]
    assert ["学术助理", 5, 12, 2, "16.7%", 5, "1.0"] in sheets["按岗位类型"]
    assert sheets["按学校"][1:] == [["重庆大学", 6, 2], ["西南大学", 4, 2], ["重庆邮电大学", 1, 0]]
    assert sheets["见习完成"][1][1:] == [5, 2, 1, 2, "33.3%", 1, 1, 0, 0, 1, 0, 1, 0, 0, "50.0%"]
    assert sheets["说明"][1] == ["统计范围", "2026 年度"]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "stats_export"))
    assert (entry.actor, entry.target) == ("reviewer", "stats") and '"sensitive": false' in entry.detail
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "stats_view_sensitive")) is None


def test_the_workbook_needs_a_csrf_token(reviewer: StaffClient, figures) -> None:
    assert reviewer.client.post("/staff/stats.xlsx", data={"year": "2026"}).status_code == 400


# ---------------------------------------------------------------- priority groups: admins only


def test_admins_see_the_priority_block_and_each_view_is_audited(admin: StaffClient, figures, session) -> None:
    page = admin.get("/staff/stats").text
    rows = Tables(page).tables["table-priority"]
    assert rows == [
        ["情形", "人数"],
        ["同意提供的申请人", "7"],
        ["低保家庭", "5"],
        ["零就业家庭", "<5"],
        ["防止返贫致贫对象家庭", "0"],
        ["特困人员", "0"],
        ["残疾", "<5"],
    ]
    assert "1 至 4 人显示为“&lt;5”" in page
    # No chart beside it: a bar's length would give the hidden counts away.
    assert 'id="stat-priority"' in page and "stat--wide" in re.search(
        r'<div class="([^"]*)" id="stat-priority"', page
    ).group(1)
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "stats_view_sensitive")).all()
    assert [(e.actor, e.target) for e in entries] == [("admin", "stats")]
    admin.get("/staff/stats?type=科普助理")
    assert (
        len(session.scalars(select(AuditEntry).where(AuditEntry.action == "stats_view_sensitive")).all()) == 2
    )


def test_the_admins_workbook_has_the_priority_sheet_with_small_cells_hidden(
    admin: StaffClient, figures, session
) -> None:
    sheets = workbook(admin.post("/staff/stats.xlsx", {"year": "2026"}))
    assert sheets["优先考虑情形"] == [
        ["情形", "人数"],
        ["同意提供的申请人", 7],
        ["低保家庭", 5],
        ["零就业家庭", "<5"],
        ["防止返贫致贫对象家庭", 0],
        ["特困人员", 0],
        ["残疾", "<5"],
    ]
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["stats_export", "stats_view_sensitive"]


def test_reviewers_get_no_priority_figures_even_computed(reviewer: StaffClient, figures, monkeypatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("priority figures computed for a reviewer")

    monkeypatch.setattr(statistics, "priority_stats", refuse)
    assert reviewer.get("/staff/stats").status_code == 200
    assert "优先考虑情形" not in workbook(reviewer.post("/staff/stats.xlsx", {"year": "2026"}))


# ---------------------------------------------------------------- who may open the routes

ROUTES = [
    ("GET", "/staff/stats"),
    ("POST", "/staff/stats.xlsx"),
    ("GET", "/staff/charts.css"),
    ("GET", "/staff/reports/summary"),
    ("POST", "/staff/reports/summary.xlsx"),
]


@pytest.fixture
def parties(app, session) -> dict[str, StaffClient]:
    make_account(
        app, session, "cqu", "重大老师", PASSWORD, "university", "cqu@example.edu.cn", university="重庆大学"
    )
    make_account(
        app, session, "unit_a", "学会联系人", PASSWORD, "unit", "a@unit.example.com", unit=A.split("/")[0]
    )
    session.commit()
    return {name: logged_in(app.test_client(), name) for name in ("cqu", "unit_a")}


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, method: str, path: str) -> None:
    staff = StaffClient(client)
    response = staff.get(path) if method == "GET" else staff.post(path, {"year": "2026"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("role", ["cqu", "unit_a"])
def test_universities_and_units_are_refused(parties, figures, role: str, method: str, path: str) -> None:
    staff = parties[role]
    response = staff.get(path) if method == "GET" else staff.post(path, {"year": "2026"})
    assert response.status_code == 403
    assert "重庆大学" not in response.text and "见习生" not in response.text


# ---------------------------------------------------------------- SQL aggregates, not rows


def bulk_applications(session, first: int, count: int) -> None:
    """count applications from id first on, in every state, with choices and history (Core inserts)."""
    states = [*CHAIN, "withdrawn", "rejected"]
    universities = [f"基准大学{i:02d}" for i in range(40)]
    apps, choices, history, placements = [], [], [], []
    for number in range(first, first + count):
        state = states[number % len(states)]
        apps.append(
            {
                "id": number,
                "reference": f"JX{YEAR}-{number:06d}",
                "state": state,
                "name": "基准",
                "phone": f"13{number:09d}",
                "email": f"b{number}@example.com",
                "university": universities[number % len(universities)],
                "major": "某专业",
                "major_group": "工学",
                "degree": "本科",
                "graduation": dt.date(YEAR, 6, 1),
                "current_status": "应届毕业生",
                "programme_year": YEAR,
                "priority_consent": number % 3 == 0,
                "priority_groups": ["低保家庭"] if number % 3 == 0 else None,
            }
        )
        choices.append({"application_id": number, "rank": 1, "position_id": (A, B, C)[number % 3]})
        chain = upto(state) if state in CHAIN else upto("filed", state)
        history += [{"application_id": number, "to_state": s, "actor": "bench"} for s in chain]
        if state in ("agreement_signed", "active", "completed"):
            placements.append(
                {
                    "application_id": number,
                    "position_id": (A, B, C)[number % 3],
                    "mentor": "导师",
                    "ended": state == "completed",
                    "agreement_date": START,
                    "start_date": START,
                    "end_date": END,
                    "typical_case": number % 97 == 0,
                    "case_story": "事迹",
                }
            )
    for model, rows in (
        (Application, apps),
        (Choice, choices),
        (Transition, history),
        (Placement, placements),
    ):
        for start in range(0, len(rows), 5000):
            session.execute(insert(model.__table__), rows[start : start + 5000])
    session.commit()


class Statements:
    """Every SELECT the app's engine runs; `largest()` runs each again and counts the rows it returns
    (a count independent of how the app fetched them)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.seen: list[tuple[str, object]] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, parameters, _context, executemany) -> None:
        self.seen.append((statement, parameters))

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def take(self) -> list[tuple[str, object]]:
        seen, self.seen = self.seen, []
        return seen

    def largest(self, seen: list[tuple[str, object]]) -> int:
        with self.engine.connect() as connection:
            return max(
                len(connection.exec_driver_sql(statement, parameters).fetchall())
                for statement, parameters in seen
                if statement.lstrip().upper().startswith(("SELECT", "WITH"))
            )


def test_figures_come_from_aggregates_whatever_the_number_of_applications(app, session, accounts) -> None:
    """200 applications, then 20,000: the page, its workbook and the summary run the same number of
    statements, and none returns more than a few hundred rows (one per position at most)."""
    admin = logged_in(app.test_client(), "admin")
    engine = db.sessions(app).kw["bind"]
    requests = [
        lambda: admin.get("/staff/stats"),
        lambda: admin.get("/staff/stats?type=科普助理&district=南岸区"),
        lambda: admin.post("/staff/stats.xlsx", {"year": "2026"}),
        lambda: admin.get("/staff/reports/summary"),
        lambda: admin.post("/staff/reports/summary.xlsx", {"year": "2026"}),
    ]
    positions = len(positions_of(app).by_id)
    counted: dict[int, list[int]] = {}
    bulk_applications(session, 1, 200)
    for total in (200, 20_000):
        if total > 200:
            bulk_applications(session, 201, total - 200)
        statements = Statements(engine)
        try:
            per_request = []
            for call in requests:
                statements.take()
                assert call().status_code == 200
                seen = statements.take()  # a post's fetch of the login page for its token too
                per_request.append(len(seen))
                assert statements.largest(seen) <= max(300, positions), call
        finally:
            statements.close()
        counted[total] = per_request
    assert counted[200] == counted[20_000]
    assert max(counted[20_000]) <= 30
    page = Tables(admin.get("/staff/stats").text).tables
    assert page["table-funnel"][-1] == ["合计", "20000", "", ""]
