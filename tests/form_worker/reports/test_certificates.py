"""The certificate (见习证明): only for a completed, evaluated internship; a unit sees its own
placements' certificates only, the office any; every view is in the audit log."""

import datetime as dt
import json

import pytest
from sqlalchemy import select

from form_worker.accounts.models import AuditEntry
from form_worker.applications.models import Application, Evaluation, Placement
from form_worker.reports import certificates
from tests.conftest import ROOT
from tests.form_worker.conftest import StaffClient
from tests.helpers.parties import OTHER_POSITION, make_parties, party
from tests.helpers.subsidies import TITLE, UNIT_A_NAME, UNIT_B_NAME, intern


def evaluate(session, placement: Placement, grade: str = "优秀") -> None:
    scores = {"工作态度": 5, "任务完成": 4}
    session.add(
        Evaluation(placement_id=placement.id, scores=scores, comment="", grade=grade, author="李示例")
    )


@pytest.fixture
def placements(app, session) -> dict[str, Placement]:
    """At unit A: completed and evaluated, completed early, still active, completed without an
    evaluation; at unit B: completed and evaluated."""
    make_parties(app, session)
    done = intern(
        app, session, "结业甲", 11, state="completed", ended=True, finished_on=dt.date(2026, 12, 31)
    )
    evaluate(session, done)
    early = intern(
        app, session, "提前乙", 12, state="completed", ended=True, finished_on=dt.date(2026, 9, 15)
    )
    evaluate(session, early, "合格")
    active = intern(app, session, "在岗丙", 13)
    unevaluated = intern(app, session, "未评丁", 14, state="completed", ended=True)
    other = intern(app, session, "别家戊", 15, position=OTHER_POSITION, state="completed", ended=True)
    evaluate(session, other, "良好")
    session.commit()
    return {"done": done, "early": early, "active": active, "unevaluated": unevaluated, "other": other}


def audits(session) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "certificate_view")))


def reference_of(session, placement: Placement) -> str:
    return session.get(Application, placement.application_id).reference


@pytest.mark.backend  # the outer join and the scope on PostgreSQL too
def test_the_unit_prints_the_certificate_of_a_completed_internship(app, session, placements) -> None:
    placement = placements["done"]
    response = party(app, "unit_a").get(f"/staff/unit/placements/{placement.id}/certificate")
    assert response.status_code == 200
    text = response.text
    expected = (
        "<h1>见习证明</h1>",
        "兹证明<strong>结业甲</strong>于2026年7月1日至2026年12月31日",
        f"在{UNIT_A_NAME}“{TITLE}”岗位参加2026年重庆市大学生科技见习计划见习",
        "见习导师为李示例",
        "综合评价为<strong>优秀</strong>",
        "单位（盖章）",
        "日期：",
        f"报名编号：{reference_of(session, placement)}",
        'class="certificate printable"',
    )
    for shown in expected:
        assert shown in text, shown
    [entry] = audits(session)
    assert (entry.actor, entry.target) == ("unit_a", reference_of(session, placement))
    assert json.loads(entry.detail) == {"placement": placement.id}
    assert "结业甲" not in entry.target


def test_an_early_end_prints_the_day_the_intern_left(app, session, placements) -> None:
    text = party(app, "unit_a").get(f"/staff/unit/placements/{placements['early'].id}/certificate").text
    assert "于2026年7月1日至2026年9月15日" in text and "综合评价为<strong>合格</strong>" in text


def test_the_office_sees_any_units_certificate(app, session, placements) -> None:
    for user in ("admin", "reviewer"):
        response = party(app, user).get(f"/staff/placements/{placements['other'].id}/certificate")
        assert response.status_code == 200
        assert "别家戊" in response.text and UNIT_B_NAME in response.text and "良好" in response.text
    assert [e.actor for e in audits(session)] == ["admin", "reviewer"]


def test_a_unit_gets_404_for_another_units_certificate(app, session, placements) -> None:
    other = placements["other"]
    response = party(app, "unit_a").get(f"/staff/unit/placements/{other.id}/certificate")
    assert response.status_code == 404 and "别家戊" not in response.text
    assert party(app, "unit_b").get(f"/staff/unit/placements/{other.id}/certificate").status_code == 200
    # Not even what is missing from another unit's placement is told.
    active = party(app, "unit_b").get(f"/staff/unit/placements/{placements['active'].id}/certificate")
    assert active.status_code == 404 and "在岗丙" not in active.text
    assert [e.actor for e in audits(session)] == ["unit_b"]


def test_no_certificate_before_the_internship_is_completed(app, session, placements) -> None:
    response = party(app, "unit_a").get(f"/staff/unit/placements/{placements['active'].id}/certificate")
    assert response.status_code == 409
    assert "暂不能出具见习证明" in response.text
    assert "<li>见习结束登记（报名当前状态：见习中）</li>" in response.text
    assert "<li>导师的见习评价</li>" in response.text
    assert audits(session) == []


def test_no_certificate_without_the_mentors_evaluation(app, session, placements) -> None:
    response = party(app, "reviewer").get(f"/staff/placements/{placements['unevaluated'].id}/certificate")
    assert response.status_code == 409
    assert "<li>导师的见习评价</li>" in response.text and "见习结束登记" not in response.text
    assert audits(session) == []


def test_a_placement_without_an_agreement_gets_no_certificate(app, session, placements) -> None:
    declined = intern(app, session, "谢绝己", 16, state="completed", agreement_date=None, start_date=None)
    evaluate(session, declined)
    session.commit()
    with pytest.raises(certificates.NotReady) as refused:
        certificates.certificate(session, declined.id, app.extensions["jianxi.positions"].get(), None)
    assert refused.value.missing == ["见习协议（这条录用没有登记协议和见习期）"]


def test_an_unknown_placement_is_404(app, session, placements) -> None:
    assert party(app, "admin").get("/staff/placements/999999/certificate").status_code == 404
    assert party(app, "unit_a").get("/staff/unit/placements/999999/certificate").status_code == 404


def test_printing_leaves_out_the_navigation() -> None:
    css = (ROOT / "form_worker" / "static" / "worker.css").read_text(encoding="utf-8")
    printing = css[css.index("@media print") :]
    assert "size: A4" in printing
    assert "body:has(.printable) .staff-nav" in printing and ".no-print" in printing


ROUTES = ("/staff/unit/placements/{id}/certificate", "/staff/placements/{id}/certificate")


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(client, placements, route) -> None:
    response = StaffClient(client).get(route.format(id=placements["done"].id))
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("user", "route"),
    [
        ("cqu", ROUTES[0]),
        ("cqu", ROUTES[1]),
        ("admin", ROUTES[0]),
        ("reviewer", ROUTES[0]),
        ("unit_a", ROUTES[1]),
    ],
)
def test_other_roles_get_the_403_page(app, session, placements, user, route) -> None:
    response = party(app, user).get(route.format(id=placements["done"].id))
    assert response.status_code == 403 and "没有权限" in response.text and "结业甲" not in response.text
    assert audits(session) == []
