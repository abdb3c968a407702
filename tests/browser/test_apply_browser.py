"""A student applies on a phone, end to end: catalogue page, form, check page, reference, email.

The real worker app serves the built sample catalogue and the forms from one loopback port, as
`jianxi serve` does; its emails go over SMTP to an aiosmtpd server in this process, and the queue is
drained here the way a consumer would. Set JIANXI_SCREENSHOTS=<folder> to keep phone-width
screenshots of the filled form, the check page and the confirmation page.
"""

import json
import os
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from form_worker import create_app, db, queue
from site_builder.build import build_site
from site_builder.model.catalogue import Catalogue
from tests.conftest import ROOT, TODAY
from tests.form_worker.conftest import drain

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the CI container runs as root
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
PHONE = {"width": 390, "height": 844}
TOUCH_TARGET_PX = 24  # WCAG 2.2 success criterion 2.5.8, the floor for anything a thumb must hit
RECEIVED_SUBJECT = "报名已收到"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} is missing; .ci/run installs Debian's chromium and fonts-noto-cjk",
)


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps every message it accepts, with its envelope recipients."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope) -> str:  # noqa: N802
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A loopback port nobody listens on now (aiosmtpd's Controller cannot take port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A local SMTP server and the port it listens on."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@dataclass
class Worker:
    app: Flask
    base_url: str
    site: Path


@pytest.fixture
def worker(tmp_path: Path, inbox: tuple[Inbox, int], sample_catalogue: Catalogue) -> Iterator[Worker]:
    """The worker app on a free loopback port, serving a catalogue whose apply buttons point at it."""
    database_url = f"sqlite:///{tmp_path / 'jianxi.sqlite3'}"
    db.upgrade(database_url)
    site = tmp_path / "site"
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "browser-test",
            "DATABASE_URL": database_url,
            "HUEY_URL": f"sqlite:///{tmp_path / 'huey.sqlite3'}",
            "MAIL_URL": f"smtp://127.0.0.1:{inbox[1]}",
            "MAIL_FROM": "重庆市大学生科技见习计划 <noreply@jianxi.test>",
            "POSITIONS_ROOT": str(ROOT),
            "SITE_DIR": str(site),
            "CLOCK": lambda: TODAY,
        }
    )
    queue.use(app.config["HUEY_URL"], name=f"jianxi-browser-{uuid.uuid4().hex[:8]}")
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    build_site(sample_catalogue, ROOT, site, today=TODAY, worker_url=base_url)
    thread = threading.Thread(target=server.serve_forever, name="jianxi-worker", daemon=True)
    thread.start()
    try:
        yield Worker(app, base_url, site)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        queue.huey.flush()
        db.sessions(app).kw["bind"].dispose()


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(headless=True, executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def phone(browser: Browser, worker: Worker) -> Iterator[Page]:
    """A phone-sized page that may talk only to the worker."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.route(lambda url: not url.startswith(worker.base_url + "/"), lambda route: route.abort())
    try:
        yield context.new_page()
    finally:
        context.close()


def open_graduate_position(site: Path) -> dict:
    """An open 科技见习 position a 本科 graduate of this year may take, as positions.json lists it."""
    positions = json.loads((site / "positions.json").read_text(encoding="utf-8"))["positions"]
    for position in positions:
        eligible = position["track"] == "科技见习" and position["education"] != "硕士"
        if position["state"] == "open" and eligible:
            return position
    raise AssertionError("the sample catalogue has no open 科技见习 position for 本科 graduates")


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("JIANXI_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"jianxi-apply-{name}.png"), full_page=True)


def assert_fits_phone(page: Page) -> None:
    """Nothing on the page is wider than the phone, so it never scrolls sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def assert_reachable(page: Page, name: str | re.Pattern[str]) -> None:
    button = page.get_by_role("button", name=name).first
    box = button.bounding_box()
    assert box is not None
    assert min(box["width"], box["height"]) >= TOUCH_TARGET_PX, f"{name}: {box}"


def received_messages(inbox: Inbox, email: str) -> list[EmailMessage]:
    return [
        message
        for recipients, message in inbox.messages
        if recipients == [email] and str(message["Subject"]).startswith(RECEIVED_SUBJECT)
    ]


def test_student_applies_on_a_phone_and_gets_reference_by_email(
    worker: Worker, inbox: tuple[Inbox, int], phone: Page
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
    expect(page.get_by_label("第一意向岗位")).to_have_value(position["id"])

    page.get_by_label("姓名", exact=True).fill("王小明")
    page.get_by_label("手机号", exact=True).fill("13912345678")
    page.get_by_label("电子邮箱", exact=True).fill(email)
    page.get_by_label("毕业（就读）学校").fill("重庆大学")
    page.get_by_label("专业", exact=True).fill("机械工程")
    page.get_by_label("学历", exact=True).select_option("本科")
    page.get_by_label("毕业时间（在校生填预计毕业时间）").fill("2026-06")
    page.get_by_role("radio", name="应届毕业生").check()
    page.get_by_label("我已阅读并同意《个人信息处理说明》").check()
    assert_fits_phone(page)
    assert_reachable(page, "下一步：核对信息")
    screenshot(page, "form")
    page.get_by_role("button", name="下一步：核对信息").click()

    expect(page.get_by_role("heading", name="核对报名信息", level=1)).to_be_visible()
    answers = page.locator("section.answers").filter(has_text="个人信息")
    expect(answers).to_contain_text("王小明")
    expect(answers).to_contain_text("2026-06")
    expect(page.locator("section.answers").first).to_contain_text(position["title"])
    assert_fits_phone(page)
    assert_reachable(page, re.compile("^修改"))
    assert_reachable(page, "确认提交")
    screenshot(page, "check")

    # The hidden half of the name is a positioned span, so browsers join the two with a space.
    page.get_by_role("button", name=re.compile(r"^修改\s*个人信息$")).click()
    expect(page.get_by_role("heading", name="报名见习岗位", level=1)).to_be_visible()
    expect(page.get_by_label("第一意向岗位")).to_have_value(position["id"])
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
    screenshot(page, "done")

    drain(worker.app)

    handler = inbox[0]
    received = received_messages(handler, email)
    assert len(received) == 1, [str(m["Subject"]) for _, m in handler.messages]
    message = received[0]
    assert message["To"].addresses[0].addr_spec == email
    assert reference in str(message["Subject"])
    assert reference in message.get_body(preferencelist=("plain",)).get_content()
    assert reference in message.get_body(preferencelist=("html",)).get_content()
    ids = [str(m["Message-ID"]) for _, m in handler.messages]
    assert len(ids) == len(set(ids)), ids
