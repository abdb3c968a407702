"""Staff of the municipal office at work in a real browser: log in, move an application through
states, and approve a unit's position so that its page appears in the served catalogue.

The worker app runs on a loopback port as `jianxi serve` does, on a temporary git working copy of the
sample positions; the queue is drained here the way a consumer would. Set
JIANXI_SCREENSHOTS=<folder> to keep screenshots of the queue and the application page.
"""

import os
import subprocess
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, make_server

from form_worker import applications, create_app, db, queue, submissions
from form_worker.applications import Applicant
from form_worker.auth import create_staff
from form_worker.models import Application, Submission, Transition
from form_worker.publish import build_and_swap
from site_builder.model.catalogue import load_catalogue
from tests.conftest import TODAY, make_project
from tests.form_worker.conftest import OPEN_POSITION, drain

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the CI container runs as root
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "correct-horse-battery"
NEW_TITLE = "浏览器测试科普助理（示例）"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@dataclass
class Worker:
    app: Flask
    base_url: str
    repo: Path
    site: Path


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Worker]:
    """The worker on a free loopback port, on a git copy of the sample positions, mail to a folder."""
    repo = make_project(tmp_path / "repo")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Sample positions")
    database_url = f"sqlite:///{tmp_path / 'jianxi.sqlite3'}"
    db.upgrade(database_url)
    site = tmp_path / "site"
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "browser-test",
            "DATABASE_URL": database_url,
            "HUEY_URL": f"sqlite:///{tmp_path / 'huey.sqlite3'}",
            "MAIL_URL": f"folder://{tmp_path / 'mail'}",
            "MAIL_FROM": "重庆市大学生科技见习计划 <noreply@jianxi.test>",
            "POSITIONS_ROOT": str(repo),
            "SITE_DIR": str(site),
            "PUBLISH_AUTHOR": "jianxi <jianxi@jianxi.test>",
            "CLOCK": lambda: TODAY,
        }
    )
    queue.use(app.config["HUEY_URL"], name=f"jianxi-browser-{uuid.uuid4().hex[:8]}")
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["CATALOGUE_URL"] = base_url + "/"
    thread = threading.Thread(target=server.serve_forever, name="jianxi-worker", daemon=True)
    thread.start()
    with db.sessions(app)() as session:
        create_staff(session, "reviewer", "审核员乙", PASSWORD, "reviewer")
    try:
        yield Worker(app, base_url, repo, site)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        queue.huey.flush()
        db.sessions(app).kw["bind"].dispose()


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium and fonts-noto-cjk")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(headless=True, executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser, worker: Worker) -> Iterator[Page]:
    """A desktop page that may talk only to the worker."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.route(lambda url: not url.startswith(worker.base_url + "/"), lambda route: route.abort())
    try:
        yield context.new_page()
    finally:
        context.close()


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("JIANXI_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"jianxi-staff-{name}.png"), full_page=True)


def log_in(page: Page, worker: Worker, start: str = "/staff/") -> None:
    """Open a staff page, be sent to the login form, log in, and land back on that page."""
    page.goto(worker.base_url + start)
    expect(page.get_by_role("heading", name="市项目办审核工作台 · 登录")).to_be_visible()
    page.get_by_label("用户名").fill("reviewer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".staff-nav__user")).to_have_text("审核员乙（审核员）")


def seed_application(worker: Worker) -> Application:
    applicant = Applicant(
        name="王小明",
        phone="13912345678",
        email="xiaoming.staff@example.com",
        university="重庆大学",
        major="机械工程",
        degree="本科",
        graduation=TODAY.replace(month=6, day=1),
        current_status="应届毕业生",
        society_post=False,
        society_post_detail="",
        volunteering=False,
        volunteering_detail="",
        priority_consent=False,
        priority_groups=[],
        statement="",
    )
    offer = worker.app.extensions["jianxi.positions"].get()
    with db.sessions(worker.app)() as session:
        return applications.submit(
            session, applicant, [OPEN_POSITION], offer, 2026, worker.app.config["MAIL_FROM"]
        )


def test_staff_member_logs_in_and_works_an_application(worker: Worker, page: Page) -> None:
    application = seed_application(worker)
    log_in(page, worker)
    expect(page.get_by_role("heading", name="工作台", level=1)).to_be_visible()

    page.get_by_role("link", name="已提交").click()
    expect(page.get_by_role("heading", name="见习报名", level=1)).to_be_visible()
    expect(page.get_by_label("状态")).to_have_value("submitted")
    screenshot(page, "queue")
    page.get_by_role("link", name=application.reference).click()

    expect(page.get_by_role("heading", name=f"报名 {application.reference} · 王小明")).to_be_visible()
    expect(page.locator("#current-state")).to_have_text("已提交")
    page.get_by_role("button", name="通过初步核验").click()

    expect(page.get_by_role("status").first).to_contain_text("已通知申请人")
    expect(page.locator("#current-state")).to_have_text("已通过初步核验，等待高校遴选推荐")
    page.get_by_label("原因或说明").fill("重庆大学推荐函已收到")
    page.get_by_role("button", name="登记高校推荐").click()
    expect(page.locator("#current-state")).to_have_text("高校已推荐")

    page.get_by_role("button", name="不予通过").click()
    expect(page.locator("#action-error")).to_contain_text("“不予通过”必须填写原因")
    expect(page.locator("#current-state")).to_have_text("高校已推荐")

    history = (
        page.locator("section").filter(has=page.get_by_role("heading", name="办理记录")).locator("tbody tr")
    )
    expect(history).to_have_count(3)
    expect(history.nth(2)).to_contain_text("审核员乙（reviewer）")
    expect(history.nth(2)).to_contain_text("重庆大学推荐函已收到")
    screenshot(page, "application")

    with db.sessions(worker.app)() as session:
        moves = session.scalars(
            select(Transition.to_state)
            .where(Transition.application_id == application.id)
            .order_by(Transition.id)
        ).all()
    assert moves == ["submitted", "checked", "recommended_by_university"]


def seed_submission(worker: Worker) -> Submission:
    """A unit's new position, submitted through the same functions the /submit form uses."""
    offer = worker.app.extensions["jianxi.positions"].get()
    entry = offer.by_id[OPEN_POSITION]
    position = entry.position.model_copy(update={"title": NEW_TITLE, "type": "科普助理"})
    draft = submissions.Draft(
        unit=offer.unit_of(entry), positions=[(None, position)], unit_slug=entry.unit_slug, is_edit=True
    )
    with db.sessions(worker.app)() as session:
        submission, _ = submissions.record(
            session, draft, 2026, worker.app.config["MAIL_FROM"], worker.base_url + "/staff/submissions/{id}"
        )
        return submission


def test_staff_member_approves_a_position_and_its_page_appears_in_the_catalogue(
    worker: Worker, page: Page
) -> None:
    build_and_swap(worker.repo, worker.site, TODAY, worker.base_url)
    before = {e.id for e in load_catalogue(worker.repo).positions}
    submission = seed_submission(worker)

    log_in(page, worker, "/staff/submissions")
    page.get_by_role("link", name=submission.reference).click()
    expect(page.get_by_role("button", name="通过并发布")).to_be_visible()
    page.get_by_role("button", name="通过并发布").click()
    expect(page.get_by_role("status").first).to_contain_text("已通过")

    added = [e for e in load_catalogue(worker.repo).positions if e.id not in before]
    assert [e.position.title for e in added] == [NEW_TITLE]
    assert submission.reference in git(worker.repo, "log", "-1", "--format=%B")

    drain(worker.app)  # the rebuild the approval queued, and its emails
    response = page.goto(f"{worker.base_url}/positions/{added[0].id}/")
    assert response is not None and response.ok
    expect(page.get_by_role("heading", name=NEW_TITLE, level=1)).to_be_visible()
