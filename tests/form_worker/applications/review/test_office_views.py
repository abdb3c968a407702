"""Staff working applications: the programme's states, one email each, reasons, races, offers within
the headcount and the three-per-mentor limit, the audit log, and where sensitive answers may appear."""

import re
import threading

import pytest
from sqlalchemy import func, select, update

from form_worker.accounts.models import AuditEntry
from form_worker.applications.models import Application, Placement, Transition
from form_worker.applications.services import TransitionRefused, transition
from form_worker.applications.states import CHAIN, STATE_LABELS
from form_worker.core import db
from form_worker.outbox.models import Outbox
from tests.form_worker.conftest import OPEN_POSITION, TODAY, StaffClient, csrf_token, drain, logged_in

OTHER_POSITION = "shili-science-museum/exhibit-guide-assistant"  # 科普助理 in 南岸区, another unit


def submitted(applicant, app, session, number: int = 0, **overrides: str) -> Application:
    """A new application, checked by the queue as it would be in production."""
    contact = {"phone": f"1390000{number:04d}", "email": f"applicant{number}@example.com"}
    reference = applicant.submit(**(contact | overrides))
    drain(app)
    session.expire_all()
    return session.scalar(select(Application).where(Application.reference == reference))


def state_emails(session, application_id: int) -> list[Outbox]:
    query = select(Outbox).where(Outbox.key.startswith(f"state:{application_id}:")).order_by(Outbox.id)
    return list(session.scalars(query))


def current(session, application_id: int) -> Application:
    session.expire_all()
    return session.get(Application, application_id)


def act(staff: StaffClient, session, application_id: int, to_state: str, reason: str = "", seen: str = ""):
    """Press a state button on the application's page, as seen in state `seen` (default: now)."""
    state = seen or current(session, application_id).state
    return staff.post(
        f"/staff/applications/{application_id}/transition",
        {"state": state, "to_state": to_state, "reason": reason},
    )


def offer(staff: StaffClient, session, application_id: int, mentor: str, position: str = OPEN_POSITION):
    state = current(session, application_id).state
    return staff.post(
        f"/staff/applications/{application_id}/offer",
        {"state": state, "position": position, "mentor": mentor, "reason": ""},
    )


def set_state(session, state: str, *ids: int) -> None:
    """Test set-up only: put applications straight into a state, as if staff had worked them there."""
    session.execute(update(Application).where(Application.id.in_(ids)).values(state=state))
    session.commit()


def audit_actions(session, target: str) -> list[str]:
    query = select(AuditEntry.action).where(AuditEntry.target == target).order_by(AuditEntry.id)
    return list(session.scalars(query))


@pytest.mark.backend
def test_the_office_keys_in_each_step_to_the_offer_with_one_email_and_an_audit_entry_each(
    reviewer: StaffClient, applicant, app, session
) -> None:
    """The office can act for a party without an account up to the offer; what follows needs the
    student's answer and the unit's agreement (tests/form_worker/applications/test_flow.py)."""
    application = submitted(applicant, app, session)
    assert application.state == "checked"
    assert len(state_emails(session, application.id)) == 1  # "checked", sent by the queue
    # The office's direct path for a unit it keys in goes from filed to the offer; the proposed list
    # (proposed, confirmed) is the units' path (tests/form_worker/applications/selection/test_proposals.py).
    keyed = tuple(s for s in CHAIN if s not in ("proposed", "confirmed"))
    steps = keyed[2 : keyed.index("offered") + 1]
    for to_state in steps:
        before = len(state_emails(session, application.id))
        if to_state == "offered":
            response = offer(reviewer, session, application.id, "李示例")
        elif to_state == "filed":  # filing is a batch of its own
            response = reviewer.post("/staff/filing")
        else:
            response = act(reviewer, session, application.id, to_state, reason=f"办理：{to_state}")
        assert response.status_code == 303, response.text
        assert current(session, application.id).state == to_state
        emails = state_emails(session, application.id)
        if to_state == "offered":  # its own email, with the answer link, instead of the state's
            assert len(emails) == before
            continue
        assert len(emails) == before + 1, to_state
        assert STATE_LABELS[to_state] in emails[-1].subject
        assert application.reference in emails[-1].subject

    transitions = session.scalars(select(Transition).where(Transition.application_id == application.id)).all()
    assert [t.to_state for t in transitions] == list(keyed[: len(steps) + 2])
    assert {t.actor for t in transitions[2:]} == {"reviewer"}
    offered = next(t for t in transitions if t.to_state == "offered")
    assert "李示例" in offered.reason and "学术会议组织助理" in offered.reason
    [offer_email] = session.scalars(select(Outbox).where(Outbox.key.startswith("offer:")))
    assert "李示例" in offer_email.body_text and "/offer/" in offer_email.body_text
    assert application.reference in offer_email.subject

    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.target == application.reference).order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["application_transition"] * len(steps)
    assert {e.actor for e in entries} == {"reviewer"}
    assert '"to": "offered"' in entries[-1].detail

    placement = session.scalar(select(Placement).where(Placement.application_id == application.id))
    assert (placement.position_id, placement.mentor, placement.ended) == (OPEN_POSITION, "李示例", False)
    assert placement.deadline is not None

    # Before the student accepts and the unit records the agreement, the state cannot move on.
    response = act(reviewer, session, application.id, "agreement_signed")
    assert response.status_code == 422
    assert "学生尚未接受录用" in response.text
    assert current(session, application.id).state == "offered"

    drain(app)
    session.expire_all()
    assert {e.status for e in state_emails(session, application.id)} == {"sent"}
    page = reviewer.get(f"/staff/applications/{application.id}").text
    assert "审核员乙（reviewer）" in page


@pytest.mark.parametrize("to_state", ["rejected", "withdrawn"])
def test_reject_and_withdraw_need_a_reason(reviewer: StaffClient, applicant, app, session, to_state) -> None:
    application = submitted(applicant, app, session)
    emails = len(state_emails(session, application.id))
    response = act(reviewer, session, application.id, to_state, reason="   ")
    assert response.status_code == 422
    assert "必须填写原因" in response.text
    assert current(session, application.id).state == "checked"
    assert len(state_emails(session, application.id)) == emails
    assert audit_actions(session, application.reference) == []

    response = act(reviewer, session, application.id, to_state, reason="申请人电话告知已落实工作")
    assert response.status_code == 303
    assert current(session, application.id).state == to_state
    email = state_emails(session, application.id)[-1]
    assert "申请人电话告知已落实工作" in email.body_text
    # Issue 21: an ending says what the student can do next.
    assert "这份报名已经结束" in email.body_text and "可以再次报名" in email.body_text
    assert audit_actions(session, application.reference) == ["application_transition"]
    page = reviewer.get(f"/staff/applications/{application.id}").text
    assert 'name="to_state"' not in page and "申请人电话告知已落实工作" in page


def test_a_state_cannot_be_skipped_or_offered_without_a_place(reviewer: StaffClient, applicant, app, session):
    application = submitted(applicant, app, session)
    response = act(reviewer, session, application.id, "active")
    assert response.status_code == 422
    assert "不能改为" in response.text
    set_state(session, "filed", application.id)
    response = act(reviewer, session, application.id, "offered")
    assert response.status_code == 422
    assert "录用请使用下方的录用表" in response.text
    assert current(session, application.id).state == "filed"


@pytest.mark.backend
def test_a_stale_page_loses_cleanly(app, accounts, applicant, session) -> None:
    first, second = logged_in(app.test_client(), "reviewer"), logged_in(app.test_client(), "admin")
    application = submitted(applicant, app, session)
    assert act(first, session, application.id, "recommended_by_university", seen="checked").status_code == 303
    response = act(second, session, application.id, "rejected", reason="不符合条件", seen="checked")
    assert response.status_code == 409
    assert "刚刚已被其他工作人员处理（当前状态：高校已推荐）" in response.text
    assert current(session, application.id).state == "recommended_by_university"
    assert len(state_emails(session, application.id)) == 2
    assert audit_actions(session, application.reference) == ["application_transition"]


@pytest.mark.backend
def test_two_staff_acting_at_once_exactly_one_wins(app, applicant, session) -> None:
    """Two sessions load the same application and move it at the same moment, on real threads."""
    application = submitted(applicant, app, session)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def press(actor: str, to_state: str, reason: str) -> None:
        with db.sessions(app)() as own:
            loaded = own.get(Application, application.id)
            barrier.wait()
            try:
                transition(own, loaded, to_state, actor, reason, app.config["MAIL_FROM"], today=TODAY)
                own.commit()
                results[actor] = "moved"
            except TransitionRefused as refusal:
                results[actor] = str(refusal)

    threads = [
        threading.Thread(target=press, args=("a", "recommended_by_university", "")),
        threading.Thread(target=press, args=("b", "rejected", "名额已满")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == ["a", "b"]
    assert list(results.values()).count("moved") == 1
    loser = next(text for text in results.values() if text != "moved")
    assert "已被其他工作人员处理" in loser
    moves = session.scalar(
        select(func.count())
        .select_from(Transition)
        .where(Transition.application_id == application.id, Transition.from_state == "checked")
    )
    assert moves == 1
    assert len(state_emails(session, application.id)) == 2


@pytest.mark.backend
def test_offers_respect_headcount_and_three_interns_per_mentor(
    reviewer: StaffClient, applicant, app, session
) -> None:
    """The position takes 4 interns and has two mentors, 李示例 and 王示例."""
    group = [submitted(applicant, app, session, number=i) for i in range(5)]
    set_state(session, "filed", *(a.id for a in group))
    a1, a2, a3, a4, a5 = (a.id for a in group)

    for application_id in (a1, a2, a3):
        assert offer(reviewer, session, application_id, "李示例").status_code == 303

    refused = offer(reviewer, session, a4, "李示例")
    assert refused.status_code == 409
    assert "见习导师李示例已同时带教 3 名见习生（每名导师最多同时带教 3 名），请选择其他导师" in refused.text
    assert current(session, a4).state == "filed"
    assert session.scalar(select(Placement).where(Placement.application_id == a4)) is None
    assert len(state_emails(session, a4)) == 1
    assert audit_actions(session, group[3].reference) == []

    assert offer(reviewer, session, a4, "王示例").status_code == 303
    full = offer(reviewer, session, a5, "王示例")
    assert full.status_code == 409
    assert "招收 4 人，已录用 4 人，名额已满" in full.text

    # Withdrawal ends a placement: the place and the mentor's slot are free again.
    assert act(reviewer, session, a1, "withdrawn", reason="申请人放弃").status_code == 303
    assert session.scalar(select(Placement.ended).where(Placement.application_id == a1)) is True
    assert offer(reviewer, session, a5, "李示例").status_code == 303
    mentors = session.scalars(
        select(Placement.mentor).where(Placement.ended.is_(False)).order_by(Placement.application_id)
    ).all()
    assert mentors == ["李示例", "李示例", "王示例", "李示例"]


def test_an_offer_names_a_chosen_position_and_one_of_its_mentors(
    reviewer: StaffClient, applicant, app, session
) -> None:
    application = submitted(applicant, app, session)
    set_state(session, "filed", application.id)
    page = reviewer.get(f"/staff/applications/{application.id}").text
    assert "李示例（学术部部长、副研究员，在带 0/3）" in page
    assert "已录用 0/4" in page

    wrong_mentor = offer(reviewer, session, application.id, "朱示例")
    assert wrong_mentor.status_code == 422
    assert "不是岗位“学术会议组织助理（示例）”的见习导师" in wrong_mentor.text
    not_chosen = offer(reviewer, session, application.id, "朱示例", position=OTHER_POSITION)
    assert not_chosen.status_code == 422
    assert "只能录用到申请人所报的意向岗位" in not_chosen.text
    no_mentor = offer(reviewer, session, application.id, "")
    assert "请选择见习导师" in no_mentor.text
    assert current(session, application.id).state == "filed"


@pytest.mark.backend
def test_queue_filters_and_search(reviewer: StaffClient, applicant, app, session) -> None:
    first = submitted(applicant, app, session, number=1, name="赵一", university="重庆大学")
    second = submitted(
        applicant, app, session, number=2, name="钱二", university="西南大学", choice1=OTHER_POSITION
    )
    session.execute(update(Application).where(Application.id == second.id).values(flag="毕业时间待核实"))
    session.commit()

    def listed(query: str) -> set[str]:
        page = reviewer.get(f"/staff/applications{query}")
        assert page.status_code == 200
        return set(re.findall(r">(JX\d{4}-\d{6})</a>", page.text))

    both = {first.reference, second.reference}
    assert listed("") == both
    assert listed("?state=checked") == both
    assert listed("?state=offered") == set()
    assert listed("?type=科普助理") == {second.reference}
    assert listed("?district=渝中区") == {first.reference}
    assert listed("?unit=shili-science-museum") == {second.reference}
    assert listed("?university=西南") == {second.reference}
    assert listed("?flagged=1") == {second.reference}
    assert listed("?q=赵") == {first.reference}
    assert listed(f"?q={second.reference.lower()}") == {second.reference}
    assert listed("?q=%25") == set()  # a LIKE wildcard is searched for literally
    page = reviewer.get("/staff/applications?flagged=1").text
    assert "需人工核查" in page


def test_a_decision_on_a_held_application_clears_its_flag(
    reviewer: StaffClient, applicant, app, session
) -> None:
    """Issue 21: staff moved a held application on, and it still read 需人工核查 in every list."""
    held = submitted(applicant, app, session, number=1)
    session.execute(
        update(Application).where(Application.id == held.id).values(state="submitted", flag="岗位已不再招募")
    )
    session.commit()
    assert "需人工核查" in reviewer.get(f"/staff/applications/{held.id}").text

    assert act(reviewer, session, held.id, "checked").status_code in (200, 303)

    application = current(session, held.id)
    assert (application.state, application.flag) == ("checked", None)
    flagged = re.findall(r">(JX\d{4}-\d{6})</a>", reviewer.get("/staff/applications?flagged=1").text)
    assert held.reference not in flagged
    assert "需人工核查" not in reviewer.get(f"/staff/applications/{held.id}").text


def test_queue_pages(reviewer: StaffClient, applicant, app, session) -> None:
    one = submitted(applicant, app, session)
    rows = [
        Application(**{c.key: getattr(one, c.key) for c in Application.__table__.columns if c.key != "id"})
        for _ in range(55)
    ]
    for i, row in enumerate(rows):
        row.reference = f"JX2026-9{i:05d}"
    session.add_all(rows)
    session.commit()
    first = reviewer.get("/staff/applications").text
    assert "共 56 条，第 1 / 2 页" in first
    second = reviewer.get("/staff/applications?page=2").text
    assert len(re.findall(r">(JX\d{4}-\d{6})</a>", second)) == 6
    assert "JX2026-900054" in second


def sensitive_applicant(applicant, app, session, consent: bool) -> Application:
    extra = {"priority_groups": "低保家庭"} | ({"priority_consent": "y"} if consent else {})
    return submitted(applicant, app, session, number=7, **extra)


def test_priority_groups_appear_only_to_admins_and_every_view_is_audited(
    staff_client: StaffClient, applicant, app, session, client
) -> None:
    application = sensitive_applicant(applicant, app, session, consent=True)
    assert application.priority_groups == ["低保家庭"]
    reviewer = staff_client
    reviewer.login("reviewer")
    as_reviewer = reviewer.get(f"/staff/applications/{application.id}").text
    assert "低保家庭" not in as_reviewer and "敏感个人信息" not in as_reviewer
    reviewer.post("/staff/logout")

    admin = StaffClient(app.test_client())
    admin.login("admin")
    for _ in range(2):
        detail = admin.get(f"/staff/applications/{application.id}").text
        box = re.search(r'<section class="sensitive".*?</section>', detail, re.S).group(0)
        assert "敏感个人信息" in box and "低保家庭" in box and "本次查看已记入操作日志" in box
        assert detail.count("低保家庭") == 1
    views = session.scalars(
        select(AuditEntry.target).where(AuditEntry.action == "view_sensitive", AuditEntry.actor == "admin")
    ).all()
    assert views == [application.reference] * 2

    reviewer.login("reviewer")
    assert "低保家庭" not in reviewer.get("/staff/applications").text
    assert "低保家庭" not in reviewer.get(f"/staff/applications?q={application.reference}").text
    assert "低保家庭" not in reviewer.get("/staff/").text

    reviewer.post("/staff/logout")
    anonymous = client.get(f"/staff/applications/{application.id}")
    assert anonymous.status_code == 302 and "低保家庭" not in anonymous.text
    status_page = client.get("/status")
    status = client.post(
        "/status",
        data={
            "reference": application.reference,
            "contact": application.phone,
            "csrf_token": csrf_token(status_page.text),
        },
    )
    assert application.reference in status.text and "低保家庭" not in status.text


def test_without_consent_nothing_sensitive_is_kept_or_shown(reviewer: StaffClient, applicant, app, session):
    application = sensitive_applicant(applicant, app, session, consent=False)
    assert application.priority_groups is None
    detail = reviewer.get(f"/staff/applications/{application.id}").text
    assert "敏感个人信息" not in detail and "低保家庭" not in detail


def test_hostile_answers_stay_inert_on_staff_pages(reviewer: StaffClient, applicant, app, session) -> None:
    hostile = '<script>alert("x")</script>'
    application = submitted(applicant, app, session, name="<b>坏</b>", statement=hostile)
    detail = reviewer.get(f"/staff/applications/{application.id}").text
    assert hostile not in detail and "&lt;script&gt;" in detail
    assert "<b>坏</b>" not in reviewer.get("/staff/applications").text
