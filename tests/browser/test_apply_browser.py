"""A student applies on a phone, end to end: catalogue page, form, check page, reference, email.

The real worker app serves the built sample catalogue and the forms from one loopback port, as
`jianxi serve` does; its emails go over SMTP to an aiosmtpd server in this process, and the queue is
drained here the way a consumer would. Set JIANXI_SCREENSHOTS=<folder> to keep phone-width
screenshots of the filled form, the check page and the confirmation page.
"""

import re
from collections.abc import Callable
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from form_worker.applications.intake.chooser import SHOWN
from tests.browser.conftest import PHONE, Worker, screenshot
from tests.form_worker.conftest import drain
from tests.helpers.apply_page import fill_applicant, open_graduate_position
from tests.helpers.mailserver import Mailbox, SmtpServer

TOUCH_TARGET_PX = 24  # WCAG 2.2 success criterion 2.5.8, the floor for anything a thumb must hit
RECEIVED_SUBJECT = "报名已收到"


@pytest.fixture
def phone(local_page: Callable[..., Page], worker: Worker) -> Page:
    """A phone-sized page that may talk only to the worker."""
    return local_page(worker.base_url)


def assert_fits_phone(page: Page) -> None:
    """Nothing on the page is wider than the phone, so it never scrolls sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def assert_reachable(page: Page, name: str | re.Pattern[str]) -> None:
    button = page.get_by_role("button", name=name).first
    box = button.bounding_box()
    assert box is not None
    assert min(box["width"], box["height"]) >= TOUCH_TARGET_PX, f"{name}: {box}"


def received_messages(mailbox: Mailbox, email: str) -> list[EmailMessage]:
    return [
        message
        for recipients, message in zip(mailbox.recipients, mailbox.messages, strict=True)
        if recipients == [email] and str(message["Subject"]).startswith(RECEIVED_SUBJECT)
    ]


def test_student_applies_on_a_phone_and_gets_reference_by_email(
    worker: Worker, smtp_server: SmtpServer, phone: Page
) -> None:
    position = open_graduate_position(worker.site)
    email = "xiaoming.browser@example.com"

    page = phone
    response = page.goto(worker.base_url + urlsplit(position["url"]).path)
    assert response is not None and response.ok
    page.get_by_role("link", name="立即报名").click()

    expect(page.get_by_role("heading", name="报名见习岗位", level=1)).to_be_visible()
    url = urlsplit(page.url)
    assert (url.path, parse_qs(url.query)) == ("/apply", {"position": [position["id"]]})
    expect(page.locator(".chosen").first).to_contain_text(position["title"])

    # A second choice by searching: the form's own post, answers kept, no script.
    page.get_by_label("搜索岗位").fill("科普")
    page.get_by_role("button", name="搜索岗位").click()
    expect(page.locator("#found")).to_contain_text("正在招募的岗位")
    page.locator(".found-list li").filter(has_not_text=position["title"]).first.get_by_role("button").click()
    expect(page.locator(".chosen")).to_have_count(2)
    expect(page.locator(".chosen").first).to_contain_text(position["title"])
    page.get_by_role("button", name=re.compile(r"^移除\s*第二意向岗位")).click()
    expect(page.locator(".chosen")).to_have_count(1)

    fill_applicant(page, "王小明", "13912345678", email)
    assert_fits_phone(page)
    assert_reachable(page, "下一步：核对信息")
    screenshot(page, "apply-form")
    page.get_by_role("button", name="下一步：核对信息").click()

    expect(page.get_by_role("heading", name="核对报名信息", level=1)).to_be_visible()
    answers = page.locator("section.answers").filter(has_text="个人信息")
    expect(answers).to_contain_text("王小明")
    expect(answers).to_contain_text("2026-06")
    expect(page.locator("section.answers").first).to_contain_text(position["title"])
    assert_fits_phone(page)
    assert_reachable(page, re.compile("^修改"))
    assert_reachable(page, "确认提交")
    screenshot(page, "apply-check")

    # The hidden half of the name is a positioned span, so browsers join the two with a space.
    page.get_by_role("button", name=re.compile(r"^修改\s*个人信息$")).click()
    expect(page.get_by_role("heading", name="报名见习岗位", level=1)).to_be_visible()
    expect(page.locator(".chosen").first).to_contain_text(position["title"])
    expect(page.get_by_label("姓名", exact=True)).to_have_value("王小明")
    expect(page.get_by_label("电子邮箱", exact=True)).to_have_value(email)
    expect(page.get_by_label("学历", exact=True)).to_have_value("本科")
    expect(page.get_by_label("毕业时间（在校生填预计毕业时间）")).to_have_value("2026-06")
    expect(page.get_by_role("radio", name="应届毕业生")).to_be_checked()
    expect(page.get_by_label("我已阅读并同意《个人信息处理说明》")).to_be_checked()
    page.get_by_label("专业", exact=True).fill("机械设计制造及其自动化")
    page.get_by_role("button", name="下一步：核对信息").click()

    expect(page.get_by_role("heading", name="核对报名信息", level=1)).to_be_visible()
    expect(page.locator("section.answers").filter(has_text="个人信息")).to_contain_text(
        "机械设计制造及其自动化"
    )
    submit = page.get_by_role("button", name="确认提交")
    submit.scroll_into_view_if_needed()
    expect(submit).to_be_in_viewport()
    submit.click()

    expect(page.get_by_role("heading", name="报名已提交", level=1)).to_be_visible()
    reference = page.locator("#reference").inner_text().strip()
    assert re.fullmatch(r"JX2026-\d{6}", reference), reference
    expect(page.locator("#reference")).to_be_in_viewport()
    assert_fits_phone(page)
    screenshot(page, "apply-done")

    drain(worker.app)

    handler = smtp_server.mailbox
    received = received_messages(handler, email)
    assert len(received) == 1, [str(m["Subject"]) for m in handler.messages]
    message = received[0]
    assert message["To"].addresses[0].addr_spec == email
    assert reference in str(message["Subject"])
    assert reference in message.get_body(preferencelist=("plain",)).get_content()
    assert reference in message.get_body(preferencelist=("html",)).get_content()
    ids = [str(m["Message-ID"]) for m in handler.messages]
    assert len(ids) == len(set(ids)), ids


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_chooser_searches_picks_and_keeps_answers_with_or_without_javascript(
    javascript: bool, worker: Worker, local_page: Callable[..., Page]
) -> None:
    """The chooser is the form's own post, so a phone with script off or on works the same."""
    position = open_graduate_position(worker.site)
    page = local_page(worker.base_url, java_script_enabled=javascript)
    page.goto(f"{worker.base_url}/apply?position={position['id']}")
    expect(page.locator(".chosen")).to_have_count(1)
    page.get_by_label("姓名", exact=True).fill("李示例")
    page.get_by_label("搜索岗位").fill("科普")
    page.get_by_role("button", name="搜索岗位").click()
    found = page.locator(".found-list li")
    expect(found.first).to_be_visible()
    assert found.count() <= SHOWN  # a page of results, never every position
    # Newcomer finding 3: each button's page opens where its result is, not at the top.
    expect(page).to_have_url(re.compile(r"/apply#found$"))
    expect(page.locator("#found h3")).to_be_in_viewport()
    found.filter(has_not_text=position["title"]).first.get_by_role("button").click()
    expect(page.locator(".chosen")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/apply#choices$"))
    expect(page.locator("#choices").get_by_role("status")).to_contain_text("已选择")
    expect(page.locator("#choices").get_by_role("status")).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0
    expect(page.get_by_label("姓名", exact=True)).to_have_value("李示例")
    assert_fits_phone(page)
