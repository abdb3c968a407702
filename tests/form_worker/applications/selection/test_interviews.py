"""Interview rounds (issue 22): the office opens times for a position, each candidate still in
selection picks one on a phone from the emailed link (one each, first come), a unit may set a
candidate's time itself, and a reminder goes out the day before, once."""

import datetime as dt
import re

from sqlalchemy import select

from form_worker.applications.models import Application, Choice, InterviewSlot
from form_worker.applications.selection import interviews, offers
from form_worker.outbox.models import Outbox
from tests.form_worker.conftest import OPEN_POSITION, csrf_token
from tests.helpers.offers import filed
from tests.helpers.parties import OTHER_POSITION, make_parties, party

NOW = dt.datetime(2027, 5, 1, 2)  # 10:00 Beijing time
LINES = "2027-06-01 09:30 学会 3 楼会议室\n2027-06-01 10:00 线上 123-456"


def test_times_are_read_one_per_line_in_beijing_time() -> None:
    slots, problems = interviews.parse_slots(LINES, NOW)
    assert problems == [] and [s.place for s in slots] == ["学会 3 楼会议室", "线上 123-456"]
    assert slots[0].starts_at == dt.datetime(2027, 6, 1, 1, 30)  # stored in UTC
    bad = "2027-06-01 会议室\n2027-02-30 09:00 会议室\n2027-04-30 09:00 会议室\n"
    assert interviews.parse_slots(bad, NOW)[1] == [
        "第 1 行：格式应为“2027-01-10 09:30 地点”",
        "第 2 行：日期或时间不存在",
        "第 3 行：时间已经过去",
    ]
    assert interviews.parse_slots("  \n", NOW)[1] == ["请至少填写一个面试时间，每行一个"]
    assert interviews.parse_slots("2027-06-01 09:30 会议室\n" * 61, NOW)[1] == ["一次最多 60 个时间"]


def choice_of(session, application: Application, position: str = OPEN_POSITION) -> Choice:
    query = select(Choice).where(Choice.application_id == application.id, Choice.position_id == position)
    return session.scalar(query)


def test_the_office_opens_a_round_and_only_candidates_in_selection_are_invited(app, session) -> None:
    make_parties(app, session)
    waiting = filed(app, session, [OPEN_POSITION], number=70)
    elsewhere = filed(app, session, [OTHER_POSITION], number=71)
    reviewer = party(app, "reviewer")
    wrong = reviewer.post("/staff/interviews", {"position": OPEN_POSITION, "slots": "明天上午"})
    assert (
        wrong.status_code == 422 and "第 1 行：格式应为" in wrong.text and "明天上午</textarea>" in wrong.text
    )
    assert party(app, "unit_a").get("/staff/interviews").status_code == 403
    assert reviewer.post("/staff/interviews", {"position": OPEN_POSITION, "slots": LINES}).status_code == 303
    invites = session.scalars(select(Outbox).where(Outbox.key.startswith("interview-invite:"))).all()
    assert [i.recipient for i in invites] == [waiting.email] and elsewhere.email not in {
        i.recipient for i in invites
    }
    assert "学会 3 楼会议室" in invites[0].body_text and "/interview/" in invites[0].body_text
    assert len(session.scalars(select(InterviewSlot)).all()) == 2


def test_candidates_pick_first_come_and_may_change(app, client, session) -> None:
    make_parties(app, session)
    first, second = (filed(app, session, [OPEN_POSITION], number=n) for n in (72, 73))
    party(app, "reviewer").post("/staff/interviews", {"position": OPEN_POSITION, "slots": LINES})
    secret = app.config["SECRET_KEY"]
    link_one = f"/interview/{interviews.token(choice_of(session, first), secret)}"
    link_two = f"/interview/{interviews.token(choice_of(session, second), secret)}"
    early, late = session.scalars(select(InterviewSlot).order_by(InterviewSlot.starts_at)).all()
    page = client.get(link_one).text
    assert "09:30 · 学会 3 楼会议室" in page and first.name in page
    stale = client.post(link_one, data={"slot": str(early.id)})  # no token: the page again, said why
    assert stale.status_code == 400 and "页面停留时间过长" in stale.text
    token = {"csrf_token": csrf_token(page)}
    assert client.post(link_one, data=token | {"slot": str(early.id)}).status_code == 200
    taken = client.post(link_two, data=token | {"slot": str(early.id)})
    assert taken.status_code == 409 and "刚刚被其他同学选走" in taken.text
    assert "09:30" not in re.sub(r'<p class="notice".*?</p>', "", client.get(link_two).text, flags=re.S)
    assert (
        client.post(link_one, data=token | {"slot": str(late.id)}).status_code == 200
    )  # changes: the first frees
    assert client.post(link_two, data=token | {"slot": str(early.id)}).status_code == 200
    session.expire_all()
    held = {s.id: s.application_id for s in session.scalars(select(InterviewSlot))}
    assert held == {early.id: second.id, late.id: first.id}
    assert client.get("/interview/not-a-token").status_code == 404
    assert client.post(link_one, data=token | {"slot": "abc"}).status_code == 422


def test_a_unit_sets_a_time_and_another_unit_cannot(app, session) -> None:
    make_parties(app, session)
    application = filed(app, session, [OPEN_POSITION], number=74)
    choice = choice_of(session, application)
    url = f"/staff/unit/candidates/{choice.id}/interview"
    assert (
        party(app, "unit_b").post(url, {"starts_at": "2027-06-02T14:00", "place": "会议室"}).status_code
        == 404
    )
    unit = party(app, "unit_a")
    past = unit.post(url, {"starts_at": "2020-06-02T14:00", "place": "会议室"})
    assert past.status_code == 422 and "面试时间已经过去" in past.text
    assert unit.post(url, {"starts_at": "2027-06-02T14:00", "place": "学会会议室"}).status_code == 303
    assert "2027-06-02 14:00" in unit.get(f"/staff/unit/candidates/{choice.id}").text
    slot = session.scalars(select(InterviewSlot)).one()
    assert slot.starts_at == dt.datetime(2027, 6, 2, 6) and slot.application_id == application.id


def test_a_reminder_goes_out_the_day_before_once(app, session) -> None:
    make_parties(app, session)
    application = filed(app, session, [OPEN_POSITION], number=75)
    choice = choice_of(session, application)
    starts = NOW + dt.timedelta(hours=20)
    interviews.set_by_unit(session, choice, interviews.Slot(starts, "会议室"), "unit_a", NOW)
    later = filed(app, session, [OPEN_POSITION], number=76)
    interviews.set_by_unit(
        session,
        choice_of(session, later),
        interviews.Slot(NOW + dt.timedelta(days=3), "会议室"),
        "unit_a",
        NOW,
    )
    session.commit()
    positions = app.extensions["jianxi.positions"].get()
    mail = offers.Mail.of(app.config)
    with app.app_context():
        ids = interviews.remind_due(session, NOW, mail, positions)
        session.commit()
        assert interviews.remind_due(session, NOW + dt.timedelta(hours=1), mail, positions) == []
    [reminder] = [session.get(Outbox, i) for i in ids]
    assert reminder.recipient == application.email and "面试提醒：2027-05-02 06:00 会议室" in reminder.subject
