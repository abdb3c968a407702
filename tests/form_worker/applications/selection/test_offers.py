"""Offers by units: the deadline, the student's answer, lapsing, what accepting withdraws, and two
contacts offering at once; the agreement step's rules."""

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import func, select

from form_worker.applications.models import Application, Choice, Placement, Transition
from form_worker.applications.selection import agreements, answers, offers
from form_worker.applications.services import TransitionRefused
from form_worker.core import db
from form_worker.core.models import utcnow
from form_worker.outbox.models import Outbox
from tests.conftest import TODAY
from tests.form_worker.conftest import OPEN_POSITION, csrf_token
from tests.helpers.offers import AGREEMENT, accepted_on_today, filed, offer
from tests.helpers.parties import OTHER_POSITION, make_parties, party


@pytest.fixture
def mail(app) -> offers.Mail:
    return offers.Mail(app.config["MAIL_FROM"], "https://forms.example.cn/", app.config["SECRET_KEY"])


def positions_of(app):
    return app.extensions["jianxi.positions"].get()


def test_declining_frees_the_place_and_another_unit_may_offer(app, session, mail) -> None:
    application = filed(app, session, [OPEN_POSITION, OTHER_POSITION])
    placement = offer(session, app, application, mail)
    assert placement.deadline is not None
    answers.decline(session, application, placement, "已考研", mail, positions_of(app), utcnow())
    session.commit()
    session.expire_all()
    application = session.get(Application, application.id)
    assert application.state == "filed"
    assert session.get(Placement, placement.id).ended is True
    outcomes = {c.position_id: c.outcome for c in application.choices}
    assert outcomes == {OPEN_POSITION: "declined", OTHER_POSITION: None}
    last = session.scalars(select(Transition).order_by(Transition.id.desc())).first()
    assert (last.from_state, last.to_state, last.actor) == ("offered", "filed", "申请人")
    assert "已考研" in last.reason
    to_unit = session.scalars(
        select(Outbox).where(Outbox.key.startswith(f"declined-unit:{placement.id}"))
    ).all()
    assert to_unit and all("已考研" in r.body_text for r in to_unit)
    # The declined choice is closed; the other unit may still offer.
    with pytest.raises(TransitionRefused, match="这个志愿已结束"):
        offer(session, app, application, mail)
    session.rollback()
    second = offer(session, app, session.get(Application, application.id), mail, "朱示例", OTHER_POSITION)
    assert second.id != placement.id and session.get(Application, application.id).state == "offered"
    # The old link answers nothing now.
    old = offers.from_token(session, offers.token(placement, mail.secret), mail.secret)
    assert old is not None and old[1].ended


def test_an_offer_not_answered_in_time_lapses_and_both_sides_hear(app, session, mail) -> None:
    application = filed(app, session, [OPEN_POSITION])
    start = utcnow()
    placement = offer(session, app, application, mail, days=3, now=start)
    assert answers.lapse_due(session, start + dt.timedelta(days=2), mail, positions_of(app)) == []
    with pytest.raises(answers.AnswerRefused, match="答复期限已过"):
        answers.accept(session, application, placement, mail, positions_of(app), start + dt.timedelta(days=4))
    released = answers.lapse_due(session, start + dt.timedelta(days=4), mail, positions_of(app))
    assert released == [application.id]
    session.expire_all()
    assert session.get(Application, application.id).state == "filed"
    assert session.get(Choice, application.choices[0].id).outcome == "lapsed"
    keys = set(session.scalars(select(Outbox.key)))
    assert f"lapsed:{placement.id}" in keys and any(k.startswith(f"lapsed-unit:{placement.id}") for k in keys)
    # Issue 21: the only choice lapsed, so the application has ended: the email says what next.
    lapsed = session.scalar(select(Outbox).where(Outbox.key == f"lapsed:{placement.id}"))
    assert "这份报名已经结束" in lapsed.body_text and "可以再次报名" in lapsed.body_text
    assert answers.lapse_due(session, start + dt.timedelta(days=5), mail, positions_of(app)) == []


def test_accepting_withdraws_the_other_open_applications_of_the_same_person(app, session, mail) -> None:
    first = filed(app, session, [OPEN_POSITION], number=1)
    second = filed(app, session, [OTHER_POSITION], number=1)  # the same phone and email, another form
    stranger = filed(app, session, [OTHER_POSITION], number=2)
    placement = offer(session, app, first, mail)
    answers.accept(session, first, placement, mail, positions_of(app), utcnow())
    session.commit()
    session.expire_all()
    assert session.get(Application, second.id).state == "withdrawn"
    assert session.get(Application, stranger.id).state == "filed"
    assert session.get(Placement, placement.id).accepted_at is not None
    reason = session.scalar(
        select(Transition.reason).where(Transition.application_id == second.id).order_by(Transition.id.desc())
    )
    assert "已接受其他岗位的录用" in reason
    gone = session.scalars(select(Outbox).where(Outbox.key.startswith("gone:"))).all()
    assert gone and all("学术会议" not in r.body_text for r in gone)  # never names the other unit
    with pytest.raises(answers.AnswerRefused):
        answers.decline(session, first, placement, "", mail, positions_of(app), utcnow())


def test_the_student_answers_from_status_too(app, session, mail, applicant) -> None:
    application = filed(app, session, [OPEN_POSITION], number=3)
    offer(session, app, application, mail)
    client = app.test_client()
    page = client.post(
        "/status",
        data={
            "reference": application.reference,
            "contact": application.phone,
            "csrf_token": csrf_token(client.get("/status").text),
        },
    ).text
    assert "（北京时间）前答复" in page and 'id="answer-offer"' in page
    action = re.search(r'<form method="post" action="(/offer/[^"]+)"', page).group(1)
    answered = client.post(action, data={"answer": "accept", "csrf_token": csrf_token(page)})
    assert answered.status_code == 200 and "您已接受录用" in answered.text


@pytest.mark.backend
def test_two_contacts_offering_the_last_place_at_once_one_wins(app, session, mail) -> None:
    """The position takes 4; three are placed; two contacts offer the fourth place to two people."""
    group = [filed(app, session, [OPEN_POSITION], number=10 + i) for i in range(5)]
    for application, mentor in zip(group[:3], ("李示例", "李示例", "王示例"), strict=True):
        offer(session, app, application, mail, mentor)
    results = race(app, mail, [(group[3].id, "王示例"), (group[4].id, "王示例")])
    assert sorted(results) == ["full", "offered"], results
    taken = session.scalar(select(func.count()).select_from(Placement).where(Placement.ended.is_(False)))
    assert taken == 4


@pytest.mark.backend
def test_the_same_mentors_fourth_intern_at_once_one_wins(app, session, mail) -> None:
    group = [filed(app, session, [OPEN_POSITION], number=20 + i) for i in range(4)]
    for application in group[:2]:
        offer(session, app, application, mail, "李示例")
    results = race(app, mail, [(group[2].id, "李示例"), (group[3].id, "李示例")])
    assert sorted(results) == ["full", "offered"], results
    mentors = session.scalars(select(Placement.mentor).where(Placement.ended.is_(False))).all()
    assert mentors.count("李示例") == 3


def race(app, mail, attempts: list[tuple[int, str]]) -> list[str]:
    """Offer each (application, mentor) from its own thread and session, released together."""
    barrier = threading.Barrier(len(attempts))
    results: list[str] = []
    positions = positions_of(app)

    def attempt(application_id: int, mentor: str) -> None:
        with db.sessions(app)() as own:
            application = own.get(Application, application_id)
            barrier.wait()
            try:
                offers.make_offer(
                    own, application, OPEN_POSITION, mentor, 7, "unit_a", "", mail, positions, utcnow()
                )
                own.commit()
                results.append("offered")
            except TransitionRefused as refusal:
                results.append("full" if refusal.conflict else str(refusal))

    threads = [threading.Thread(target=attempt, args=pair) for pair in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"start_date": dt.date(2027, 6, 1)}, "start_date", "不能早于岗位公布的见习开始日期"),
        ({"end_date": dt.date(2028, 1, 31)}, "end_date", "不能晚于岗位公布的见习结束日期"),
        ({"end_date": dt.date(2027, 6, 30)}, "end_date", "结束日期不能早于开始日期"),
        ({"allowance": 2500}, "allowance", "不能低于岗位公布的每月 3000 元"),
        ({"cover_end": dt.date(2027, 11, 30)}, "cover_end", "保险期间须覆盖整个见习期"),
        ({"agreement_date": dt.date(2027, 7, 2)}, "agreement_date", "签订日期不能晚于今天"),
        ({"agreement_date": TODAY - dt.timedelta(days=3)}, "agreement_date", "不能早于学生接受录用的日期"),
        ({"cover_start": dt.date(2027, 7, 2)}, "cover_start", "保险须在见习开始（2027-07-01）时已经生效"),
    ],
)
def test_the_agreement_keeps_the_programmes_rules(app, change, field, message) -> None:
    """Issue 21 added the three last: an agreement dated in the future or before the student
    accepted, and insurance starting after the internship began, were recorded."""
    position = positions_of(app).by_id[OPEN_POSITION].position
    accepted = TODAY - dt.timedelta(days=1)
    agreement = agreements.Agreement(**(AGREEMENT | change))
    assert message in agreements.problems(agreement, position, False, TODAY, accepted)[field]
    assert agreements.problems(agreements.Agreement(**AGREEMENT), position, False, TODAY, accepted) == {}


def test_an_agreement_recorded_after_the_start_may_still_not_be_dated_after_it(app) -> None:
    position = positions_of(app).by_id[OPEN_POSITION].position
    late = agreements.Agreement(**(AGREEMENT | {"agreement_date": dt.date(2027, 7, 2)}))
    later = dt.date(2027, 7, 3)  # entered the day after: the date is past, but after the start
    assert "协议应在见习开始前" in agreements.problems(late, position, False, later, TODAY)["agreement_date"]


def test_three_to_twelve_months_and_a_lower_allowance_only_with_the_offices_approval() -> None:
    from site_builder.model.schema import Mentor, Position, Workplace

    long = Position(
        title="长期岗位",
        type="学术助理",
        track="科技见习",
        mentors=[Mentor(name="甲", title="研究员")],
        headcount=1,
        duties="负责协助整理学术资料和组织研讨会议的各项工作。",
        learning="熟悉科研管理流程并学会撰写会议纪要与工作报告。",
        majors=["理工科各专业"],
        education="本科",
        workplace=Workplace(district="渝中区", address="示例路 1 号"),
        allowance=3000,
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 12, 31),
        deadline=dt.date(2026, 12, 20),
        published=dt.date(2026, 11, 1),
    )
    year = AGREEMENT | {"start_date": dt.date(2027, 1, 1), "end_date": dt.date(2028, 1, 1)}
    year |= {"agreement_date": dt.date(2026, 12, 28), "cover_start": dt.date(2027, 1, 1)}
    year |= {"cover_end": dt.date(2028, 1, 1)}
    day = dt.date(2026, 12, 28)
    assert (
        "最长 12 个月" in agreements.problems(agreements.Agreement(**year), long, False, day, day)["end_date"]
    )
    short = agreements.Agreement(
        **(year | {"end_date": dt.date(2027, 3, 30), "cover_end": dt.date(2027, 3, 30)})
    )
    assert "不少于 3 个月" in agreements.problems(short, long, False, day, day)["end_date"]
    lower = agreements.Agreement(**(year | {"end_date": dt.date(2027, 12, 31), "allowance": 2000}))
    assert "allowance" in agreements.problems(lower, long, False, day, day)
    assert "allowance" not in agreements.problems(lower, long, True, day, day)


def test_the_unit_form_shows_each_rule_beside_its_field_and_keeps_the_input(app, session, mail) -> None:
    make_parties(app, session)
    application = filed(app, session, [OPEN_POSITION], number=30)
    placement = offer(session, app, application, mail)
    answers.accept(session, application, placement, mail, positions_of(app), utcnow())
    session.commit()
    accepted_on_today(session, placement)
    unit = party(app, "unit_a")
    form = {k: str(v) for k, v in AGREEMENT.items()} | {"allowance": "2500", "policy_number": "PA-留存"}
    response = unit.post(f"/staff/unit/placements/{placement.id}/agreement", form)
    assert response.status_code == 422
    assert "不能低于岗位公布的每月 3000 元" in response.text and 'value="PA-留存"' in response.text
    session.expire_all()
    assert session.get(Application, application.id).state == "offered"
    assert session.get(Placement, placement.id).policy_number is None
    # The office approves the lower allowance for this placement; the same form then passes.
    assert party(app, "reviewer").post(f"/staff/placements/{placement.id}/allowance").status_code == 303
    assert unit.post(f"/staff/unit/placements/{placement.id}/agreement", form).status_code == 303
    session.expire_all()
    assert session.get(Application, application.id).state == "agreement_signed"


def test_withdrawing_after_filing_tells_the_units_and_frees_the_offer(app, session, mail) -> None:
    application = filed(app, session, [OPEN_POSITION, OTHER_POSITION], number=40)
    placement = offer(session, app, application, mail)
    client = app.test_client()
    looked_up = {"reference": application.reference, "contact": application.phone}
    page = client.post("/status", data=looked_up | {"csrf_token": csrf_token(client.get("/status").text)})
    response = client.post(
        "/status/withdraw",
        data={f"withdraw-{k}": v for k, v in looked_up.items()}
        | {"withdraw-reason": "已签约其他单位", "withdraw-csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 200 and "已撤回" in response.text
    session.expire_all()
    assert session.get(Application, application.id).state == "withdrawn"
    assert session.get(Placement, placement.id).ended is True
    gone = session.scalars(select(Outbox).where(Outbox.key.startswith("gone:"))).all()
    assert {r.recipient for r in gone} >= {"society-office@example.com"}
    assert all("撤回了报名" in r.body_text for r in gone)


def test_a_unit_records_one_group_policy_for_several_interns_all_or_none(app, session, mail) -> None:
    """Issue 21: ten interns were ten pages of eight fields. One agreement date, period and group
    policy for a selection of interns, each checked as if alone; one that breaks a rule stops all."""
    make_parties(app, session)
    placed = []
    for number in (50, 51, 52):
        application = filed(app, session, [OPEN_POSITION], number=number)
        placement = offer(session, app, application, mail, mentor=("李示例", "李示例", "王示例")[number - 50])
        answers.accept(session, application, placement, mail, positions_of(app), utcnow())
        session.commit()
        accepted_on_today(session, placement)
        placed.append((application, placement))
    unit = party(app, "unit_a")
    page = unit.get("/staff/unit/placements/agreements").text
    assert all(a.reference in page for a, _ in placed)
    common = {k: str(v) for k, v in AGREEMENT.items() if k != "allowance"} | {"policy_number": "TD-2027-01"}

    early = common | {"start_date": "2027-06-01"}  # before the position's start: refused for everyone
    refused = unit.client.post(
        "/staff/unit/placements/agreements",
        data={
            **early,
            "placements": [str(placed[0][1].id), str(placed[1][1].id)],
            "csrf_token": unit.token(),
        },
    )
    assert refused.status_code == 422 and "没有登记：以下见习生不符合要求" in refused.text
    assert placed[0][0].reference in refused.text and "不能早于岗位公布的见习开始日期" in refused.text
    session.expire_all()
    assert {session.get(Application, a.id).state for a, _ in placed} == {"offered"}

    done = unit.client.post(
        "/staff/unit/placements/agreements",
        data={
            **common,
            "placements": [str(placed[0][1].id), str(placed[1][1].id)],
            "csrf_token": unit.token(),
        },
    )
    assert done.status_code == 303
    session.expire_all()
    states = [session.get(Application, a.id).state for a, _ in placed]
    assert states == ["agreement_signed", "agreement_signed", "offered"]  # the third was not chosen
    policies = {session.get(Placement, p.id).policy_number for _, p in placed[:2]}
    assert policies == {"TD-2027-01"}
    assert (
        session.get(Placement, placed[0][1].id).allowance
        == positions_of(app).by_id[OPEN_POSITION].position.allowance
    )

    # Another unit cannot record for unit A's interns: they are not among its choices.
    unit_b = party(app, "unit_b")
    other = unit_b.client.post(
        "/staff/unit/placements/agreements",
        data={**common, "placements": [str(placed[2][1].id)], "csrf_token": unit_b.token()},
    )
    assert other.status_code == 422
    session.expire_all()
    assert session.get(Application, placed[2][0].id).state == "offered"
