"""A host unit and a student on their phones, end to end: the unit's contact opens the invitation
link, sets a password, shortlists a filed candidate and makes an offer; the student accepts it from
the link in the offer email.

The worker app runs on a loopback port as `jianxi serve` does, on the sample positions; its emails
go over SMTP to an aiosmtpd server in this process and the links are read from what arrived there;
the queue is drained here the way a consumer would. The candidate is recorded and moved to `filed`
directly in the database (what the university and the office do is tested elsewhere). Set
JIANXI_SCREENSHOTS=<folder> to keep phone-width screenshots of the pages on the way.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from form_worker.accounts import invitations
from form_worker.accounts.services import new_account
from form_worker.applications import services
from form_worker.applications.models import Application, Choice, Placement
from form_worker.applications.states import CHOICE_OUTCOMES, STATE_LABELS
from form_worker.core import db
from form_worker.outbox.tasks import queue_emails
from tests.browser.conftest import PHONE, assert_accessible, screenshot, serve_app, served_config
from tests.form_worker.conftest import OPEN_POSITION, drain, recorded_application, worker_app
from tests.helpers.mailserver import SmtpServer

UNIT = OPEN_POSITION.split("/", 1)[0]  # the unit folder the position belongs to
UNIT_EMAIL = "society-office@example.com"
STUDENT = {"name": "王小明", "phone": "13912345678", "email": "xiaoming.offer@example.com"}
NEW_PASSWORD = "unit-contact-password-2026"
MENTOR = "李示例"  # one of the position's mentors (positions/<OPEN_POSITION>.yaml)
LINK = re.compile(r"https?://\S+")


@dataclass
class Worker:
    app: Flask
    base_url: str


@pytest.fixture
def worker(smtp_server: SmtpServer, tmp_path) -> Iterator[Worker]:
    """The worker on a free loopback port, its links built on that port, mail to `smtp_server`."""
    config = served_config(tmp_path, MAIL_URL=smtp_server.url)
    with worker_app(config) as app, serve_app(app) as base_url:
        app.config["WORKER_URL"] = base_url  # the emails' links, as `jianxi serve` sets it
        yield Worker(app, base_url)


@pytest.fixture
def phones(local_page: Callable[..., Page], worker: Worker) -> Callable[[], Page]:
    """Opens a phone-sized page of its own (own cookies) that may talk only to the worker."""
    return lambda: local_page(worker.base_url)


def assert_fits_phone(page: Page) -> None:
    """Nothing on the page is wider than the phone, so it never scrolls sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def invite_unit_contact(worker: Worker) -> None:
    """The unit's account without a password, and its invitation email sent."""
    app = worker.app
    with db.sessions(app)() as session:
        user = new_account(session, "society", "张示例", "unit", UNIT_EMAIL, unit=UNIT)
        row = invitations.invite(
            session, user, app.config["SECRET_KEY"], worker.base_url, app.config["MAIL_FROM"], "示例学会"
        )
        session.commit()
        outbox_id = row.id
    queue_emails([outbox_id])
    drain(app)


def file_candidate(worker: Worker) -> tuple[int, str]:
    """An application for OPEN_POSITION filed nationally, so the unit sees it: (id, reference)."""
    with db.sessions(worker.app)() as session:
        received = recorded_application(worker.app, session, [OPEN_POSITION], **STUDENT, major="新闻学")
        session.execute(
            update(Application).where(Application.id == received.id).values(state="filed", filing_batch_id=1)
        )
        session.commit()
    return received.id, received.reference


def confirm_list(worker: Worker, application_id: int) -> None:
    """The office confirms the proposed list with this candidate on it."""
    with worker.app.app_context(), db.sessions(worker.app)() as session:
        application = session.get(Application, application_id)
        services.transition(session, application, "confirmed", "reviewer", "", worker.app.config["MAIL_FROM"])
        session.commit()


def messages_to(smtp_server: SmtpServer, recipient: str, subject: str) -> list[EmailMessage]:
    mailbox = smtp_server.mailbox
    return [
        message
        for recipients, message in zip(mailbox.recipients, mailbox.messages, strict=True)
        if recipients == [recipient] and str(message["Subject"]).startswith(subject)
    ]


def link_in(message: EmailMessage, base_url: str, path: str) -> str:
    """The one link of the plain-text body to `path` on the worker."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    links = [url for url in LINK.findall(text) if url.startswith(f"{base_url}{path}")]
    assert len(links) == 1, text
    return links[0]


@pytest.mark.usefixtures("a11y_tools")
def test_unit_contact_offers_a_place_and_the_student_accepts_from_the_email(
    worker: Worker, smtp_server: SmtpServer, phones: Callable[[], Page]
) -> None:
    application_id, reference = file_candidate(worker)
    invite_unit_contact(worker)
    [invitation] = messages_to(smtp_server, UNIT_EMAIL, "")
    welcome = link_in(invitation, worker.base_url, "/staff/welcome/")

    # The unit's contact opens the invitation on a phone and sets a password.
    unit = phones()
    response = unit.goto(welcome)
    assert response is not None and response.ok
    expect(unit.get_by_role("heading", name="设置登录密码", level=1)).to_be_visible()
    expect(unit.locator("main")).to_contain_text("society")
    unit.get_by_label("登录密码").fill(NEW_PASSWORD)
    unit.get_by_label("再次输入密码").fill(NEW_PASSWORD)
    assert_fits_phone(unit)
    screenshot(unit, "unit-welcome")
    assert_accessible(unit, "the welcome page")
    unit.get_by_role("button", name="设置密码并登录").click()

    expect(unit.get_by_role("heading", name="遴选录用", level=1)).to_be_visible()
    assert unit.url == f"{worker.base_url}/staff/unit/"
    expect(unit.get_by_role("status").first).to_contain_text("密码已设置")
    expect(unit.locator(".staff-nav__user")).to_have_text("张示例（见习单位）")
    row = unit.locator("tbody tr").filter(has_text=reference)
    expect(row).to_contain_text("王小明")
    expect(row).to_contain_text("待遴选")
    expect(unit.locator("main")).not_to_contain_text(STUDENT["phone"])
    expect(unit.locator("main")).not_to_contain_text(STUDENT["email"])
    assert_fits_phone(unit)
    screenshot(unit, "unit-queue")
    assert_accessible(unit, "the unit's candidates")

    # The candidate, without contact details until the offer; shortlisted.
    unit.get_by_role("link", name=reference).click()
    expect(unit.get_by_role("heading", name=f"{reference} · 王小明", level=1)).to_be_visible()
    expect(unit.locator("#unit-status")).to_have_text("待遴选")
    expect(unit.get_by_role("button", name="不录用")).to_be_visible()
    expect(unit.locator("main")).not_to_contain_text(STUDENT["phone"])
    expect(unit.locator("main")).not_to_contain_text(STUDENT["email"])
    expect(unit.locator("main")).to_contain_text("发出录用通知后，这里会显示学生的手机号和邮箱")
    unit.get_by_role("button", name="加入入围名单").click()
    expect(unit.get_by_role("status").first).to_contain_text(f"已加入入围名单：{reference}")
    expect(unit.locator("#unit-status")).to_have_text("已入围")
    expect(unit.get_by_role("button", name="移出入围名单")).to_be_visible()

    # Selection together: the unit proposes; the office confirms the list (keyed in here, its
    # pages are tested elsewhere); then the offer form appears.
    expect(unit.get_by_role("button", name="发出录用通知")).to_have_count(0)
    unit.get_by_label("给市项目办的说明（可不填）").fill("面谈表现好")
    unit.get_by_role("button", name="列入拟录用名单").click()
    expect(unit.locator("#unit-status")).to_have_text("已列入拟录用名单，待市项目办确认")
    assert_accessible(unit, "a candidate on the proposed list")
    confirm_list(worker, application_id)
    unit.reload()
    expect(unit.locator("#unit-status")).to_have_text("市项目办已确认拟录用，请发出录用通知")

    # The offer: a mentor of the position and days to answer.
    unit.get_by_label("见习导师").select_option(MENTOR)  # the value is the name
    unit.get_by_label("答复期限（天）").fill("5")
    assert_fits_phone(unit)
    screenshot(unit, "unit-candidate")
    assert_accessible(unit, "a candidate, the offer filled in")
    unit.get_by_role("button", name="发出录用通知").click()

    expect(unit.get_by_role("status").first).to_contain_text(f"已向 {reference} 发出录用通知")
    expect(unit.locator("#unit-status")).to_have_text("已发录用通知，待学生答复")
    expect(unit.locator("#placement")).to_contain_text(MENTOR)
    expect(unit.locator("main")).to_contain_text(STUDENT["phone"])
    expect(unit.locator("main")).to_contain_text(STUDENT["email"])
    expect(unit.get_by_role("button", name="发出录用通知")).to_have_count(0)
    candidate_url = unit.url

    # The student opens the offer email's link on a phone of their own and accepts.
    drain(worker.app)
    [offer] = messages_to(smtp_server, STUDENT["email"], "录用通知")
    offer_link = link_in(offer, worker.base_url, "/offer/")
    student = phones()
    response = student.goto(offer_link)
    assert response is not None and response.ok
    expect(student.get_by_role("heading", name="录用通知", level=1)).to_be_visible()
    expect(student.locator(".panel")).to_contain_text(f"见习导师：{MENTOR}")
    assert_fits_phone(student)
    screenshot(student, "student-offer")
    assert_accessible(student, "the offer")
    expect(student.get_by_role("button", name="确认谢绝")).to_be_hidden()  # inside the closed details
    student.get_by_role("button", name="接受录用").click()

    expect(student.locator("#offer-notice")).to_contain_text("您已接受录用")
    assert_fits_phone(student)
    # The answer's own page shows the offer as answered, not its buttons again.
    expect(student.get_by_role("button", name="接受录用")).to_have_count(0)
    drain(worker.app)
    [told] = messages_to(smtp_server, UNIT_EMAIL, f"{reference} 已接受录用")
    assert link_in(told, worker.base_url, "/staff/unit/") == f"{worker.base_url}/staff/unit/"
    earlier = ("报名已收到", "录用通知")
    to_student = [
        m for m in messages_to(smtp_server, STUDENT["email"], "") if not m["Subject"].startswith(earlier)
    ]
    assert [m["Subject"] for m in to_student] == [
        f"报名进度更新：{STATE_LABELS['confirmed']}（{reference}）",  # on the confirmed list
        f"报名进度更新：{CHOICE_OUTCOMES['accepted']}（学术会议组织助理（示例））（{reference}）",
    ]
    student.goto(offer_link)  # the email's link again, later
    expect(student.locator("#offer-state")).to_contain_text("接受录用")
    expect(student.get_by_role("button", name="接受录用")).to_have_count(0)

    with db.sessions(worker.app)() as session:
        placement = session.scalars(select(Placement).where(Placement.application_id == application_id)).one()
        assert placement.accepted_at is not None
        assert (placement.position_id, placement.mentor, placement.ended) == (OPEN_POSITION, MENTOR, False)
        state = session.scalar(select(Application.state).where(Application.id == application_id))
        outcome = session.scalar(select(Choice.outcome).where(Choice.application_id == application_id))
    assert (state, outcome) == ("offered", "accepted")

    # The unit opens the candidate again: the place is taken, the agreement comes next.
    unit.goto(candidate_url)
    expect(unit.locator("#placement")).to_contain_text("学生已于")
    expect(unit.locator("main")).to_contain_text(STUDENT["phone"])
    expect(unit.locator("#unit-status")).to_have_text("学生已接受录用，请登记协议")
    expect(unit.get_by_role("link", name="见习生与协议")).to_be_visible()
