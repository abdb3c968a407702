"""The office's queue of position reports, forwarding one to the unit (one email per address,
audited, never twice) and closing one with a note (audited); a unit sees only the reports
forwarded about its own positions; the retention rules clear the reader's contact."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from form_worker.accounts.models import AuditEntry
from form_worker.applications.selection.offers import Mail
from form_worker.core import db
from form_worker.feedback import services
from form_worker.feedback.models import Feedback
from form_worker.outbox.models import Outbox
from form_worker.retention import services as retention
from form_worker.retention.rules import from_config
from tests.form_worker.conftest import OPEN_POSITION, drain
from tests.helpers.feedback import recorded
from tests.helpers.parties import OTHER_POSITION, make_parties, party

NOW = dt.datetime(2026, 11, 27, 2)
# Who hears of OPEN_POSITION: its unit's contact in unit.yaml, and unit A's account (make_parties).
UNIT_A = ["society-office@example.com", "a@unit.example.com"]


def audit_entries(session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def emails(session) -> list[Outbox]:
    session.expire_all()
    return list(session.scalars(select(Outbox).where(Outbox.key.startswith("feedback:")).order_by(Outbox.id)))


@pytest.mark.backend
def test_the_queue_lists_new_reports_newest_first_with_filters_and_pages(app, session) -> None:
    make_parties(app, session)
    older = recorded(app, session, now=NOW - dt.timedelta(days=1), description="较早的反馈（示例）")
    newer = recorded(app, session, description="较新的反馈（示例）")
    elsewhere = recorded(app, session, OTHER_POSITION, description="科技馆的反馈（示例）")
    closed = recorded(app, session, description="已关闭的反馈（示例）")
    services.close(session, closed, "信息无误", "reviewer", NOW)
    session.commit()
    reviewer = party(app, "reviewer")
    page = reviewer.get("/staff/feedback").text
    shown = [older.description, newer.description, elsewhere.description]
    assert all(text in page for text in shown) and closed.description not in page
    assert page.index(newer.description) < page.index(older.description)
    one = reviewer.get(f"/staff/feedback?state=all&position={OTHER_POSITION}").text
    assert elsewhere.description in one and newer.description not in one and 'id="position"' in one
    assert closed.description in reviewer.get("/staff/feedback?state=closed").text
    assert newer.description not in reviewer.get("/staff/feedback?state=closed").text
    assert "共 3 条" in reviewer.get("/staff/feedback?state=bogus").text  # an unknown state is 待处理
    for n in range(50):
        recorded(app, session, description=f"第{n}条（示例）")
    assert "第 1 / 2 页" in reviewer.get("/staff/feedback").text
    assert "第 2 / 2 页" in reviewer.get("/staff/feedback?page=2").text
    dashboard = reviewer.get("/staff/").text
    assert re.search(r'id="feedback-new-count">53<', dashboard)


@pytest.mark.backend
def test_forwarding_emails_the_unit_once_without_the_readers_contact(app, session, tmp_path) -> None:
    make_parties(app, session)
    report = recorded(app, session, contact="13800007777")
    reviewer = party(app, "reviewer")
    detail = reviewer.get(f"/staff/feedback/{report.id}").text
    assert "13800007777" in detail and "反馈人没有同意转交联系方式，邮件不会附上" in detail
    forwarded = reviewer.post(f"/staff/feedback/{report.id}/forward", {"note": "请核实截止日期"})
    assert forwarded.status_code == 303
    sent = emails(session)
    assert [e.recipient for e in sent] == UNIT_A
    body = sent[0].body_text
    assert "信息有误" in body and report.description in body and "请核实截止日期" in body
    assert "13800007777" not in body + sent[0].body_html and "反馈人没有同意转交联系方式" in body
    assert sent[0].subject == "岗位问题反馈：学术会议组织助理（示例）（信息有误）"
    [entry] = audit_entries(session, "feedback_forward")
    assert (entry.actor, entry.target) == (
        "reviewer",
        f"feedback:{report.id}",
    ) and "13800007777" not in entry.detail

    again = reviewer.post(f"/staff/feedback/{report.id}/forward", {"note": ""})
    assert again.status_code == 303
    assert "已经转交或关闭，没有再次发送" in reviewer.get(again.headers["Location"]).text
    assert len(emails(session)) == 2 and len(audit_entries(session, "feedback_forward")) == 1
    drain(app)
    drain(app)
    assert [e.status for e in emails(session)] == ["sent", "sent"]
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2
    session.expire_all()
    assert session.get(Feedback, report.id).state == "forwarded"


@pytest.mark.backend
def test_two_forwards_at_once_stage_one_set_of_emails(app, session) -> None:
    make_parties(app, session)
    report = recorded(app, session, contact="chen@example.com", share_contact=True)
    positions = app.extensions["jianxi.positions"].get()
    entry = positions.by_id[OPEN_POSITION]
    to = services.Addressees(entry, positions.unit_of(entry), UNIT_A)
    with app.app_context(), db.sessions(app)() as first, db.sessions(app)() as second:
        mail = Mail.of(app.config)
        ids = services.forward(first, first.get(Feedback, report.id), "", "admin", to, mail, NOW)
        mine = second.get(Feedback, report.id)  # read before the first commits: still new
        first.commit()
        assert services.forward(second, mine, "", "reviewer", to, mail, NOW) is None
        second.rollback()
    assert ids is not None and len(ids) == 2
    sent = emails(session)
    assert len(sent) == 2 and "chen@example.com" in sent[0].body_text  # the reader agreed to share


@pytest.mark.backend
def test_closing_needs_a_note_and_is_audited_once(app, session) -> None:
    make_parties(app, session)
    report = recorded(app, session)
    reviewer = party(app, "reviewer")
    empty = reviewer.post(f"/staff/feedback/{report.id}/close", {"note": "  "})
    assert empty.status_code == 422
    assert '<p class="error" id="close-note-error">请填写关闭说明</p>' in empty.text
    too_long = reviewer.post(f"/staff/feedback/{report.id}/close", {"note": "长" * 501})
    assert too_long.status_code == 422 and "最多 500 个字" in too_long.text and "长" * 501 in too_long.text
    assert (
        reviewer.post(f"/staff/feedback/{report.id}/close", {"note": "已电话核实，信息无误"}).status_code
        == 303
    )
    session.expire_all()
    closed = session.get(Feedback, report.id)
    assert (closed.state, closed.closed_by, closed.close_note) == (
        "closed",
        "reviewer",
        "已电话核实，信息无误",
    )
    assert reviewer.post(f"/staff/feedback/{report.id}/close", {"note": "再关一次"}).status_code == 303
    assert reviewer.post(f"/staff/feedback/{report.id}/forward", {"note": ""}).status_code == 303
    assert len(audit_entries(session, "feedback_close")) == 1 and emails(session) == []
    session.expire_all()
    assert session.get(Feedback, report.id).close_note == "已电话核实，信息无误"
    assert reviewer.get("/staff/feedback/99999").status_code == 404


def test_a_report_of_a_position_no_longer_published_cannot_be_forwarded(app, session) -> None:
    make_parties(app, session)
    report = recorded(app, session)
    session.execute(
        Feedback.__table__.update()
        .where(Feedback.id == report.id)
        .values(position_id="gone/gone", unit_slug="gone")
    )
    session.commit()
    refused = party(app, "reviewer").post(f"/staff/feedback/{report.id}/forward", {"note": ""})
    assert refused.status_code == 409 and "无法转交" in refused.text and emails(session) == []


@pytest.mark.backend
def test_a_unit_sees_only_reports_forwarded_about_its_own_positions(app, session) -> None:
    make_parties(app, session)
    waiting = recorded(app, session, description="尚未转交（示例）")
    shared = recorded(
        app, session, description="同意转交联系方式（示例）", contact="13800005555", share_contact=True
    )
    private = recorded(app, session, description="不同意转交（示例）", contact="13800006666")
    theirs = recorded(app, session, OTHER_POSITION, description="科技馆的（示例）")
    reviewer = party(app, "reviewer")
    for report in (shared, private, theirs):
        assert reviewer.post(f"/staff/feedback/{report.id}/forward", {"note": ""}).status_code == 303
    unit_a = party(app, "unit_a").get("/staff/unit/feedback").text
    assert shared.description in unit_a and private.description in unit_a
    assert "13800005555" in unit_a and "13800006666" not in unit_a
    assert waiting.description not in unit_a and theirs.description not in unit_a
    unit_b = party(app, "unit_b").get("/staff/unit/feedback").text
    assert theirs.description in unit_b and shared.description not in unit_b
    assert party(app, "unit_a").get(f"/staff/feedback/{shared.id}").status_code == 403


@pytest.mark.backend
def test_retention_clears_the_contact_after_its_period_and_keeps_the_report(app, session) -> None:
    old = recorded(app, session, now=NOW - dt.timedelta(days=91), contact="13800001234", share_contact=True)
    due = recorded(app, session, now=NOW - dt.timedelta(days=90), contact="chen@example.com")
    fresh = recorded(app, session, now=NOW - dt.timedelta(days=89), contact="13800004321")
    rules = from_config(app.config)
    report = retention.purge(session, NOW.date(), NOW, rules)
    assert report.as_detail()["feedback"] == 2
    session.expire_all()
    kept = {r.id: (r.contact, r.share_contact, r.description) for r in session.scalars(select(Feedback))}
    assert kept[old.id] == ("", False, old.description) and kept[due.id][0] == ""
    assert kept[fresh.id][0] == "13800004321"
    assert retention.purge(session, NOW.date(), NOW, rules).as_detail()["feedback"] == 0
