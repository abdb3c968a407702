"""The intern's weekly log and end-of-internship report (issue 22): drafts and submissions, the
mentor's review, the weeks counted in the work file and the certificate, and the report's approval
as part of completing. The phone walk through /status is in tests/browser/test_intern_log_browser.py."""

import datetime as dt

import pytest
from sqlalchemy import select

from form_worker.applications import services
from form_worker.applications.models import Application, Evaluation, FinalReport, LogEntry, Placement
from form_worker.applications.workfile import ending, logs, rules
from form_worker.retention import services as retention
from tests.conftest import TODAY
from tests.helpers.parties import make_parties, party
from tests.helpers.workfiles import intern

NOW = dt.datetime(2026, 11, 27, 4)
WEEK = dt.date(2026, 11, 16)  # a Monday within the internship (2026-07-15 to 2027-01-14)
FULL = logs.Week("协助筹备学术沙龙", "学会了会务统筹", "")


@pytest.fixture
def placed(app, session) -> Placement:
    make_parties(app, session)
    return intern(app, session)


def test_the_weeks_run_from_the_start_to_today_latest_first(placed) -> None:
    weeks = logs.weeks(placed, TODAY)
    assert weeks[0] == dt.date(2026, 11, 23) and weeks[-1] == dt.date(2026, 7, 13)
    assert all(w.weekday() == 0 for w in weeks) and len(weeks) == 20
    assert logs.week_label(WEEK) == "11月16日—11月22日"


def test_a_draft_needs_nothing_a_submission_needs_both_texts(session, placed) -> None:
    draft = logs.save_week(session, placed, WEEK, logs.Week("只写了一半", "", ""), False, TODAY, NOW)
    assert draft.state == "draft"
    with pytest.raises(rules.Refused) as refused:
        logs.save_week(session, placed, WEEK, logs.Week("只写了一半", " ", ""), True, TODAY, NOW)
    assert refused.value.fields == {"learned": "提交前请填写学到了什么"}
    with pytest.raises(rules.Refused) as refused:
        logs.save_week(session, placed, dt.date(2026, 11, 30), FULL, False, TODAY, NOW)  # not begun
    assert "week" in refused.value.fields
    with pytest.raises(rules.Refused) as refused:
        logs.save_week(session, placed, WEEK, logs.Week("字" * 1001, "", ""), False, TODAY, NOW)
    assert refused.value.fields == {"did": "最多 1000 个字"}
    row = logs.save_week(session, placed, WEEK, FULL, True, TODAY, NOW)
    assert (row.state, row.submitted_at, row.did) == ("submitted", NOW, "协助筹备学术沙龙")
    session.commit()
    assert session.scalars(select(LogEntry)).one() is row


def test_the_mentor_returns_then_approves_and_an_approved_week_is_final(session, placed) -> None:
    row = logs.save_week(session, placed, WEEK, FULL, True, TODAY, NOW)
    with pytest.raises(rules.Refused) as refused:
        logs.review(session, placed, row, False, " ", "unit_a", NOW)
    assert refused.value.fields == {"comment": "退回时请写明需要修改的地方"}
    logs.review(session, placed, row, False, "写清楚完成了几项", "unit_a", NOW)
    assert row.state == "returned"
    with pytest.raises(rules.Refused):
        logs.review(session, placed, row, True, "", "unit_a", NOW)  # not submitted now
    kept = logs.save_week(session, placed, WEEK, FULL, False, TODAY, NOW)
    assert kept.state == "returned" and kept.comment == "写清楚完成了几项"  # a draft keeps the comment
    logs.save_week(session, placed, WEEK, FULL, True, TODAY, NOW)
    logs.review(session, placed, row, True, "", "unit_a", NOW)
    assert row.state == "approved" and logs.approved_weeks(session, placed) == 1
    with pytest.raises(rules.Refused) as refused:
        logs.save_week(session, placed, WEEK, FULL, False, TODAY, NOW)
    assert "导师已通过，不能再修改" in refused.value.fields["week"]


def evaluate(session, placement: Placement) -> None:
    session.add(Evaluation(placement_id=placement.id, scores={}, grade="良好", author="unit_a"))
    session.commit()


def test_completing_needs_the_report_the_mentor_approved(app, session, placed) -> None:
    evaluate(session, placed)
    application = session.get(Application, placed.application_id)
    positions = app.extensions["jianxi.positions"].get()
    end = ending.Ending(dt.date(2026, 11, 20), "考取研究生", "study")
    with pytest.raises(rules.Refused) as refused:
        ending.finish(session, application, placed, end, TODAY, "unit_a", "x@jianxi.test", positions)
    assert refused.value.fields == {"finished_on": rules.REPORT_MISSING}
    with pytest.raises(services.TransitionRefused, match="见习总结尚未经导师通过"):
        services.transition(session, application, "completed", "reviewer", "", "x", today=TODAY)
    session.rollback()
    report = logs.save_report(session, placed, "半年的收获", True, NOW)
    logs.review(session, placed, report, True, "", "unit_a", NOW)
    ending.finish(session, application, placed, end, TODAY, "unit_a", "x@jianxi.test", positions)
    session.commit()
    assert session.get(Application, placed.application_id).state == "completed"


def test_another_unit_cannot_review_and_the_work_file_counts_approved_weeks(app, session, placed) -> None:
    row = logs.save_week(session, placed, WEEK, FULL, True, TODAY, NOW)
    session.commit()
    page = f"/staff/unit/placements/{placed.id}/file/log/{row.id}"
    assert party(app, "unit_b").get(page).status_code == 404
    assert party(app, "unit_b").post(page, {"decision": "approve"}).status_code == 404
    unit = party(app, "unit_a")
    assert "协助筹备学术沙龙" in unit.get(page).text
    assert unit.post(page, {"decision": "approve", "comment": ""}).status_code == 303
    assert "导师已通过 <strong>1</strong> 周周志" in unit.get(f"/staff/unit/placements/{placed.id}/file").text
    assert party(app, "unit_a").get(f"/staff/unit/placements/{placed.id}/file/report").status_code == 404


def test_the_certificate_counts_approved_weeks(app, session, placed) -> None:
    row = logs.save_week(session, placed, WEEK, FULL, True, TODAY, NOW)
    logs.review(session, placed, row, True, "", "unit_a", NOW)
    evaluate(session, placed)
    placed.finished_on, placed.destination = placed.end_date, "kept"
    session.get(Application, placed.application_id).state = "completed"
    session.commit()
    text = party(app, "unit_a").get(f"/staff/unit/placements/{placed.id}/certificate").text
    assert "提交见习周志 1 周（经导师审阅通过）" in text


def test_retention_clears_what_the_intern_wrote(session, placed) -> None:
    logs.save_week(session, placed, WEEK, logs.Week("做了", "学了", "问题"), True, TODAY, NOW)
    logs.save_report(session, placed, "我的总结", False, NOW)
    session.commit()
    retention.anonymise(session, [placed.application_id], dt.datetime(2032, 1, 1))
    session.commit()
    session.expire_all()
    entry = session.scalars(select(LogEntry)).one()
    assert (entry.did, entry.learned, entry.problems, entry.state) == ("", "", "", "submitted")
    assert session.scalars(select(FinalReport)).one().text == ""
