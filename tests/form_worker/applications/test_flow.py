"""The programme's flow with its four parties, each acting in its own account: the university
recommends, the office approves and files nationally, the unit selects and offers, the student
accepts from the email link, the unit records the agreement and the internship starts. Emails go
to a real SMTP server; the priority-group answers appear in no page, file or email but the admin's.
"""

import datetime as dt
import hashlib
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from form_worker.accounts.models import AuditEntry
from form_worker.applications.models import (
    Application,
    Choice,
    FilingBatch,
    LogEntry,
    Placement,
    Transition,
)
from form_worker.applications.review import filing
from form_worker.applications.selection.tasks import start_placements
from form_worker.outbox.models import Outbox
from tests.conftest import TODAY
from tests.form_worker.conftest import OPEN_POSITION, StaffClient, csrf_token, drain
from tests.helpers.offers import accepted_on_today
from tests.helpers.parties import OTHER_POSITION, make_parties, party

PRIORITY = "零就业家庭"  # one of the form's priority groups; the test looks for it everywhere


def look_up(student, reference: str) -> str:
    """/status as the intern sees it, looked up with the reference and phone."""
    token = csrf_token(student.get("/status").text)
    data = {"reference": reference, "contact": "13800001234", "csrf_token": token}
    return student.post("/status", data=data).text


def carried(page: str, prefix: str) -> dict[str, str]:
    """The hidden fields (reference, contact, token) of one of /status's intern forms."""
    pattern = rf'<input[^>]*name="({prefix}-(?:reference|contact|csrf_token))"[^>]*value="([^"]*)"'
    found = dict(re.findall(pattern, page))
    assert len(found) == 3, (prefix, found)
    return found


@pytest.fixture
def parties(app, session) -> None:
    make_parties(app, session)


def current(session, application_id: int) -> Application:
    session.expire_all()
    return session.get(Application, application_id)


def link(text: str, path: str) -> str:
    return re.search(rf"http://[^/\s]+({path}/\S+)", text).group(1)


@pytest.mark.backend
def test_every_party_does_its_own_step_and_hears_when_it_is_their_turn(
    app, applicant, session, parties, smtp_server
) -> None:
    app.config["MAIL_URL"] = smtp_server.url
    reference = applicant.submit(choice2=OTHER_POSITION, priority_consent="y", priority_groups=PRIORITY)
    drain(app)
    application = session.scalar(select(Application).where(Application.reference == reference))
    assert application.state == "checked" and application.priority_groups == [PRIORITY]
    pages: list[str] = []  # every page a university or unit account saw

    # 1. The university: the landing page is its queue; another university and the units see nothing.
    cqu = StaffClient(app.test_client())
    landing = cqu.login("cqu")
    assert landing.headers["Location"] == "/staff/university/"
    queue = cqu.get("/staff/university/").text
    pages.append(queue)
    assert reference in queue and "待推荐" in queue
    swu = party(app, "swu")
    assert reference not in swu.get("/staff/university/?state=all").text
    assert swu.get(f"/staff/university/{application.id}").status_code == 404
    unit_a = party(app, "unit_a")
    assert reference not in unit_a.get("/staff/unit/").text  # not filed yet: not the unit's business
    detail = cqu.get(f"/staff/university/{application.id}").text
    pages.append(detail)
    assert "计算机科学与技术" in detail
    response = cqu.post("/staff/university/act", {"ids": str(application.id), "action": "recommend"})
    assert response.status_code == 303
    assert current(session, application.id).state == "recommended_by_university"

    # 2. The office approves in bulk, 3. then files nationally as one batch.
    reviewer = party(app, "reviewer")
    response = reviewer.post(
        "/staff/applications/bulk",
        {
            "state": "recommended_by_university",
            "action": "approved_by_city_office",
            "ids": str(application.id),
        },
    )
    assert response.status_code == 303
    assert current(session, application.id).state == "approved_by_city_office"
    assert reviewer.post("/staff/filing").status_code == 303
    batch = session.scalar(select(FilingBatch))
    assert (batch.count, batch.actor) == (1, "reviewer")
    assert current(session, application.id).state == "filed"
    first = reviewer.post(f"/staff/filing/{batch.id}.xlsx")
    again = reviewer.post(f"/staff/filing/{batch.id}.xlsx")
    assert first.data == again.data and hashlib.sha256(first.data).hexdigest() == batch.sha256
    sheet = load_workbook(io.BytesIO(first.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [header for header, _ in filing.FILING_COLUMNS]
    assert rows[1][1] == reference and len(rows) == 2
    assert reviewer.post("/staff/filing").status_code == 303  # again: nothing left to file
    assert session.scalar(select(func.count()).select_from(FilingBatch)) == 1

    # 4. The unit: its candidate, without contact details until the offer, then the offer.
    unit_list = unit_a.get("/staff/unit/").text
    pages.append(unit_list)
    assert reference in unit_list and "待遴选" in unit_list
    choice_a = session.scalar(select(Choice).where(Choice.position_id == OPEN_POSITION))
    choice_b = session.scalar(select(Choice).where(Choice.position_id == OTHER_POSITION))
    candidate = unit_a.get(f"/staff/unit/candidates/{choice_a.id}").text
    pages.append(candidate)
    assert "13800001234" not in candidate and "chen@example.com" not in candidate
    assert unit_a.get(f"/staff/unit/candidates/{choice_b.id}").status_code == 404  # another unit's
    assert unit_a.post(f"/staff/unit/candidates/{choice_a.id}/shortlist", {"on": "1"}).status_code == 303
    assert "已入围" in unit_a.get("/staff/unit/?shortlisted=1").text
    # Selection together (遴选录用): no offer before the office confirms the unit's proposal.
    offer = {"mentor": "李示例", "days": "5", "reason": "欢迎加入"}
    early = unit_a.post(f"/staff/unit/candidates/{choice_a.id}/offer", offer | {"state": "filed"})
    assert early.status_code == 409 and "市项目办确认后再发录用通知" in early.text
    proposed = unit_a.post(f"/staff/unit/candidates/{choice_a.id}/propose", {"note": "面谈表现好"})
    assert proposed.status_code == 303
    assert current(session, application.id).state == "proposed"
    assert "已列入拟录用名单，待市项目办确认" in unit_a.get("/staff/unit/").text
    # The university sees its student on the list; the office confirms the list.
    assert "单位拟录用，待市项目办确认" in cqu.get("/staff/university/?state=proposed").text
    listed = reviewer.get("/staff/applications?state=proposed").text
    assert reference in listed and "确认拟录用（所选）" in listed
    response = reviewer.post(
        "/staff/applications/bulk", {"state": "proposed", "action": "confirmed", "ids": str(application.id)}
    )
    assert response.status_code == 303
    assert current(session, application.id).state == "confirmed"
    response = unit_a.post(f"/staff/unit/candidates/{choice_a.id}/offer", offer | {"state": "confirmed"})
    assert response.status_code == 303, response.text
    assert current(session, application.id).state == "offered"
    placement = session.scalar(select(Placement).where(Placement.application_id == application.id))
    offered = unit_a.get(f"/staff/unit/candidates/{choice_a.id}").text
    pages.append(offered)
    assert "13800001234" in offered and "已发录用通知，待学生答复" in offered
    unit_b = party(app, "unit_b")
    elsewhere = unit_b.get(f"/staff/unit/candidates/{choice_b.id}").text
    pages.append(elsewhere)
    assert "已不再参加遴选" in elsewhere and "李示例" not in elsewhere and "13800001234" not in elsewhere
    drain(app)

    # 5. The student accepts from the email link.
    mailbox = smtp_server.mailbox
    [offer_email] = [m for m in mailbox.messages if "录用通知" in m["Subject"]]
    assert offer_email["To"] == "chen@example.com"
    text = offer_email.get_body(("plain",)).get_content()
    assert "李示例" in text and "欢迎加入" in text
    answer_path = link(text, "/offer")
    student = app.test_client()
    page = student.get(answer_path).text
    assert "接受录用" in page
    answered = student.post(answer_path, data={"answer": "accept", "csrf_token": csrf_token(page)})
    assert answered.status_code == 200 and "您已接受录用" in answered.text
    late = student.post(answer_path, data={"answer": "decline", "csrf_token": csrf_token(page)})
    assert late.status_code == 409 and "已经答复过" in late.text  # a second answer changes nothing
    session.expire_all()
    placement = session.get(Placement, placement.id)
    assert placement.accepted_at is not None and placement.ended is False
    assert session.get(Choice, choice_b.id).outcome == "withdrawn"
    drain(app)
    assert any("已接受录用" in m["Subject"] and m["To"] == "a@unit.example.com" for m in mailbox.messages)
    gone = [m for m in mailbox.messages if m["To"] == "b@unit.example.com" and "不再参加遴选" in m["Subject"]]
    assert len(gone) == 1 and "学会" not in gone[0].get_body(("plain",)).get_content()

    # 6. The unit records the agreement and the insurance, signed the day the student accepted.
    accepted_on_today(session, placement)
    agreement = {
        "agreement_date": TODAY.isoformat(),
        "start_date": "2027-07-01",
        "end_date": "2027-12-31",
        "allowance": "3000",
        "insurer": "示例保险公司",
        "policy_number": "PA-2027-0001",
        "cover_start": "2027-07-01",
        "cover_end": "2027-12-31",
    }
    form = unit_a.get(f"/staff/unit/placements/{placement.id}/agreement")
    pages.append(form.text)
    assert form.status_code == 200
    response = unit_a.post(f"/staff/unit/placements/{placement.id}/agreement", agreement)
    assert response.status_code == 303, response.text
    assert current(session, application.id).state == "agreement_signed"

    # 7. The daily task starts it on the agreed date; the intern sees the mentor on /status.
    app.config["CLOCK"] = lambda: dt.date(2027, 7, 1)
    with app.app_context():
        assert start_placements.call_local() == [application.id]
    assert current(session, application.id).state == "active"
    status_page = student.post(
        "/status",
        data={
            "reference": reference,
            "contact": "13800001234",
            "csrf_token": csrf_token(student.get("/status").text),
        },
    ).text
    assert "见习中" in status_page and "见习导师：李示例" in status_page
    drain(app)

    # 8. The unit writes the training plan and records the mentor's confirmation; the intern reads it.
    file = f"/staff/unit/placements/{placement.id}/file"
    plan = {"goals": "掌握学术会议组织", "teaching": "每周面谈", "assessment": "按月小结"}
    plan |= {f"m2027{m:02d}": f"{m}月的目标" for m in range(7, 13)}
    assert unit_a.post(file + "/plan", plan).status_code == 303
    assert unit_a.post(file + "/plan/sign").status_code == 303
    status_page = look_up(student, reference)
    read = student.post("/status/plan", data=carried(status_page, "plan"))
    assert "已确认阅读培养计划" in read.text

    # 9. The intern keeps the weekly log; the mentor approves a week; then the report.
    app.config["CLOCK"] = lambda: dt.date(2027, 7, 9)
    status_page = look_up(student, reference)
    week = {
        "log-week": "2027-06-28",
        "log-did": "整理会议资料",
        "log-learned": "会务流程",
        "log-action": "submit",
    }
    assert "已提交给导师审阅" in student.post("/status/log", data=carried(status_page, "log") | week).text
    entry = session.scalar(select(LogEntry))
    assert (
        unit_a.post(f"{file}/log/{entry.id}", {"decision": "approve", "comment": "很好"}).status_code == 303
    )
    report = {"report-text": "半年的收获", "report-action": "submit"}
    assert (
        "已提交见习总结" in student.post("/status/report", data=carried(status_page, "report") | report).text
    )
    assert unit_a.post(f"{file}/report", {"decision": "approve", "comment": ""}).status_code == 303

    # 10. The mentor's evaluation and the end with the destination; the intern confirms and rates.
    app.config["CLOCK"] = lambda: dt.date(2027, 12, 31)
    scores = {
        "attitude": "5",
        "skill": "4",
        "teamwork": "4",
        "delivery": "5",
        "grade": "优秀",
        "comment": "认真",
    }
    assert unit_a.post(file + "/evaluation", scores).status_code == 303
    ending = {"finished_on": "2027-12-31", "reason": "", "destination": "kept"}
    assert unit_a.post(file + "/finish", ending).status_code == 303
    assert current(session, application.id).state == "completed"
    status_page = look_up(student, reference)
    assert "导师已通过 <strong>1</strong> 周" in status_page and "留用（被见习单位录用）" in status_page
    kept = carried(status_page, "destination") | {"destination-destination": "kept"}
    assert "已确认您的去向" in student.post("/status/destination", data=kept).text
    rating = {"rating-mentor": "5", "rating-tasks": "4", "rating-learning": "5"}
    assert "感谢您的评价" in student.post("/status/rating", data=carried(status_page, "rating") | rating).text
    drain(app)

    # Every step recorded who and when; every email arrived once.
    session.expire_all()
    states = [
        t.to_state
        for t in session.scalars(select(Transition).where(Transition.application_id == application.id))
    ]
    assert states == [
        "submitted", "checked", "recommended_by_university", "approved_by_city_office", "filed",
        "proposed", "confirmed", "offered", "offered", "agreement_signed", "active", "completed",
    ]  # fmt: skip
    actors = {t.to_state: t.actor for t in session.scalars(select(Transition))}
    assert (actors["recommended_by_university"], actors["filed"], actors["agreement_signed"]) == (
        "cqu",
        "reviewer",
        "unit_a",
    )
    assert {r.status for r in session.scalars(select(Outbox))} == {"sent"}
    ids = [m["Message-ID"] for m in mailbox.messages]
    assert len(ids) == len(set(ids)) == session.scalar(select(func.count()).select_from(Outbox))
    to_student = [m["Subject"] for m in mailbox.messages if m["To"] == "chen@example.com"]
    # received, checked, recommended, approved, filed, on the confirmed list (the unit's proposal
    # alone is not told), the offer, accepted, signed, active, completed
    assert len(to_student) == 11

    # The priority-group answer reached no university or unit page and no email.
    assert not [p for p in pages if PRIORITY in p]
    for message in mailbox.messages:
        for part in ("plain", "html"):
            assert PRIORITY not in message.get_body((part,)).get_content()
    assert PRIORITY not in first.data.decode("latin-1")
    admin = party(app, "admin")
    assert PRIORITY in admin.get(f"/staff/applications/{application.id}").text
    viewed = session.scalar(select(AuditEntry).where(AuditEntry.action == "view_sensitive"))
    assert (viewed.actor, viewed.target) == ("admin", reference)


def test_the_office_returns_a_recommendation_to_the_university_with_a_note(
    app, applicant, session, parties
) -> None:
    reference = applicant.submit()
    drain(app)
    application = session.scalar(select(Application).where(Application.reference == reference))
    cqu = party(app, "cqu")
    assert (
        cqu.post("/staff/university/act", {"ids": str(application.id), "action": "recommend"}).status_code
        == 303
    )
    reviewer = party(app, "reviewer")
    seen = {"state": "recommended_by_university", "to_state": "checked"}
    bare = reviewer.post(f"/staff/applications/{application.id}/transition", seen | {"reason": ""})
    assert bare.status_code == 422 and "退回高校必须写明原因" in bare.text
    back = reviewer.post(
        f"/staff/applications/{application.id}/transition", seen | {"reason": "请补充成绩单"}
    )
    assert back.status_code == 303
    assert current(session, application.id).state == "checked"
    detail = cqu.get(f"/staff/university/{application.id}").text
    assert "请补充成绩单" in detail and "推荐" in detail


def test_a_university_declines_selected_rows_with_a_reason_and_only_its_own(
    app, applicant, session, parties
) -> None:
    own = [applicant.submit(phone=f"1390000000{i}", email=f"s{i}@example.com") for i in range(3)]
    other = applicant.submit(phone="13900000009", email="x@example.com", university="西南大学")
    drain(app)
    ids = {a.reference: a.id for a in session.scalars(select(Application))}
    cqu = party(app, "cqu")
    picked = [str(ids[own[0]]), str(ids[own[1]]), str(ids[other])]
    bare = cqu.post("/staff/university/act", {"ids": picked, "action": "decline", "reason": ""})
    assert bare.status_code == 422 and "不予推荐必须填写原因" in bare.text
    done = cqu.post("/staff/university/act", {"ids": picked, "action": "decline", "reason": "专业不符"})
    assert done.status_code == 303
    session.expire_all()
    states = {a.reference: a.state for a in session.scalars(select(Application))}
    assert states == {own[0]: "rejected", own[1]: "rejected", own[2]: "checked", other: "checked"}
    assert "另有 1 份" in cqu.get("/staff/university/").text  # the other university's row untouched
