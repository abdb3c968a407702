"""An admin answers one applicant's request: what is held, a copy of all of it, and erasure through
the purge's anonymisation; an intern's audited records stay until their date; the audit log names
no one, and neither does a staff search."""

import datetime as dt
import hashlib
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from form_worker.accounts.models import AuditEntry
from form_worker.applications.models import Application, FilingBatch, Placement
from form_worker.applications.review import filing
from form_worker.outbox.models import Outbox
from form_worker.retention import services
from form_worker.retention.rules import from_config
from tests.conftest import TODAY
from tests.form_worker.conftest import (
    OPEN_POSITION,
    SAMPLE_APPLICANT,
    StaffClient,
    logged_in,
    recorded_application,
)
from tests.helpers.ids import duplicates
from tests.helpers.retention import person, placement


def page_of(application_id: int) -> str:
    return f"/staff/applications/{application_id}/personal-data"


def sample(app, session, state: str) -> Application:
    """The sample applicant (陈示例), with experience, priority groups, a statement and a sent receipt."""
    received = recorded_application(
        app,
        session,
        statement="我家住在渝中区解放碑",
        society_post=True,
        society_post_detail="学生科协主席",
        priority_consent=True,
        priority_groups=["残疾"],
    )
    session.execute(update(Application).where(Application.id == received.id).values(state=state))
    session.execute(
        update(Outbox)
        .where(Outbox.key == f"received:{received.id}")
        .values(status="sent", sent_at=dt.datetime(2026, 11, 1))
    )
    session.commit()
    return session.get(Application, received.id)


def audit_text(session) -> str:
    session.expire_all()
    return " ".join(f"{e.actor} {e.target} {e.detail}" for e in session.scalars(select(AuditEntry)))


def assert_audit_names_no_one(session) -> None:
    text = audit_text(session)
    for key in ("name", "phone", "email"):
        assert SAMPLE_APPLICANT[key] not in text, key


def erase(admin, application: Application, confirm: str | None = None, reason: str = "request"):
    return admin.post(
        page_of(application.id) + "/erase",
        {"confirm": application.reference if confirm is None else confirm, "reason": reason},
    )


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("post", "/export"), ("post", "/erase")],
    ids=["page", "export", "erase"],
)
def test_only_an_admin_reaches_an_applicants_personal_data(
    app, session, client, accounts, method, suffix
) -> None:
    application = sample(app, session, "rejected")
    path = page_of(application.id) + suffix
    anonymous = getattr(StaffClient(client), method)(path)  # posts with a valid CSRF token
    assert anonymous.status_code == 302 and "/staff/login" in anonymous.headers["Location"]
    reviewer = logged_in(client, "reviewer")
    assert getattr(reviewer, method)(path).status_code == 403
    session.expire_all()
    assert session.get(Application, application.id).name == SAMPLE_APPLICANT["name"]


def test_the_application_page_links_to_it_for_admins_only(app, session, client, accounts) -> None:
    application = sample(app, session, "checked")
    detail = f"/staff/applications/{application.id}"
    reviewer = logged_in(client, "reviewer")
    assert 'id="personal-data-link"' not in reviewer.get(detail).text
    reviewer.post("/staff/logout")
    admin = logged_in(client, "admin")
    assert f'href="{page_of(application.id)}" id="personal-data-link"' in admin.get(detail).text


def test_the_page_counts_what_is_held_and_says_when_it_goes(app, session, admin) -> None:
    application = sample(app, session, "rejected")
    page = admin.get(page_of(application.id)).text
    assert "<tr><td>意向岗位</td><td>1</td></tr>" in page
    assert "<tr><td>发给本人的邮件</td><td>1</td></tr>" in page
    assert "<tr><td>发给单位或他人、涉及本人的邮件</td><td>1</td></tr>" in page
    # 2026 applications never placed: 12 months after 31 December 2026.
    assert "系统将于 <strong>2027-12-31</strong> 自动匿名化" in page
    assert "尚未导出过" in page and "删除个人信息" in page


# ---------------------------------------------------------------- the export


def test_the_export_holds_everything_and_its_audit_entry_names_no_one(app, session, admin) -> None:
    application = sample(app, session, "completed")
    placement(session, application, end=dt.date(2026, 9, 30))
    response = admin.post(page_of(application.id) + "/export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.data)
    held = document["application"]
    assert (held["name"], held["phone"], held["email"]) == tuple(
        SAMPLE_APPLICANT[k] for k in ("name", "phone", "email")
    )
    assert held["priority_groups"] == ["残疾"] and held["statement"] == "我家住在渝中区解放碑"
    assert [c["position_id"] for c in document["choices"]] == [OPEN_POSITION]
    assert [t["to_state"] for t in document["history"]] == ["submitted"]
    [receipt] = document["emails"]  # the units' emails about them are not theirs to take
    assert receipt["recipient"] == SAMPLE_APPLICANT["email"] and "报名已收到" in receipt["subject"]
    assert receipt["sent_at"] == "2026-11-01T08:00:00+08:00"
    [work] = document["placements"]
    assert work["mentor"] == "张导师" and work["policy_number"] == "P-20200001"
    assert work["attendance"][0]["note"] == "病假两天，已就医"
    assert work["notes"][0]["text"] == "沟通能力强，家住渝中"
    assert work["evaluation"]["grade"] == "优秀"
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "applicant_export"))
    assert (entry.actor, entry.target) == ("admin", f"application:{application.id}")
    assert json.loads(entry.detail)["placements"] == 1
    assert_audit_names_no_one(session)
    assert "最近的导出" in admin.get(page_of(application.id)).text


# ---------------------------------------------------------------- the erasure


def test_an_open_application_is_withdrawn_before_it_is_erased(app, session, admin) -> None:
    application = sample(app, session, "checked")
    assert "请先在报名页面办理“撤回报名”" in admin.get(page_of(application.id)).text
    response = erase(admin, application)
    assert response.status_code == 409 and 'id="erase-error"' in response.text
    session.expire_all()
    assert session.get(Application, application.id).name == SAMPLE_APPLICANT["name"]
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "applicant_erase")) is None


@pytest.mark.parametrize(("confirm", "reason"), [("JX2026-999999", "request"), (None, ""), (None, "bogus")])
def test_without_the_reference_and_a_reason_nothing_is_erased(app, session, admin, confirm, reason) -> None:
    application = sample(app, session, "rejected")
    assert erase(admin, application, confirm, reason).status_code == 422
    session.expire_all()
    assert session.get(Application, application.id).anonymised_at is None


@pytest.mark.backend
def test_erasing_a_closed_application_anonymises_it_as_the_purge_would(app, session, admin) -> None:
    application = sample(app, session, "withdrawn")
    response = erase(admin, application, application.reference.lower(), "consent_withdrawn")
    assert response.status_code == 303
    assert "已删除这名申请人的个人信息" in admin.get(response.headers["Location"]).text
    session.expire_all()
    row = session.get(Application, application.id)
    assert row.anonymised_at is not None
    assert (row.name, row.phone, row.email, row.statement) == (services.ERASED_NAME, "", "", "")
    assert row.priority_groups is None and row.society_post_detail == ""
    assert (row.state, row.university, row.degree, row.major_group) == (
        "withdrawn",
        "重庆大学",
        "本科",
        "工学",
    )
    emails = list(session.scalars(select(Outbox).where(Outbox.application_id == application.id)))
    assert [(e.status, e.recipient, e.body_text) for e in emails] == [("sent", services.MASKED_RECIPIENT, "")]
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "applicant_erase"))
    detail = json.loads(entry.detail)
    assert (entry.target, detail["reason"], detail["mode"]) == (
        f"application:{application.id}",
        "consent_withdrawn",
        "anonymise",
    )
    assert detail["applications"] == 1 and detail["emails_deleted"] == 1 and detail["claims"] == 4
    assert_audit_names_no_one(session)

    # Again: harmless, and the page says it is done.
    assert erase(admin, application).status_code == 303
    page = admin.get(page_of(application.id)).text
    assert 'id="anonymised"' in page and SAMPLE_APPLICANT["name"] not in page
    assert_audit_names_no_one(session)


@pytest.mark.backend
def test_an_intern_keeps_what_the_hr_bureau_may_audit_until_its_date(app, session, admin) -> None:
    application = sample(app, session, "active")
    row = placement(session, application, end=dt.date(2027, 6, 30))
    session.execute(update(Placement).where(Placement.id == row.id).values(ended=False))
    pending = Outbox(
        key="pending-notice",
        message_id="<pending-notice@jianxi.test>",
        recipient=SAMPLE_APPLICANT["email"],
        subject="见习结束提醒",
        body_text="请按时提交总结",
        body_html="<p>请按时提交总结</p>",
        application_id=application.id,
    )
    session.add(pending)
    session.commit()
    page = admin.get(page_of(application.id)).text
    assert 'id="erase-kept"' in page and "<strong>2032-06-30</strong>" in page

    response = erase(admin, application)
    assert response.status_code == 303
    shown = admin.get(response.headers["Location"]).text
    assert "保留至 2032-06-30" in shown and "已删除个人陈述" in shown
    session.expire_all()
    kept = session.get(Application, application.id)
    assert (kept.name, kept.phone, kept.email) == tuple(
        SAMPLE_APPLICANT[k] for k in ("name", "phone", "email")
    )
    assert (kept.statement, kept.society_post_detail, kept.priority_groups) == ("", "", None)
    assert kept.anonymised_at is None and kept.state == "active"
    receipt = session.scalar(select(Outbox).where(Outbox.key == f"received:{application.id}"))
    assert (receipt.recipient, receipt.body_text) == (services.MASKED_RECIPIENT, "")
    assert session.get(Outbox, pending.id).body_text == "请按时提交总结"  # the agreement goes on
    kept_placement = session.get(Placement, row.id)  # kept for the HR bureau, no longer published
    assert (kept_placement.typical_case, kept_placement.case_story) == (False, "")
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "applicant_erase"))
    detail = json.loads(entry.detail)
    assert (detail["mode"], detail["kept_until"]) == ("keep_for_audit", "2032-06-30")
    assert_audit_names_no_one(session)

    # On that date the daily purge anonymises the rest.
    rules = from_config(app.config)
    now = dt.datetime(2032, 6, 30, 19, 0)
    assert services.purge(session, dt.date(2032, 6, 29), now, rules).counts["placed"] == 0
    assert services.purge(session, dt.date(2032, 6, 30), now, rules).counts["placed"] == 1
    session.expire_all()
    assert session.get(Application, application.id).name == services.ERASED_NAME


def test_an_internship_past_its_period_is_erased_entirely(app, session, admin) -> None:
    old = person(app, session, year=2019, state="completed")
    placement(session, old, end=dt.date(2020, 6, 30))
    assert TODAY > dt.date(2025, 6, 30)
    assert erase(admin, old).status_code == 303
    session.expire_all()
    assert session.get(Application, old.id).anonymised_at is not None


# ---------------------------------------------------------------- searching leaves no trace


def test_a_staff_search_for_a_name_leaves_no_audit_entry(app, session, admin) -> None:
    sample(app, session, "checked")
    page = admin.get("/staff/applications", query_string={"q": SAMPLE_APPLICANT["name"]}).text
    assert SAMPLE_APPLICANT["name"] in page
    assert SAMPLE_APPLICANT["name"] not in audit_text(session)


def test_the_page_has_unique_ids_with_its_errors_shown(app, session, admin) -> None:
    application = sample(app, session, "rejected")
    assert duplicates(admin.get(page_of(application.id)).text) == []
    refused = erase(admin, application, "", "")
    assert refused.status_code == 422 and 'href="#confirm"' in refused.text
    assert duplicates(refused.text) == []


def test_an_erasure_clears_the_sent_university_digests_that_list_the_reference(app, session, admin) -> None:
    application = sample(app, session, "withdrawn")

    def digest(key: str, listed: str, status: str = "sent") -> Outbox:
        row = Outbox(
            key=key,
            message_id=f"<{key}@jianxi.test>",
            recipient="cqu@example.edu.cn",
            subject="本校有新的报名待推荐",
            body_text=f"- {listed} 陈示例（计算机科学与技术）",
            body_html=f"<li>{listed} 陈示例</li>",
            status=status,
        )
        session.add(row)
        return row

    listing = digest("digest:1:2026-11-01", application.reference)
    other = digest("digest:1:2026-11-02", "JX2026-999999")
    waiting = digest("digest:1:2026-11-03", application.reference, status="pending")
    session.commit()
    assert erase(admin, application).status_code == 303
    session.expire_all()
    assert session.get(Outbox, listing.id).body_text == ""
    assert session.get(Outbox, other.id).body_text.startswith("- JX2026-999999")
    assert session.get(Outbox, waiting.id).body_text != ""  # goes out, then the 90-day rule


def test_an_erasure_removes_the_person_from_the_kept_national_filing_file(app, session, admin) -> None:
    """Issue 21 (outside attack): after an erasure a reviewer could still download the filing batch
    with the person's name, phone and email. The file now reads （已删除） where they were."""
    application = sample(app, session, "approved_by_city_office")
    other = recorded_application(app, session, name="王另一", phone="13900000099", email="other@example.com")
    session.execute(
        update(Application).where(Application.id == other.id).values(state="approved_by_city_office")
    )
    session.commit()
    with app.app_context():
        batch = filing.export(session, "reviewer", app.extensions["jianxi.positions"].get(), "x@jianxi.test")
        session.commit()
    session.execute(update(Application).where(Application.id == application.id).values(state="withdrawn"))
    session.commit()

    response = erase(admin, application)

    assert response.status_code == 303
    assert "全国备案名单（系统留存的导出文件）中此人的姓名" in admin.get(response.headers["Location"]).text
    session.expire_all()
    kept = session.get(FilingBatch, batch.id)
    rows = list(load_workbook(io.BytesIO(kept.content))[filing.SHEET_TITLE].iter_rows(values_only=True))
    text = " ".join(str(cell) for row in rows for cell in row)
    for key in ("name", "phone", "email"):
        assert SAMPLE_APPLICANT[key] not in text, key
    assert "王另一" in text and application.reference in text  # the others and the count stay
    assert (kept.count, kept.erased) == (2, 1)
    assert kept.sha256 == hashlib.sha256(kept.content).hexdigest()
    detail = json.loads(
        session.scalars(select(AuditEntry).where(AuditEntry.action == "applicant_erase")).one().detail
    )
    assert detail["filing_rows"] == 1
