"""A unit 认定中 until its district's HR bureau confirms it (issue 23): the signed link (tampered,
expired, replaced, reused, another unit's), the answer recorded and told, the district HR account
answering from its own page, and no offer or agreement before the confirmation."""

import datetime as dt
import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from form_worker.accounts.models import AuditEntry
from form_worker.applications.selection import agreements, offers
from form_worker.applications.services import TransitionRefused
from form_worker.core.models import utcnow
from form_worker.outbox.models import Outbox
from form_worker.units import confirmations, standing
from form_worker.units.models import UnitConfirmation
from tests.form_worker.conftest import PASSWORD, csrf_token
from tests.helpers.offers import AGREEMENT, filed
from tests.helpers.parties import make_account, make_parties, party

pytestmark = pytest.mark.backend

PENDING_UNIT = "shili-intelligent-equipment-institute"  # 永川区, hr_approval: pending
PENDING_POSITION = f"{PENDING_UNIT}/tech-transfer-assistant"
MENTOR = "韦示例"
CONFIRMED = {
    "outcome": "confirmed",
    "document": "永川人社见〔2026〕8号",
    "decided_on": "2026-11-20",
    "note": "",
    "officer": "刘示例",
}


def links(app) -> confirmations.Links:
    return confirmations.Links(app.config["MAIL_FROM"], app.config["WORKER_URL"], app.config["SECRET_KEY"])


def unit_of(app, slug: str = PENDING_UNIT):
    return app.extensions["jianxi.positions"].get().catalogue.units[slug].unit


def ask(app, session, name: str = "刘示例", email: str = "hr@yongchuan.example.gov.cn", now=None) -> str:
    """The office asks the bureau; returns the emailed link's path."""
    row, email_row = confirmations.request(
        session, PENDING_UNIT, unit_of(app), name, email, "reviewer", now or utcnow(), links(app)
    )
    session.commit()
    return re.search(r"(/unit-confirmation/\S+)", email_row.body_text).group(1)


def yongchuan_hr(app, session) -> None:
    """The HR bureau's account of the pending unit's district (永川区)."""
    make_account(
        app,
        session,
        "yongchuan_hr",
        "永川人社",
        PASSWORD,
        "district_hr",
        "hr@yc.example.gov.cn",
        district="永川区",
    )


def answer(client, path: str, **changed: str):
    page = client.get(path)
    return client.post(path, data=CONFIRMED | changed | {"csrf_token": csrf_token(page.text)})


def test_the_office_asks_and_the_bureau_confirms_through_the_link(app, client, session) -> None:
    make_parties(app, session)
    reviewer = party(app, "reviewer")
    page = reviewer.get(f"/staff/units/{PENDING_UNIT}")
    assert page.status_code == 200 and "见习单位认定中" in page.text
    wrong = reviewer.post(
        f"/staff/units/{PENDING_UNIT}/request", {"contact_name": "刘示例", "contact_email": "不是邮箱"}
    )
    assert wrong.status_code == 422 and "邮箱格式不正确" in wrong.text and 'value="刘示例"' in wrong.text
    sent = reviewer.post(
        f"/staff/units/{PENDING_UNIT}/request",
        {"contact_name": "刘示例", "contact_email": "hr@yongchuan.example.gov.cn"},
    )
    assert sent.status_code == 303
    invite = session.scalar(select(Outbox).where(Outbox.key.startswith("unit-confirmation:")))
    assert invite.recipient == "hr@yongchuan.example.gov.cn" and "重庆示例智能装备研究院" in invite.body_text
    path = re.search(r"(/unit-confirmation/\S+)", invite.body_text).group(1)

    shown = client.get(path)
    assert (
        shown.status_code == 200 and "52500118MJ0000047U" in shown.text and "科技成果转化助理" in shown.text
    )
    missing = answer(client, path, document="", decided_on="")
    assert (
        missing.status_code == 422
        and "请填写认定文件的文号" in missing.text
        and "请填写认定日期" in missing.text
    )
    assert 'value="刘示例"' in missing.text  # input kept
    future = answer(client, path, decided_on="2026-12-25")
    assert future.status_code == 422 and "认定日期" in future.text
    done = answer(client, path)
    assert (
        done.status_code == 200 and "认定结果已经登记" in done.text and "永川人社见〔2026〕8号" in done.text
    )

    row = session.scalar(select(UnitConfirmation))
    assert (row.outcome, row.document, row.decided_on) == (
        "confirmed",
        "永川人社见〔2026〕8号",
        dt.date(2026, 11, 20),
    )
    assert (
        row.decided_by == "刘示例"
        and row.decided_via == "邮件链接（第 1 次发送）"
        and row.decided_at is not None
    )
    told = {
        r.recipient
        for r in session.scalars(select(Outbox).where(Outbox.key.startswith("unit-confirmation-answer:")))
    }
    assert {"institute-office@example.com", "admin@jianxi.test", "reviewer@jianxi.test"} <= told
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "unit_confirmation_request" in actions and "unit_confirmation_answer" in actions
    assert not standing.pending(session, PENDING_UNIT, unit_of(app))
    # The same link again: it says what was decided, and decides nothing twice.
    token = csrf_token(missing.text)
    again = client.post(path, data=CONFIRMED | {"outcome": "declined", "note": "重复", "csrf_token": token})
    assert "认定结果已经登记" in again.text
    session.expire_all()
    assert session.get(UnitConfirmation, row.id).outcome == "confirmed"
    assert reviewer.get(f"/staff/units/{PENDING_UNIT}").text.count("永川人社见〔2026〕8号") >= 1


def test_a_link_that_opens_nothing_says_why(app, client, session) -> None:
    path = ask(app, session)
    token = path.rsplit("/", 1)[1]
    tampered = client.get(f"/unit-confirmation/{token[:-2]}xx")
    assert tampered.status_code == 404 and "链接无效" in tampered.text
    # Another request's id in a token signed by someone else: refused the same way.
    forged = confirmations.token(UnitConfirmation(id=1, link_version=1), "another secret")
    assert client.get(f"/unit-confirmation/{forged}").status_code == 404

    resent = ask(app, session, email="other@yongchuan.example.gov.cn")
    old = client.get(path)
    assert old.status_code == 410 and "已被新发送的链接取代" in old.text
    assert client.get(resent).status_code == 200
    assert session.scalar(select(UnitConfirmation)).link_version == 2

    later = utcnow() + confirmations.LINK_LIFETIME + dt.timedelta(minutes=1)
    app.config["UTCNOW"] = lambda: later
    expired = client.get(resent)
    assert expired.status_code == 410 and "已过期" in expired.text
    assert answer_after_expiry(client, resent, session) is None


def answer_after_expiry(client, path: str, session) -> None:
    """Posting to an expired link records nothing."""
    client.post(path, data=CONFIRMED)
    session.expire_all()
    assert session.scalar(select(UnitConfirmation)).outcome == ""


def test_a_decline_needs_a_reason_and_the_unit_stays_pending(app, client, session) -> None:
    path = ask(app, session)
    without = answer(client, path, outcome="declined", document="", decided_on="", note="")
    assert without.status_code == 422 and "请写明不予认定的原因" in without.text
    answer(client, path, outcome="declined", document="", decided_on="", note="参保地不在本区")
    row = session.scalar(select(UnitConfirmation))
    assert row.outcome == "declined" and row.note == "参保地不在本区"
    assert standing.pending(session, PENDING_UNIT, unit_of(app))
    told = session.scalar(select(Outbox).where(Outbox.recipient == "institute-office@example.com"))
    assert "不予认定" in told.subject and "参保地不在本区" in told.body_text
    # A new request may follow a decline: a new row, a new link.
    ask(app, session)
    assert len(session.scalars(select(UnitConfirmation)).all()) == 2


def test_no_offer_or_agreement_before_the_confirmation(app, session) -> None:
    application = filed(app, session, [PENDING_POSITION], number=80)
    positions = app.extensions["jianxi.positions"].get()
    mail = offers.Mail.of(app.config)
    with pytest.raises(TransitionRefused, match="见习单位认定中.*永川区人力资源和社会保障局.*023-63002289"):
        offers.make_offer(
            session, application, PENDING_POSITION, MENTOR, 7, "reviewer", "", mail, positions, utcnow()
        )
    session.rollback()
    path = ask(app, session)
    row = session.scalar(select(UnitConfirmation))
    confirmations.decide(
        session,
        row,
        confirmations.Answer("confirmed", "刘示例", "永川人社见〔2026〕8号", dt.date(2026, 11, 20)),
        "test",
        "test",
        unit_of(app),
        links(app),
        utcnow(),
        dt.date(2026, 11, 27),
    )
    session.commit()
    assert path
    placement = offers.make_offer(
        session,
        session.merge(application),
        PENDING_POSITION,
        MENTOR,
        7,
        "reviewer",
        "",
        mail,
        positions,
        utcnow(),
    )
    session.commit()
    assert placement.position_id == PENDING_POSITION


def test_an_agreement_waits_for_the_confirmation(app, session) -> None:
    """A placement made before the gate existed (or by hand) still cannot be signed."""
    from form_worker.applications.models import Placement

    application = filed(app, session, [PENDING_POSITION], number=81)
    placement = Placement(
        application_id=application.id, position_id=PENDING_POSITION, mentor=MENTOR, accepted_at=utcnow()
    )
    session.add(placement)
    session.commit()
    positions = app.extensions["jianxi.positions"].get()
    with pytest.raises(agreements.AgreementRefused) as refused:
        agreements.record(
            session,
            application,
            placement,
            agreements.Agreement(**AGREEMENT),
            positions,
            "unit",
            "x",
            dt.date(2026, 11, 27),
        )
    assert "见习单位认定中" in refused.value.fields["agreement_date"]


def test_the_district_hr_account_answers_for_its_own_district_only(app, session) -> None:
    make_parties(app, session)
    yuzhong = party(app, "yuzhong_hr")
    # 永川区's unit is not 渝中区's: not found, and nothing answered.
    assert yuzhong.get(f"/staff/units/{PENDING_UNIT}").status_code == 404
    refused = yuzhong.post(f"/staff/district/units/{PENDING_UNIT}/answer", CONFIRMED)
    assert refused.status_code == 404 and session.scalar(select(UnitConfirmation)) is None
    listing = yuzhong.get("/staff/units/").text
    assert "重庆市示例青年科技工作者学会" in listing and "重庆示例智能装备研究院" not in listing

    yongchuan_hr(app, session)
    yongchuan = party(app, "yongchuan_hr")
    page = yongchuan.get(f"/staff/units/{PENDING_UNIT}")
    assert page.status_code == 200 and "提交认定结果" in page.text
    done = yongchuan.post(f"/staff/district/units/{PENDING_UNIT}/answer", CONFIRMED)
    assert done.status_code == 303
    row = session.scalar(select(UnitConfirmation))
    assert row.outcome == "confirmed" and row.decided_via == "区县人力社保账号 yongchuan_hr"
    # A 科协 account sees the unit but answers nothing.
    make_account(
        app,
        session,
        "yongchuan_kx",
        "永川科协",
        PASSWORD,
        "district_cast",
        "kx@yc.example.org",
        district="永川区",
    )
    cast = party(app, "yongchuan_kx")
    assert "提交认定结果" not in cast.get(f"/staff/units/{PENDING_UNIT}").text
    assert cast.post(f"/staff/district/units/{PENDING_UNIT}/answer", CONFIRMED).status_code == 403


def test_the_unit_names_its_bureau_contact_itself(app, session) -> None:

    make_account(
        app, session, "institute", "石示例", PASSWORD, "unit", "institute@example.com", unit=PENDING_UNIT
    )
    unit = party(app, "institute")
    page = unit.get("/staff/unit/confirmation")
    assert (
        page.status_code == 200
        and "见习单位认定中" in page.text
        and "永川区人力资源和社会保障局" in page.text
    )
    sent = unit.post(
        "/staff/unit/confirmation", {"contact_name": "刘示例", "contact_email": "hr@yc.example.gov.cn"}
    )
    assert sent.status_code == 303
    row = session.scalar(select(UnitConfirmation))
    assert (row.requested_by, row.contact_email, row.link_version) == ("institute", "hr@yc.example.gov.cn", 0)
    # A unit proposes; it never sends the link itself (it could send it to itself and confirm).
    assert session.scalar(select(Outbox).where(Outbox.key.startswith("unit-confirmation:"))) is None
    assert "等待市项目办发送" in unit.get("/staff/unit/confirmation").text
    own = unit.post(
        "/staff/unit/confirmation",
        {"contact_name": "石示例", "contact_email": "institute-office@example.com"},
    )
    assert own.status_code == 409 and "这是设岗单位自己的邮箱" in own.text
    # The office sees the proposal, prefilled, checks it and sends.
    make_parties(app, session)
    reviewer = party(app, "reviewer")
    office_page = reviewer.get(f"/staff/units/{PENDING_UNIT}").text
    assert "单位提议的经办人：刘示例" in office_page and 'value="hr@yc.example.gov.cn"' in office_page
    assert (
        reviewer.post(
            f"/staff/units/{PENDING_UNIT}/request",
            {"contact_name": "刘示例", "contact_email": "hr@yc.example.gov.cn"},
        ).status_code
        == 303
    )
    session.expire_all()
    assert session.get(UnitConfirmation, row.id).link_version == 1
    assert session.scalar(select(Outbox).where(Outbox.key == f"unit-confirmation:{row.id}:1")) is not None
    refused = unit.post(
        "/staff/unit/confirmation", {"contact_name": "王示例", "contact_email": "w@yc.example.gov.cn"}
    )
    assert refused.status_code == 409 and "已向区县发出确认邮件" in refused.text
    # The office cannot send the link to the unit's own address either.
    to_itself = reviewer.post(
        f"/staff/units/{PENDING_UNIT}/request",
        {"contact_name": "石示例", "contact_email": "institute@example.com"},
    )
    assert to_itself.status_code == 409 and "这是设岗单位自己的邮箱" in to_itself.text


def test_one_open_request_per_unit_even_at_the_same_moment(app, session) -> None:
    ask(app, session)
    again = UnitConfirmation(
        unit=PENDING_UNIT,
        district="永川区",
        contact_name="",
        contact_email="",
        requested_by="x",
        link_version=0,
    )
    session.add(again)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    # Sending again reuses the open request, ending its earlier link.
    ask(app, session)
    assert [(r.link_version, r.outcome) for r in session.scalars(select(UnitConfirmation))] == [(2, "")]


def test_the_units_candidate_page_says_why_it_cannot_offer_yet(app, session) -> None:
    """A confirmed candidate of a unit 认定中: the page explains and links the unit's standing
    page instead of offering a form whose answer would be a refusal."""
    from form_worker.applications.models import Application, Choice

    make_account(
        app, session, "institute", "石示例", PASSWORD, "unit", "institute@example.com", unit=PENDING_UNIT
    )
    application = filed(app, session, [PENDING_POSITION], number=82)
    choice = session.scalar(select(Choice).where(Choice.application_id == application.id))
    choice.proposed = True
    session.get(Application, application.id).state = "confirmed"
    session.commit()
    page = party(app, "institute").get(f"/staff/unit/candidates/{choice.id}").text
    assert 'id="unit-waiting"' in page and "见习单位认定中" in page and "023-63002289" in page
    assert "/staff/unit/confirmation" in page and 'name="mentor"' not in page


def test_the_offices_unit_page_offers_the_re_keying_sheet(app, session) -> None:
    make_parties(app, session)
    page = party(app, "reviewer").get(f"/staff/units/{PENDING_UNIT}").text
    assert f"/staff/exports/national/{PENDING_UNIT}" in page
    assert (
        "national-export" not in party(app, "yuzhong_hr").get("/staff/units/shili-youth-scitech-society").text
    )


def test_a_district_answer_closes_the_link_already_sent(app, client, session) -> None:

    path = ask(app, session)
    yongchuan_hr(app, session)
    assert (
        party(app, "yongchuan_hr").post(f"/staff/district/units/{PENDING_UNIT}/answer", CONFIRMED).status_code
        == 303
    )
    rows = session.scalars(select(UnitConfirmation)).all()
    assert [(r.outcome, r.link_version) for r in rows] == [
        ("confirmed", 1)
    ]  # the same request, answered once
    late = client.get(path)
    assert late.status_code == 200 and "认定结果已经登记" in late.text and "提交认定结果" not in late.text
