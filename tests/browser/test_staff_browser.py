"""Staff of the municipal office at work in a real browser: log in, move an application through
states, and approve a unit's position so that its page appears in the served catalogue.

The worker app runs on a loopback port as `jianxi serve` does, on a temporary git working copy of the
sample positions; the queue is drained here the way a consumer would. Set
JIANXI_SCREENSHOTS=<folder> to keep screenshots of the queue and the application page.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from form_worker.applications.models import Application, Transition
from form_worker.core import db
from form_worker.core.models import utcnow
from form_worker.publishing.site import build_and_swap
from form_worker.submissions import services as submissions
from form_worker.submissions.models import Submission
from site_builder.model.catalogue import load_catalogue
from tests.browser.conftest import screenshot, serve_app, served_config
from tests.conftest import TODAY, git, make_git_project
from tests.form_worker.conftest import OPEN_POSITION, PASSWORD, drain, recorded_application, worker_app
from tests.helpers.parties import make_account

DESKTOP = {"width": 1280, "height": 900}
NEW_TITLE = "浏览器测试科普助理（示例）"


@dataclass
class Worker:
    app: Flask
    base_url: str
    repo: Path
    site: Path


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Worker]:
    """The worker on a free loopback port, on a git copy of the sample positions, mail to a folder."""
    repo = make_git_project(tmp_path / "repo")
    config = served_config(
        tmp_path,
        MAIL_URL=f"folder://{tmp_path / 'mail'}",
        POSITIONS_ROOT=str(repo),
        PUBLISH_AUTHOR="jianxi <jianxi@jianxi.test>",
    )
    with worker_app(config) as app, serve_app(app) as base_url:
        app.config["CATALOGUE_URL"] = base_url + "/"
        with db.sessions(app)() as session:
            make_account(app, session, "reviewer", "审核员乙", PASSWORD, "reviewer")
        yield Worker(app, base_url, repo, Path(config["SITE_DIR"]))


@pytest.fixture
def page(local_page: Callable[..., Page], worker: Worker) -> Page:
    """A desktop page that may talk only to the worker."""
    return local_page(worker.base_url, DESKTOP)


def log_in(page: Page, worker: Worker, start: str = "/staff/") -> None:
    """Open a staff page, be sent to the login form, log in, and land back on that page."""
    page.goto(worker.base_url + start)
    expect(page.get_by_role("heading", name="市项目办审核工作台 · 登录")).to_be_visible()
    page.get_by_label("用户名").fill("reviewer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".staff-nav__user")).to_have_text("审核员乙（市项目办审核员）")


def seed_application(worker: Worker) -> Application:
    with db.sessions(worker.app)() as session:
        return recorded_application(
            worker.app,
            session,
            name="王小明",
            phone="13912345678",
            email="xiaoming.staff@example.com",
            major="机械工程",
        )


def test_staff_member_logs_in_and_works_an_application(worker: Worker, page: Page) -> None:
    application = seed_application(worker)
    log_in(page, worker)
    expect(page.get_by_role("heading", name="工作台", level=1)).to_be_visible()

    page.get_by_role("link", name="已提交").click()
    expect(page.get_by_role("heading", name="见习报名", level=1)).to_be_visible()
    expect(page.get_by_label("状态")).to_have_value("submitted")
    screenshot(page, "staff-queue")
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
    screenshot(page, "staff-application")

    with db.sessions(worker.app)() as session:
        moves = session.scalars(
            select(Transition.to_state)
            .where(Transition.application_id == application.id)
            .order_by(Transition.id)
        ).all()
    assert moves == ["submitted", "checked", "recommended_by_university"]


def seed_submission(worker: Worker) -> Submission:
    """A unit's new position, submitted through the same functions the /submit form uses."""
    positions = worker.app.extensions["jianxi.positions"].get()
    entry = positions.by_id[OPEN_POSITION]
    position = entry.position.model_copy(update={"title": NEW_TITLE, "type": "科普助理"})
    draft = submissions.Draft(
        unit=positions.unit_of(entry), positions=[(None, position)], unit_slug=entry.unit_slug, is_edit=True
    )
    with db.sessions(worker.app)() as session:
        submission, _ = submissions.record(
            session,
            draft,
            2026,
            worker.app.config["MAIL_FROM"],
            worker.base_url + "/staff/submissions/{id}",
            utcnow(),
            worker.app.config["COLLECTION_CLOSES"],
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
    expect(page.locator("#current-state")).to_have_text("发布中")
    assert {e.id for e in load_catalogue(worker.repo).positions} == before  # the task writes git

    drain(worker.app)  # the publishing task, the rebuild it queued, and the emails
    # The page refreshes itself while publishing: no click needed to see the outcome.
    expect(page.locator("#current-state")).to_have_text("已通过并发布", timeout=10_000)
    expect(page.locator("#commit")).to_be_visible()
    added = [e for e in load_catalogue(worker.repo).positions if e.id not in before]
    assert [e.position.title for e in added] == [NEW_TITLE]
    assert submission.reference in git(worker.repo, "log", "-1", "--format=%B")

    response = page.goto(f"{worker.base_url}/positions/{added[0].id}/")
    assert response is not None and response.ok
    expect(page.get_by_role("heading", name=NEW_TITLE, level=1)).to_be_visible()
