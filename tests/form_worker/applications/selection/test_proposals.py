"""Selection together (遴选录用, issue 22): a unit proposes a filed candidate for its position, the
office confirms the proposed list with each university seeing its own students on it, and only a
confirmed candidate gets the unit's offer; one proposal at a time, as one offer at a time."""

import pytest
from sqlalchemy import select

from form_worker.accounts.models import AuditEntry
from form_worker.applications.models import Application, Choice
from form_worker.applications.selection import answers, offers, proposals
from form_worker.applications.services import TransitionRefused
from form_worker.core.models import utcnow
from form_worker.outbox.models import Outbox
from tests.form_worker.conftest import OPEN_POSITION
from tests.helpers.offers import filed
from tests.helpers.parties import OTHER_POSITION, make_parties, party

OFFER = {"mentor": "李示例", "days": "7", "reason": ""}


def choice_at(session, application: Application, position: str) -> Choice:
    return session.scalar(
        select(Choice).where(Choice.application_id == application.id, Choice.position_id == position)
    )


def state_of(session, application: Application) -> str:
    session.expire_all()
    return session.get(Application, application.id).state


def applicant_emails(session, application: Application) -> list[str]:
    query = select(Outbox.subject).where(Outbox.key.startswith(f"state:{application.id}:"))
    return list(session.scalars(query))


def test_the_unit_proposes_and_may_offer_only_once_the_office_confirms(app, session) -> None:
    make_parties(app, session)
    application = filed(app, session, [OPEN_POSITION, OTHER_POSITION], number=60)
    mine, theirs = (
        choice_at(session, application, OPEN_POSITION),
        choice_at(session, application, OTHER_POSITION),
    )
    unit_a, unit_b, reviewer = party(app, "unit_a"), party(app, "unit_b"), party(app, "reviewer")
    page = unit_a.get(f"/staff/unit/candidates/{mine.id}").text
    offer_form = f'action="/staff/unit/candidates/{mine.id}/offer"'
    assert "列入拟录用名单" in page and offer_form not in page

    assert unit_a.post(f"/staff/unit/candidates/{mine.id}/propose", {"note": "面谈表现好"}).status_code == 303
    assert state_of(session, application) == "proposed"
    assert choice_at(session, application, OPEN_POSITION).proposed
    assert applicant_emails(session, application) == []  # a proposal alone is not told
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "application_transition")).one()
    assert '"to": "proposed"' in entry.detail and entry.actor == "unit_a"
    still = unit_a.post(f"/staff/unit/candidates/{mine.id}/offer", OFFER | {"state": "proposed"})
    assert still.status_code == 409 and "市项目办确认后再发录用通知" in still.text
    # One proposal at a time: the other unit waits, and is told nothing about whose.
    other = unit_b.post(f"/staff/unit/candidates/{theirs.id}/propose", {})
    assert other.status_code == 409 and "其他岗位" in other.text and "学会" not in other.text
    assert "暂不能遴选" in unit_b.get("/staff/unit/").text
    # The student's university sees the student on the list; the office confirms it.
    assert application.reference in party(app, "cqu").get("/staff/university/?state=proposed").text
    response = reviewer.post(
        "/staff/applications/bulk", {"state": "proposed", "action": "confirmed", "ids": str(application.id)}
    )
    assert response.status_code == 303 and state_of(session, application) == "confirmed"
    [told] = applicant_emails(session, application)
    assert "已列入拟录用名单" in told and application.reference in told
    assert offer_form in unit_a.get(f"/staff/unit/candidates/{mine.id}").text
    offered = unit_a.post(f"/staff/unit/candidates/{mine.id}/offer", OFFER | {"state": "confirmed"})
    assert offered.status_code == 303 and state_of(session, application) == "offered"


def test_the_unit_withdraws_and_the_office_sends_back_with_a_reason(app, session) -> None:
    make_parties(app, session)
    application = filed(app, session, [OPEN_POSITION], number=61)
    mine = choice_at(session, application, OPEN_POSITION)
    unit_a, reviewer = party(app, "unit_a"), party(app, "reviewer")
    unit_a.post(f"/staff/unit/candidates/{mine.id}/propose", {})
    assert unit_a.post(f"/staff/unit/candidates/{mine.id}/withdraw-proposal").status_code == 303
    assert state_of(session, application) == "filed"
    assert not choice_at(session, application, OPEN_POSITION).proposed
    assert applicant_emails(session, application) == []  # never told of the proposal, nor of its end

    unit_a.post(f"/staff/unit/candidates/{mine.id}/propose", {})
    transition = f"/staff/applications/{application.id}/transition"
    bare = reviewer.post(transition, {"state": "proposed", "to_state": "filed", "reason": ""})
    assert bare.status_code in (409, 422) and "退回拟录用必须写明原因" in bare.text
    page = reviewer.get(f"/staff/applications/{application.id}").text
    assert "不予确认，退回单位" in page and "列入拟录用名单" not in page
    back = reviewer.post(transition, {"state": "proposed", "to_state": "filed", "reason": "岗位专业不符"})
    assert back.status_code == 303 and state_of(session, application) == "filed"
    assert "待遴选" in unit_a.get("/staff/unit/").text

    # Confirmed, then taken off the list: the student, who was told, hears why.
    unit_a.post(f"/staff/unit/candidates/{mine.id}/propose", {})
    reviewer.post(transition, {"state": "proposed", "to_state": "confirmed", "reason": ""})
    assert state_of(session, application) == "confirmed"
    reviewer.post(transition, {"state": "confirmed", "to_state": "filed", "reason": "名额调整"})
    assert state_of(session, application) == "filed"
    emails = session.scalars(select(Outbox).where(Outbox.key.startswith(f"state:{application.id}:"))).all()
    assert len(emails) == 2 and "名额调整" in emails[-1].body_text


def test_an_offer_declined_frees_the_list_for_the_other_choices(app, session) -> None:
    make_parties(app, session)
    application = filed(app, session, [OPEN_POSITION, OTHER_POSITION], number=62)
    positions = app.extensions["jianxi.positions"].get()
    mail = offers.Mail.of(app.config)
    with app.app_context():
        proposals.propose(
            session, choice_at(session, application, OPEN_POSITION), "unit_a", "", "x", positions
        )
        application.state = "confirmed"  # as the office confirms it
        session.commit()
        other = choice_at(session, application, OTHER_POSITION)
        with pytest.raises(TransitionRefused, match="只能按名单录用"):
            offers.make_offer(
                session, application, OTHER_POSITION, "王示例", 7, "reviewer", "", mail, positions, utcnow()
            )
        session.rollback()
        application = session.get(Application, application.id)
        placement = offers.make_offer(
            session, application, OPEN_POSITION, "李示例", 7, "unit_a", "", mail, positions, utcnow()
        )
        session.commit()
        answers.decline(session, application, placement, "", mail, positions, utcnow())
        session.commit()
    assert state_of(session, application) == "filed"
    assert not any(c.proposed for c in session.scalars(select(Choice)))
    assert other.position_id == OTHER_POSITION
    assert party(app, "unit_b").post(f"/staff/unit/candidates/{other.id}/propose", {}).status_code == 303
