"""The subsidy claim list: the facts per intern and month, the gaps stated exactly, the month range
checked beside its fields, the workbook, the office's summary of every unit, and who may see what.

Today is pinned to 2026-11-27, so November is a month still running and never a gap.
"""

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from form_worker.accounts.models import AuditEntry
from form_worker.applications.models import AllowancePayment, Application, Attendance, Placement
from form_worker.catalogue.positions import Positions
from form_worker.reports import months, subsidy
from form_worker.reports.months import MonthRange
from form_worker.reports.subsidy import Gap
from tests.conftest import TODAY
from tests.form_worker.conftest import StaffClient
from tests.helpers.parties import OTHER_POSITION, make_parties, party
from tests.helpers.subsidies import (
    AUG,
    INSURER,
    JUL,
    NOV,
    OCT,
    SEP,
    TITLE,
    UNIT_A,
    UNIT_A_NAME,
    UNIT_B,
    UNIT_B_NAME,
    intern,
)

RANGE = MonthRange(JUL, NOV)


def attend(session, placement: Placement, month: dt.date, present: int = 21, expected: int = 22) -> None:
    session.add(
        Attendance(placement_id=placement.id, month=month, expected=expected, present=present, updated_by="t")
    )


def pay(session, placement: Placement, month: dt.date, amount: int = 3000) -> None:
    paid_on = subsidy.month_end(month)
    session.add(
        AllowancePayment(
            placement_id=placement.id, month=month, amount=amount, paid_on=paid_on, updated_by="t"
        )
    )


@pytest.fixture
def interns(app, session) -> dict[str, Placement]:
    """At unit A: one complete, one with every kind of gap, one ended early, one without an
    agreement and one starting after the range; at unit B (the museum) one without records."""
    make_parties(app, session)
    complete = intern(app, session, "齐全甲", 1)
    for month in (JUL, AUG, SEP, OCT):
        attend(session, complete, month)
        pay(session, complete, month)
    gaps = intern(
        app,
        session,
        "缺漏乙",
        2,
        start_date=dt.date(2026, 8, 15),
        end_date=dt.date(2027, 1, 31),
        policy_number=None,
        cover_start=dt.date(2026, 8, 15),
    )
    attend(session, gaps, AUG, present=12, expected=13)
    attend(session, gaps, OCT)
    pay(session, gaps, AUG, amount=1500)
    pay(session, gaps, SEP)
    early = intern(
        app,
        session,
        "提前丙",
        3,
        state="withdrawn",
        finished_on=dt.date(2026, 8, 20),
        early_end_reason="考取研究生",
        ended=True,
        destination="study",
        destination_detail="重庆大学",
    )
    for month in (JUL, AUG):
        attend(session, early, month)
        pay(session, early, month)
    unsigned = intern(app, session, "未签戊", 4, state="offered", agreement_date=None)
    later = intern(
        app,
        session,
        "明年己",
        5,
        start_date=dt.date(2027, 7, 1),
        end_date=dt.date(2027, 12, 31),
        cover_start=dt.date(2027, 7, 1),
        cover_end=dt.date(2027, 12, 31),
    )
    other = intern(app, session, "别家丁", 6, position=OTHER_POSITION, start_date=SEP)
    session.commit()
    return {
        "complete": complete,
        "gaps": gaps,
        "early": early,
        "unsigned": unsigned,
        "later": later,
        "other": other,
    }


def positions(app) -> Positions:
    return app.extensions["jianxi.positions"].get()


# ---------------------------------------------------------------- the month range


def test_the_default_is_the_last_six_months_that_have_ended() -> None:
    assert months.default_range(TODAY) == MonthRange(dt.date(2026, 5, 1), OCT)
    assert months.parse_range({}, TODAY) == (MonthRange(dt.date(2026, 5, 1), OCT), {})
    assert months.parse_range({"from": " ", "to": ""}, TODAY)[0] == MonthRange(dt.date(2026, 5, 1), OCT)
    assert months.parse_range({"from": "2026-7", "to": "2026-11"}, TODAY) == (RANGE, {})
    assert RANGE.label == "2026年7月至2026年11月"
    assert RANGE.args() == {"from": "2026-07", "to": "2026-11"}
    assert MonthRange(dt.date(2026, 12, 1), dt.date(2027, 2, 1)).months == [
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 1),
    ]


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"from": "2026-13", "to": "2026-10"}, "from", "请按“年-月”填写，如 2026-07"),
        ({"from": "七月", "to": "2026-10"}, "from", "请按“年-月”填写，如 2026-07"),
        ({"from": "2026-07", "to": "2026-10-05"}, "to", "请按“年-月”填写，如 2026-07"),
        ({"from": "2026-07"}, "to", "请填写结束月份，如 2026-07"),
        ({"to": "2026-10"}, "from", "请填写开始月份，如 2026-07"),
        ({"from": "2026-10", "to": "2026-07"}, "to", "结束月份不能早于开始月份"),
        ({"from": "2026-07", "to": "2026-12"}, "to", "结束月份不能晚于本月（2026年11月）"),
        ({"from": "2025-09", "to": "2026-10"}, "to", "一次最多列 13 个月，请缩短月份范围"),
    ],
    ids=["month-13", "words", "a-day", "no-to", "no-from", "backwards", "future", "too-long"],
)
def test_a_bad_month_range_comes_back_beside_its_field(app, session, args, field, message) -> None:
    assert months.parse_range(args, TODAY) == (None, {field: message})
    make_parties(app, session)
    for client, path in (
        (party(app, "unit_a"), "/staff/unit/subsidy"),
        (party(app, "reviewer"), "/staff/reports/subsidy"),
    ):
        response = client.get(path, query_string=args)
        assert response.status_code == 422
        assert f'<p class="error" id="month-{field}-error">{message}</p>' in response.text
        assert 'aria-invalid="true"' in response.text


def test_thirteen_months_hold_a_whole_internship() -> None:
    assert months.parse_range({"from": "2025-11", "to": "2026-11"}, TODAY)[1] == {}


# ---------------------------------------------------------------- the list and its gaps


def test_the_unit_list_has_the_signed_interns_in_the_range_with_their_facts(app, session, interns) -> None:
    claims = subsidy.unit_claims(session, positions(app), UNIT_A, RANGE, TODAY)
    assert claims.name == UNIT_A_NAME
    assert [row.application.name for row in claims.rows] == ["齐全甲", "缺漏乙", "提前丙"]
    complete, gaps, early = claims.rows
    assert complete.position_title == TITLE and complete.unit_slug == UNIT_A
    assert [(f.month, f.interning, f.ended) for f in complete.months] == [
        (JUL, True, True),
        (AUG, True, True),
        (SEP, True, True),
        (OCT, True, True),
        (NOV, True, False),
    ]
    assert [(f.attendance.present, f.attendance.expected) for f in complete.months[:4]] == [(21, 22)] * 4
    assert [(f.payment.amount, f.payment.paid_on) for f in complete.months[:4]] == [
        (3000, dt.date(2026, 7, 31)),
        (3000, dt.date(2026, 8, 31)),
        (3000, dt.date(2026, 9, 30)),
        (3000, dt.date(2026, 10, 31)),
    ]
    assert complete.months[4].attendance is None and complete.months[4].payment is None
    assert complete.gaps == []
    assert [f.interning for f in gaps.months] == [False, True, True, True, True]
    assert [f.interning for f in early.months] == [True, True, False, False, False]
    assert (
        subsidy.internship_period(early.placement)
        == "2026-07-01 至 2026-08-20（提前结束；协议约定至 2026-12-31）"
    )
    assert subsidy.internship_period(complete.placement) == "2026-07-01 至 2026-12-31"
    assert subsidy.cover_period(complete.placement) == "2026-07-01 至 2026-12-31"
    assert early.state_label == "已撤回" and early.gaps == []


@pytest.mark.backend  # dates, COALESCE and the joins on PostgreSQL too
def test_the_gaps_are_stated_exactly(app, session, interns) -> None:
    claims = subsidy.unit_claims(session, positions(app), UNIT_A, RANGE, TODAY)
    assert {row.application.name: row.gaps for row in claims.rows} == {
        "齐全甲": [],
        "缺漏乙": [
            Gap("below", "2026年8月发放 1500 元，协议约定每月 3000 元"),
            Gap("attendance", "2026年9月无考勤记录"),
            Gap("payment", "2026年10月未登记生活费发放"),
            Gap("policy", "未登记保险单号"),
            Gap("cover", "保险期间 2026-08-15 至 2026-12-31 未覆盖见习期 2026-08-15 至 2027-01-31"),
        ],
        "提前丙": [],
    }
    assert [row.application.name for row in claims.with_gaps] == ["缺漏乙"]
    assert claims.missing() == [
        "缺考勤记录 1 项（1 人）",
        "缺生活费发放记录 1 项（1 人）",
        "发放金额低于协议约定 1 项（1 人）",
        "缺保险单号 1 项（1 人）",
        "保险期间未覆盖见习期 1 项（1 人）",
    ]


def test_missing_insurance_details_are_gaps(app, session) -> None:
    bare = intern(app, session, "无保险", 7, insurer=None, policy_number="", cover_start=None, cover_end=None)
    months = [subsidy.MonthFacts(JUL, True, True, None, None)]
    assert subsidy.gaps_of(bare, months) == [
        Gap("attendance", "2026年7月无考勤记录"),
        Gap("payment", "2026年7月未登记生活费发放"),
        Gap("insurer", "未登记承保保险公司"),
        Gap("policy", "未登记保险单号"),
        Gap("cover", "未登记保险期间"),
    ]


def test_an_early_end_is_covered_up_to_the_day_the_intern_left(app, session) -> None:
    left = intern(app, session, "早走", 8, cover_end=dt.date(2026, 9, 30), finished_on=dt.date(2026, 9, 15))
    assert subsidy.gaps_of(left, []) == []
    left.finished_on = None
    assert subsidy.gaps_of(left, []) == [
        Gap("cover", "保险期间 2026-07-01 至 2026-09-30 未覆盖见习期 2026-07-01 至 2026-12-31")
    ]


@pytest.mark.backend  # dates, COALESCE and the joins on PostgreSQL too
def test_the_office_sees_every_unit_in_three_queries(app, session, interns) -> None:
    statements: list[str] = []
    engine = session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        units = subsidy.all_claims(session, positions(app), RANGE, TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 3
    by_slug = {u.slug: u for u in units}
    assert set(by_slug) == set(positions(app).catalogue.units)
    assert [r.application.name for r in by_slug[UNIT_A].rows] == ["齐全甲", "缺漏乙", "提前丙"]
    assert [r.application.name for r in by_slug[UNIT_B].rows] == ["别家丁"]
    assert by_slug[UNIT_B].missing() == ["缺考勤记录 2 项（1 人）", "缺生活费发放记录 2 项（1 人）"]
    assert all(not u.rows for slug, u in by_slug.items() if slug not in (UNIT_A, UNIT_B))


# ---------------------------------------------------------------- the pages


def test_the_unit_page_lists_its_own_interns_only(app, session, interns) -> None:
    page = party(app, "unit_a").get("/staff/unit/subsidy?from=2026-07&to=2026-11")
    assert page.status_code == 200
    text = page.text
    expected = ("齐全甲", "缺漏乙", "提前丙", TITLE, "出勤 21/22 天", "发放 1500 元", "2026-08-31", INSURER)
    expected += ("2026年9月无考勤记录", "未登记保险单号", "考勤未登记（本月未结束）", "不在见习期")
    for shown in expected:
        assert shown in text, shown
    for hidden in ("别家丁", "未签戊", "明年己"):
        assert hidden not in text, hidden
    assert "名单共 3 人，其中 1 人有缺漏" in text
    assert 'href="/staff/unit/subsidy">补贴申领名单</a>' in text


def test_the_unit_page_defaults_to_the_last_six_ended_months(app, session, interns) -> None:
    text = party(app, "unit_a").get("/staff/unit/subsidy").text
    assert "2026年5月至2026年10月" in text
    assert 'value="2026-05"' in text and 'value="2026-10"' in text


def test_a_unit_without_interns_in_the_range_is_told_so(app, session, interns) -> None:
    text = party(app, "unit_a").get("/staff/unit/subsidy?from=2026-01&to=2026-03").text
    assert "2026年1月至2026年3月没有签订了见习协议" in text


def test_another_unit_sees_only_its_own_intern(app, session, interns) -> None:
    text = party(app, "unit_b").get("/staff/unit/subsidy?from=2026-07&to=2026-11").text
    assert "别家丁" in text and UNIT_B_NAME in text
    assert "齐全甲" not in text and "缺漏乙" not in text
    # The unit comes from the account: a unit named in the query changes nothing.
    text = party(app, "unit_b").get(f"/staff/unit/subsidy?from=2026-07&to=2026-11&unit={UNIT_A}").text
    assert "齐全甲" not in text and "别家丁" in text


def test_the_office_summary_lists_units_with_gaps_first(app, session, interns) -> None:
    response = party(app, "reviewer").get("/staff/reports/subsidy?from=2026-07&to=2026-11")
    assert response.status_code == 200
    text = response.text
    # Both have gaps, so by folder name; the units without interns come after them.
    assert text.index(UNIT_B_NAME) < text.index(UNIT_A_NAME) < text.index("这段时间没有见习生")
    assert "缺考勤记录 2 项（1 人）；缺生活费发放记录 2 项（1 人）" in text
    assert "2 个单位在这段时间有签订协议的见习生，其中 2 个单位有缺漏" in text
    assert f"/staff/reports/subsidy?unit={UNIT_B}&amp;from=2026-07&amp;to=2026-11" in text
    assert "齐全甲" not in text  # the summary names units, not interns
    assert 'href="/staff/reports/subsidy">补贴申领</a>' in text


def test_the_office_sees_one_unit_in_full(app, session, interns) -> None:
    text = party(app, "admin").get(f"/staff/reports/subsidy?unit={UNIT_A}&from=2026-07&to=2026-11").text
    assert "齐全甲" in text and "2026年8月发放 1500 元，协议约定每月 3000 元" in text
    assert "别家丁" not in text
    assert f'<option value="{UNIT_A}" selected>' in text


def test_the_office_unit_must_be_one_of_the_catalogue(app, session, interns) -> None:
    response = party(app, "reviewer").get("/staff/reports/subsidy?unit=../etc&from=2026-07&to=2026-11")
    assert response.status_code == 422
    assert '<p class="error" id="report-unit-error">请从列表中选择单位</p>' in response.text


# ---------------------------------------------------------------- the workbook


def _sheets(response) -> dict[str, list[tuple]]:
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


@pytest.mark.backend  # dates, COALESCE and the joins on PostgreSQL too
def test_the_unit_downloads_both_sheets_and_it_is_audited(app, session, interns) -> None:
    unit_a = party(app, "unit_a")
    response = unit_a.post("/staff/unit/subsidy.xlsx", {"from": "2026-07", "to": "2026-10"})
    assert "attachment" in response.headers["Content-Disposition"]
    assert "202607-202610" in response.headers["Content-Disposition"]
    sheets = _sheets(response)
    assert list(sheets) == ["申领名单", "缺漏情况"]
    claims = sheets["申领名单"]
    assert claims[0][:13] == (
        "设岗单位", "报名编号", "姓名", "见习岗位", "报名状态", "协议签订日期", "每月基本生活费（协议，元）",
        "承保保险公司", "保险单号", "保险期间", "见习期", "实际结束日期", "提前结束原因",
    )  # fmt: skip
    assert claims[0][13:15] == ("去向", "单位留用率（本名单）")
    assert claims[0][15:19] == (
        "2026年7月出勤天数",
        "2026年7月应出勤天数",
        "2026年7月发放金额（元）",
        "2026年7月发放日期",
    )
    assert len(claims[0]) == 15 + 4 * 4
    rows = {row[2]: row for row in claims[1:]}
    assert set(rows) == {"齐全甲", "缺漏乙", "提前丙"}
    complete = rows["齐全甲"]
    reference = session.get(Application, interns["complete"].application_id).reference
    assert complete[:13] == (
        UNIT_A_NAME, reference, "齐全甲", TITLE, "见习中", "2026-06-20", 3000,
        INSURER, "PA-1", "2026-07-01 至 2026-12-31", "2026-07-01 至 2026-12-31", None, None,
    )  # fmt: skip
    # Where interns went, per intern, and the unit's 留用率 on this list: none kept of one recorded.
    assert complete[13:15] == (None, "留用 0 人 / 已登记去向 1 人（0.0%）")
    assert rows["提前丙"][13] == "升学深造（重庆大学）"
    assert complete[15:] == (21, 22, 3000, "2026-07-31", 21, 22, 3000, "2026-08-31",
                             21, 22, 3000, "2026-09-30", 21, 22, 3000, "2026-10-31")  # fmt: skip
    gaps = rows["缺漏乙"]
    assert gaps[8] is None  # no policy number
    assert gaps[15:] == (None, None, None, None, 12, 13, 1500, "2026-08-31",
                         None, None, 3000, "2026-09-30", 21, 22, None, None)  # fmt: skip
    assert rows["提前丙"][11:13] == ("2026-08-20", "考取研究生")
    assert sheets["缺漏情况"] == [
        ("设岗单位", "报名编号", "姓名", "见习岗位", "缺漏类别", "情况"),
        *[
            (
                UNIT_A_NAME,
                session.get(Application, interns["gaps"].application_id).reference,
                "缺漏乙",
                TITLE,
                kind,
                text,
            )
            for kind, text in (
                ("发放金额低于协议约定", "2026年8月发放 1500 元，协议约定每月 3000 元"),
                ("缺考勤记录", "2026年9月无考勤记录"),
                ("缺生活费发放记录", "2026年10月未登记生活费发放"),
                ("缺保险单号", "未登记保险单号"),
                (
                    "保险期间未覆盖见习期",
                    "保险期间 2026-08-15 至 2026-12-31 未覆盖见习期 2026-08-15 至 2027-01-31",
                ),
            )
        ],
    ]
    session.expire_all()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "report_subsidy")).one()
    assert (entry.actor, entry.target) == ("unit_a", f"unit:{UNIT_A}")
    assert json.loads(entry.detail) == {"from": "2026-07", "to": "2026-10", "rows": 3, "gaps": 5}


def test_the_unit_download_never_holds_another_units_intern(app, session, interns) -> None:
    sheets = _sheets(
        party(app, "unit_a").post("/staff/unit/subsidy.xlsx", {"from": "2026-07", "to": "2026-11"})
    )
    assert {row[2] for row in sheets["申领名单"][1:]} == {"齐全甲", "缺漏乙", "提前丙"}
    assert "别家丁" not in str(sheets) and UNIT_B_NAME not in str(sheets)


def test_the_office_downloads_every_unit(app, session, interns) -> None:
    sheets = _sheets(
        party(app, "reviewer").post(
            "/staff/reports/subsidy.xlsx", {"from": "2026-07", "to": "2026-11", "unit": ""}
        )
    )
    assert {(row[0], row[2]) for row in sheets["申领名单"][1:]} == {
        (UNIT_A_NAME, "齐全甲"), (UNIT_A_NAME, "缺漏乙"), (UNIT_A_NAME, "提前丙"), (UNIT_B_NAME, "别家丁"),
    }  # fmt: skip
    assert len(sheets["缺漏情况"]) == 1 + 5 + 4
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "report_subsidy")).one()
    assert (entry.actor, entry.target) == ("reviewer", "unit:all")


def test_a_bad_range_posted_for_download_gets_the_form_back(app, session, interns) -> None:
    response = party(app, "unit_a").post("/staff/unit/subsidy.xlsx", {"from": "2026-10", "to": "2026-07"})
    assert response.status_code == 422 and "结束月份不能早于开始月份" in response.text
    response = party(app, "admin").post(
        "/staff/reports/subsidy.xlsx", {"from": "2026-07", "to": "2026-10", "unit": "x"}
    )
    assert response.status_code == 422 and "请从列表中选择单位" in response.text
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "report_subsidy")).all() == []


def test_a_download_needs_the_csrf_token(app, session, interns) -> None:
    client = party(app, "unit_a").client
    assert (
        client.post("/staff/unit/subsidy.xlsx", data={"from": "2026-07", "to": "2026-10"}).status_code == 400
    )


# ---------------------------------------------------------------- who may see it

UNIT_ROUTES = [("GET", "/staff/unit/subsidy"), ("POST", "/staff/unit/subsidy.xlsx")]
OFFICE_ROUTES = [("GET", "/staff/reports/subsidy"), ("POST", "/staff/reports/subsidy.xlsx")]


@pytest.mark.parametrize(("method", "path"), UNIT_ROUTES + OFFICE_ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(client, method, path) -> None:
    anonymous = StaffClient(client)  # posts carry a valid token, so the role check answers
    response = anonymous.get(path) if method == "GET" else anonymous.post(path)
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("user", "method", "path"),
    [("cqu", m, p) for m, p in UNIT_ROUTES + OFFICE_ROUTES]
    + [(office, m, p) for office in ("admin", "reviewer") for m, p in UNIT_ROUTES]
    + [("unit_a", m, p) for m, p in OFFICE_ROUTES],
)
def test_other_roles_get_the_403_page(app, session, interns, user, method, path) -> None:
    client = party(app, user)
    response = (
        client.get(path) if method == "GET" else client.post(path, {"from": "2026-07", "to": "2026-10"})
    )
    assert response.status_code == 403 and "没有权限" in response.text
    assert "齐全甲" not in response.text
