"""Every kind of worker page passes both accessibility engines at phone and desktop sizes: no
serious or critical axe-core violation and no HTML_CodeSniffer error at WCAG 2 AA (issue 11).

The pages are the student's (apply, status, offer), the unit's public form (/submit), the error
pages, and each staff role's work pages, in the states a person meets: empty, with the errors
shown, with results, after a step. Each state is checked at both sizes and everything found is
reported at once. The last test runs pa11y itself (its Node API) on Debian's Chromium against the
public pages, so the npm tool itself passes, not only the engines as injected here.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from form_worker.accounts import invitations
from form_worker.accounts.models import Account
from form_worker.accounts.services import create_account
from form_worker.applications.models import Application, Choice, Placement
from form_worker.applications.review import filing
from form_worker.applications.selection import offers
from form_worker.applications.workfile import plans, rules
from form_worker.core import db
from form_worker.core.downloads import XLSX_TYPE
from form_worker.core.models import utcnow
from form_worker.submissions import services as submissions
from form_worker.units import confirmations
from tests.browser.conftest import (
    SIZES,
    accessibility_report,
    accessibility_reports_at_sizes,
    axe_violations,
    htmlcs_errors,
    pa11y_errors,
    serve_app,
    served_config,
)
from tests.form_worker.conftest import OPEN_POSITION, PASSWORD, recorded_application, worker_app
from tests.helpers.apply_page import fill_applicant
from tests.helpers.clerks import filled_workbook, position_cells
from tests.helpers.parties import make_parties
from tests.helpers.workfiles import intern

MENTOR = "李示例"  # one of OPEN_POSITION's mentors
KNOWN_CODE = "51500000MJP0000172"  # the credit code of OPEN_POSITION's unit (its unit.yaml)


@dataclass
class Seeded:
    """Applications in the states the parties' pages show, and a unit's submission."""

    checked: tuple[int, str]  # id, reference: at 重庆大学, awaiting its recommendation
    filed: int  # filed nationally, the unit's candidate
    filed_choice: int  # its choice of OPEN_POSITION
    offered: tuple[int, str]  # id, reference: offered a place, not yet answered
    placement: int
    offer_token: str
    submission: int
    ended: str  # the reference of a completed internship whose destination the unit recorded
    ended_placement: int  # its placement, with a training plan the mentor confirmed


@dataclass
class Worker:
    app: Flask
    base_url: str
    seeded: Seeded


def applicant(number: int) -> dict[str, str]:
    """A sample applicant of their own (one person may hold only 3 choices)."""
    return {"name": f"王示例{number}", "phone": f"1391234{number:04d}", "email": f"a{number}@example.com"}


def seed(app: Flask, base_url: str) -> Seeded:
    """Staff of every party; applications in each state the pages list; a filing batch; an offer."""
    positions = app.extensions["jianxi.positions"].get()
    with db.sessions(app)() as session:
        make_parties(app, session)
        # The first two consented to selectors seeing the priority mark: the university's and the
        # unit's candidate pages show it (issue 22).
        mark = {"priority_consent": True, "priority_groups": ["低保家庭"], "priority_mark_consent": True}
        received = [
            recorded_application(app, session, **applicant(n), major="机械工程", **(mark if n < 2 else {}))
            for n in range(4)
        ]
        checked, filed, offered, waiting = received
        states = {
            checked.id: "checked",
            filed.id: "approved_by_city_office",
            offered.id: "approved_by_city_office",
        }
        for application_id, state in states.items():
            session.execute(update(Application).where(Application.id == application_id).values(state=state))
        session.commit()
        batch = filing.export(session, "reviewer", positions, app.config["MAIL_FROM"])
        assert batch is not None and batch.count == 2
        session.execute(
            update(Application).where(Application.id == waiting.id).values(state="approved_by_city_office")
        )
        session.commit()
        application = session.get(Application, offered.id)
        assert application is not None
        placement = offers.make_offer(
            session,
            application,
            OPEN_POSITION,
            MENTOR,
            7,
            "unit_a",
            "",
            offers.Mail.of(app.config),
            positions,
            utcnow(),
        )
        session.commit()
        ended = intern(app, session, state="completed", **applicant(9))
        ended.destination, ended.destination_by = "kept", "单位"
        # The unit marked it a typical case: /status asks whether 成果展示 may publish it (issue 23).
        ended.typical_case, ended.case_story = True, "三场学术会议的会务零差错，获得主办方表扬（示例）。"
        milestones = {m: "完成一项会务任务" for m in rules.months(ended)}
        plans.save(session, ended, plans.Plan("掌握会务流程", "每周面谈", "按月小结", milestones), "unit_a")
        plans.sign_off(session, ended, "unit_a", utcnow())
        session.commit()
        filed_choice = session.scalars(
            select(Choice.id).where(Choice.application_id == filed.id, Choice.position_id == OPEN_POSITION)
        ).one()
        return Seeded(
            checked=(checked.id, checked.reference),
            filed=filed.id,
            filed_choice=filed_choice,
            offered=(offered.id, offered.reference),
            placement=placement.id,
            offer_token=offers.token(placement, app.config["SECRET_KEY"]),
            submission=seed_submission(app, session, base_url),
            ended=session.get(Application, ended.application_id).reference,
            ended_placement=ended.id,
        )


def seed_submission(app: Flask, session: Session, base_url: str) -> int:
    """A unit's edit of its published position, as the /submit form records one."""
    positions = app.extensions["jianxi.positions"].get()
    entry = positions.by_id[OPEN_POSITION]
    position = entry.position.model_copy(update={"title": "无障碍测试科普助理（示例）"})
    draft = submissions.Draft(
        unit=positions.unit_of(entry), positions=[(None, position)], unit_slug=entry.unit_slug, is_edit=True
    )
    submission, _ = submissions.record(
        session,
        draft,
        app.config["PROGRAMME_YEAR"],
        app.config["MAIL_FROM"],
        base_url + "/staff/submissions/{id}",
        utcnow(),
        app.config["COLLECTION_CLOSES"],
    )
    assert submission.late_at is not None  # a new position after 30 June 2026: the office's 逾期 view
    return submission.id


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Worker]:
    """The worker on a free loopback port with every party's account and applications to show."""
    config = served_config(tmp_path, MAIL_URL=f"folder://{tmp_path / 'mail'}")
    with worker_app(config) as app, serve_app(app) as base_url:
        app.config["WORKER_URL"] = base_url
        app.config["CATALOGUE_URL"] = base_url + "/"
        yield Worker(app, base_url, seed(app, base_url))


class Audit:
    """One person's pages in a browser of their own: each state checked at both sizes, and what
    the engines find kept, so that one run reports every page."""

    def __init__(self, page: Page, worker: Worker) -> None:
        self.page, self.worker = page, worker
        self.found: list[str] = []

    def check(self, label: str) -> None:
        self.found += accessibility_reports_at_sizes(self.page, label)

    def visit(self, path: str, label: str, status: int = 200) -> None:
        response = self.page.goto(self.worker.base_url + path)
        assert response is not None and response.status == status, f"{path}: {response and response.status}"
        self.check(label)

    def log_in(self, username: str) -> None:
        self.page.goto(self.worker.base_url + "/staff/login")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        expect(self.page.locator(".staff-nav__user")).to_be_visible()

    def assert_clean(self) -> None:
        assert not self.found, f"{len(self.found)} page states fail:\n\n" + "\n\n".join(self.found)


@pytest.fixture
def audit(local_page: Callable[..., Page], worker: Worker) -> Callable[[], Audit]:
    """Opens a browser of its own (own cookies) on the worker, for one person."""
    return lambda: Audit(local_page(worker.base_url), worker)


@pytest.mark.usefixtures("a11y_tools")
def test_a_students_pages(worker: Worker, audit: Callable[[], Audit]) -> None:
    student = audit()
    page = student.page
    student.visit(f"/apply?position={OPEN_POSITION}", "apply: the form")
    page.get_by_role("button", name="下一步：核对信息").click()
    expect(page.locator("#error-summary")).to_be_visible()
    student.check("apply: every error shown")

    page.get_by_label("搜索岗位").fill("助理")
    page.get_by_role("button", name="搜索岗位").click()
    expect(page.locator(".found-list li").first).to_be_visible()
    student.check("apply: the chooser's results")
    page.get_by_label("搜索岗位").fill("没有这样的岗位")
    page.get_by_role("button", name="搜索岗位").click()
    expect(page.locator("#found")).to_contain_text("没有找到")
    student.check("apply: the chooser finds nothing")

    fill_applicant(page, "陈小华", "13912340099", "xiaohua@example.com")
    page.get_by_role("button", name="下一步：核对信息").click()
    expect(page.get_by_role("heading", name="核对报名信息", level=1)).to_be_visible()
    student.check("apply: the check page")
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_role("heading", name="报名已提交", level=1)).to_be_visible()
    student.check("apply: submitted")

    student.visit("/status", "status: the lookup form")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#error-summary")).to_be_visible()
    student.check("status: every error shown")
    reference = worker.seeded.offered[1]
    page.get_by_label("报名编号").fill(reference)
    page.get_by_label("报名时填写的手机号或邮箱").fill("13900000000")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("main")).to_contain_text("没有查到")
    student.check("status: nothing found")
    page.get_by_label("报名时填写的手机号或邮箱").fill(applicant(2)["phone"])
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".panel")).to_contain_text(reference)
    student.check("status: an offered application")
    page.locator("summary", has_text="撤回报名").click()
    student.check("status: withdrawing opened")
    page.get_by_label("报名编号").fill(worker.seeded.ended)
    page.get_by_label("报名时填写的手机号或邮箱").fill(applicant(9)["phone"])
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#destination")).to_contain_text("留用")
    expect(page.locator("#plan")).to_contain_text("掌握会务流程")
    student.check("status: an ended internship, its destination and the rating")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#rating .error-summary")).to_contain_text("导师指导")
    student.check("status: the rating with every error shown")
    page.locator("#case").get_by_role("button", name="提交").click()
    expect(page.locator("#case .error-summary")).to_contain_text("请选择是否同意公开")
    student.check("status: the showcase consent with its error shown")
    page.get_by_label("同意公开，只写姓氏", exact=False).check()
    page.locator("#case").get_by_role("button", name="提交").click()
    expect(page.locator("#case")).to_contain_text("您已于")
    student.check("status: the showcase consent given, to change or take back")

    student.visit(f"/offer/{worker.seeded.offer_token}", "offer: the student's answer page")
    page.locator("summary", has_text="谢绝录用").click()
    student.check("offer: declining opened")
    page.get_by_role("button", name="接受录用").click()
    expect(page.locator("#offer-notice")).to_contain_text("您已接受录用")
    student.check("offer: accepted")
    student.assert_clean()


@pytest.mark.usefixtures("a11y_tools")
def test_a_units_public_form_and_the_error_pages(worker: Worker, audit: Callable[[], Audit]) -> None:
    unit = audit()
    page = unit.page
    unit.visit("/submit", "submit: the form")
    page.get_by_role("button", name="下一步：核对信息").last.click()
    expect(page.locator("#error-summary")).to_be_visible()
    unit.check("submit: every error shown")
    page.get_by_role("button", name="上传并核对").click()
    expect(page.locator("#spreadsheet-error")).to_be_visible()
    unit.check("submit: an upload without a file")
    workbook = filled_workbook([position_cells(1, 招收人数="很多")])
    page.get_by_label("填好的岗位征集表（.xlsx）").set_input_files(
        {"name": "岗位征集表.xlsx", "mimeType": XLSX_TYPE, "buffer": workbook}
    )
    page.get_by_role("button", name="上传并核对").click()
    expect(page.locator("#upload-problems")).to_be_visible()
    unit.check("submit: a spreadsheet with problems")
    # After the collection closed (the test world's default window ended 2026-06-30): new
    # positions are taken, marked 逾期.
    expect(page.locator("#collection-window")).to_contain_text("岗位征集已于")
    workbook = filled_workbook([position_cells(1)])
    page.get_by_label("填好的岗位征集表（.xlsx）").set_input_files(
        {"name": "岗位征集表.xlsx", "mimeType": XLSX_TYPE, "buffer": workbook}
    )
    page.get_by_role("button", name="上传并核对").click()
    expect(page.locator("#late-notice")).to_be_visible()
    unit.check("submit: the check page of a late submission")
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator("#late-notice")).to_contain_text("逾期")
    unit.check("submit: a late submission sent")
    worker.app.config["UTCNOW"] = lambda: dt.datetime(2026, 6, 25, 4, 0)  # 12:00 Beijing, 5 days left
    try:
        unit.visit("/submit", "submit: the form counting down the last two weeks")
        expect(page.locator("#collection-countdown")).to_have_text("距岗位征集截止还有 5 天")
    finally:
        worker.app.config["UTCNOW"] = utcnow
    unit.visit(f"/submit?credit_code={KNOWN_CODE}", "submit: a published unit loaded")
    page.get_by_role("button", name="下一步：核对信息").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("核对")
    unit.check("submit: the check page")
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("已提交")
    unit.check("submit: submitted")

    unit.visit("/offer/not-a-token", "error: 404", status=404)
    unit.visit("/", "error: the catalogue is not built yet (503)", status=503)
    unit.visit("/staff/welcome/not-a-token", "welcome: the link has expired (410)", status=410)
    unit.visit("/staff/login", "staff login: the form")
    page.get_by_label("用户名").fill("reviewer")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#error-summary")).to_be_visible()
    unit.check("staff login: refused")
    unit.assert_clean()


@pytest.mark.usefixtures("a11y_tools")
def test_the_welcome_page(worker: Worker, audit: Callable[[], Audit]) -> None:
    with db.sessions(worker.app)() as session:
        user = session.scalars(select(Account).where(Account.username == "unit_b")).one()
        token = invitations.token(user, worker.app.config["SECRET_KEY"])
    contact = audit()
    contact.visit(f"/staff/welcome/{token}", "welcome: set a password")
    contact.page.get_by_role("button", name="设置密码并登录").click()
    expect(contact.page.locator("#error-summary")).to_be_visible()
    contact.check("welcome: every error shown")
    contact.assert_clean()


@pytest.mark.usefixtures("a11y_tools")
def test_the_offices_pages(worker: Worker, audit: Callable[[], Audit]) -> None:
    seeded = worker.seeded
    admin = audit()
    admin.log_in("admin")
    admin.check("office: the dashboard")
    admin.visit("/staff/applications", "office: the applications list")
    admin.visit("/staff/applications?state=checked", "office: one state's applications")
    admin.visit(f"/staff/applications/{seeded.checked[0]}", "office: an application's record")
    admin.page.get_by_role("button", name="不予通过").click()
    expect(admin.page.locator("#action-error")).to_be_visible()
    admin.check("office: an application's record, a step refused")
    admin.visit(f"/staff/applications/{seeded.filed}", "office: a filed application's record")
    admin.visit(f"/staff/applications/{seeded.offered[0]}", "office: an offered application's record")
    admin.visit("/staff/submissions", "office: the submissions list")
    admin.visit("/staff/submissions?arrival=late", "office: the late submissions (逾期)")
    expect(admin.page.locator("strong.late").first).to_have_text("逾期")
    admin.visit(f"/staff/submissions/{seeded.submission}", "office: a late submission")
    expect(admin.page.locator("#late-arrival")).to_contain_text("晚于岗位征集截止时间")
    admin.visit("/staff/filing", "office: national filing")
    admin.visit("/staff/placements", "office: placements and agreements")
    admin.visit("/staff/outbox", "office: failed emails")
    admin.visit("/staff/exports", "office: exports")
    # A unit gone from the catalogue since the page was drawn: the field says so beside it.
    unit = admin.page.locator("#national-unit")
    unit.evaluate("s => { s.options[1].value = 'gone'; s.selectedIndex = 1; }")
    admin.page.get_by_role("button", name="导出系统录入对照表（.xlsx）").click()
    expect(admin.page.locator("#national-unit-error")).to_be_visible()
    admin.check("office: exports, the re-keying sheet's unit refused")
    admin.visit("/staff/accounts", "office: accounts")
    admin.page.get_by_role("button", name="新建账号并发送链接").click()
    expect(admin.page.locator("#error-summary")).to_be_visible()
    admin.check("office: accounts, a new account's errors")
    admin.visit("/staff/audit", "office: the audit log")
    admin.visit("/staff/showcase/", "office: 成果展示, the year's cases and figures")
    with db.sessions(worker.app)() as session:  # the intern agreed on /status (issue 23)
        session.execute(
            update(Placement)
            .where(Placement.id == seeded.ended_placement)
            .values(case_consent="surname", case_consent_at=utcnow())
        )
        session.commit()
    admin.visit(f"/staff/showcase/{seeded.ended_placement}", "office: a typical case to approve")
    admin.page.get_by_label("公开的案例正文", exact=False).fill("")
    admin.page.get_by_role("button", name="批准公开").click()
    expect(admin.page.locator("#error-summary")).to_be_visible()
    admin.check("office: a typical case, every error shown")
    admin.page.get_by_label("公开的案例正文", exact=False).fill("三场学术会议的会务零差错（示例）。")
    admin.page.get_by_role("button", name="批准公开").click()
    expect(admin.page.locator(".notice")).to_contain_text("已批准公开")
    admin.check("office: a typical case approved, with its withdrawal")
    admin.visit("/staff/password", "office: change password")
    admin.page.get_by_role("button", name="修改密码").click()
    expect(admin.page.locator("#error-summary")).to_be_visible()
    admin.check("office: change password, every error shown")

    reviewer = audit()
    reviewer.log_in("reviewer")
    reviewer.visit("/staff/accounts", "office: a reviewer refused the admin's page (403)", status=403)
    admin.found += reviewer.found
    admin.assert_clean()


@pytest.mark.usefixtures("a11y_tools")
def test_a_universitys_and_a_units_pages(worker: Worker, audit: Callable[[], Audit]) -> None:
    seeded = worker.seeded
    university = audit()
    university.log_in("cqu")
    university.check("university: its applications")
    university.visit(f"/staff/university/{seeded.checked[0]}", "university: an application with the mark")
    expect(university.page.locator(".priority-mark")).to_have_text("同等条件下优先考虑")

    unit = audit()
    unit.log_in("unit_a")
    unit.check("unit: its candidates")
    unit.visit(f"/staff/unit/candidates/{seeded.filed_choice}", "unit: a candidate with the mark")
    expect(unit.page.locator(".priority-mark")).to_have_text("同等条件下优先考虑")
    unit.visit("/staff/unit/placements", "unit: placements")
    unit.visit("/staff/unit/subsidy", "unit: its subsidy list")  # issue 21: a scrolling table
    unit.visit("/staff/unit/placements/agreements", "unit: agreements for several interns")
    unit.visit(f"/staff/unit/placements/{seeded.placement}/agreement", "unit: an agreement")
    unit.page.get_by_role("button", name="登记").first.click()
    unit.check("unit: an agreement with every error shown")
    unit.visit(f"/staff/unit/placements/{seeded.ended_placement}/file", "unit: a work file with its plan")
    unit.visit(f"/staff/unit/placements/{seeded.ended_placement}/file/plan", "unit: the training plan")
    unit.page.get_by_label("培养目标").fill("")
    unit.page.get_by_role("button", name="保存培养计划").click()
    expect(unit.page.locator("#error-summary")).to_contain_text("请填写培养目标")
    unit.check("unit: the training plan with an error shown")
    unit.found += university.found
    unit.assert_clean()


@pytest.mark.usefixtures("a11y_tools")
def test_the_bureaus_link_and_a_districts_pages(worker: Worker, audit: Callable[[], Audit]) -> None:
    """Issue 23: the HR bureau's page from its emailed link, answered on a phone, and a district
    account's, the office's and the unit's pages of a unit's standing."""
    app = worker.app
    unit_slug = "shili-intelligent-equipment-institute"  # 永川区, still 认定中
    with db.sessions(app)() as session:
        unit = app.extensions["jianxi.positions"].get().catalogue.units[unit_slug].unit
        links = confirmations.Links(app.config["MAIL_FROM"], worker.base_url, app.config["SECRET_KEY"])
        row, _ = confirmations.request(
            session, unit_slug, unit, "刘示例", "hr@yc.example.gov.cn", "reviewer", utcnow(), links
        )
        session.commit()
        link = "/unit-confirmation/" + confirmations.token(row, app.config["SECRET_KEY"])
        create_account(
            session, "yc_hr", "永川人社", PASSWORD, "district_hr", "hr@yc.example.org", district="永川区"
        )
        create_account(session, "institute", "石示例", PASSWORD, "unit", "i@example.com", unit=unit_slug)

    bureau = audit()
    bureau.page.set_viewport_size({"width": 375, "height": 812})
    bureau.visit(link, "bureau: the unit to confirm")
    bureau.page.get_by_role("button", name="提交认定结果").click()
    expect(bureau.page.locator("#error-summary")).to_contain_text("请选择认定结果")
    bureau.check("bureau: every error shown")
    bureau.page.get_by_label("已认定为就业见习单位").check()
    bureau.page.get_by_label("认定文件文号（已认定时必填）").fill("永川人社见〔2026〕8号")
    bureau.page.get_by_label("认定日期（已认定时必填）").fill("2026-11-20")
    bureau.page.get_by_label("经办人姓名").fill("刘示例")
    bureau.page.get_by_role("button", name="提交认定结果").click()
    expect(bureau.page.locator(".panel")).to_contain_text("认定结果已经登记")
    bureau.check("bureau: answered (the link used)")
    bureau.visit("/unit-confirmation/not-a-token", "bureau: a broken link", status=404)

    district = audit()
    district.page.set_viewport_size({"width": 375, "height": 812})
    district.log_in("yc_hr")
    district.visit("/staff/units/", "district: its units")
    district.visit(f"/staff/units/{unit_slug}", "district: a unit it confirmed")
    district.visit("/staff/district/interns", "district: its interns")
    district.visit("/staff/stats", "district: its statistics")

    office = audit()
    office.log_in("reviewer")
    office.visit("/staff/units/?standing=pending", "office: units still 认定中")
    office.visit("/staff/units/shili-wanzhou-scitech-service-centre", "office: a unit to ask about")
    office.page.get_by_role("button", name="发送确认链接").click()
    expect(office.page.locator("#error-summary")).to_be_visible()
    office.check("office: asking the bureau, every error shown")

    unit_page = audit()
    unit_page.log_in("institute")
    unit_page.visit("/staff/unit/confirmation", "unit: its standing")
    for other in (district, office, unit_page):
        bureau.found += other.found
    bureau.assert_clean()


@pytest.mark.usefixtures("a11y_tools")
def test_the_position_report_pages(worker: Worker, audit: Callable[[], Audit]) -> None:
    """The public form a position page links, its errors and the thank-you page; the office's
    queue and one report with its errors; the unit's forwarded reports (form_worker.feedback)."""
    reader = audit()
    page = reader.page
    reader.visit(f"/feedback/{OPEN_POSITION}", "feedback: the public form")
    page.get_by_role("button", name="提交反馈").click()
    expect(page.locator("#error-summary")).to_contain_text("请选择遇到的问题")
    reader.check("feedback: every error shown")
    page.get_by_label("信息有误").check()
    page.get_by_label("联系方式（可不填）").fill("不是联系方式")
    page.get_by_role("button", name="提交反馈").click()
    expect(page.locator("#description-error")).to_be_visible()
    reader.check("feedback: the description and the contact refused")
    page.get_by_label("具体情况").fill("报名截止日期与通知不一致（示例）")
    page.get_by_label("联系方式（可不填）").fill("13900001111")
    page.get_by_role("button", name="提交反馈").click()
    expect(page.get_by_role("heading", name="反馈已收到", level=1)).to_be_visible()
    reader.check("feedback: the thank-you page")

    office = audit()
    office.log_in("reviewer")
    office.visit("/staff/feedback", "office: the queue of position reports")
    office.page.get_by_role("link", name=re.compile(r"\d{4}-\d{2}-\d{2}")).first.click()
    expect(office.page.locator("#feedback-state")).to_have_text("待处理")
    office.check("office: one position report")
    office.page.get_by_role("button", name="关闭反馈").click()
    expect(office.page.locator("#close-note-error")).to_be_visible()
    office.check("office: closing a report without a note")
    office.page.get_by_role("button", name="转交单位").click()
    expect(office.page.locator("#feedback-state")).to_have_text("已转交单位")
    office.check("office: a forwarded report")
    office.visit(f"/staff/feedback?state=all&position={OPEN_POSITION}", "office: one position's reports")

    unit = audit()
    unit.log_in("unit_a")
    unit.visit("/staff/unit/feedback", "unit: the reports forwarded to it")
    expect(unit.page.locator("main")).to_contain_text("报名截止日期与通知不一致")
    unit.found += reader.found + office.found
    unit.assert_clean()


# What each engine must find here, or its injection is broken and every page would pass.
BROKEN_PAGE = """<!doctype html><html lang="zh-CN"><head><title>有问题的页面</title></head><body><main>
<h1>有问题的页面</h1><p style="color: #aaa; background: #fff">浅灰色的字</p>
<form action="/"><input type="text" id="same"><input type="text" id="same"></form>
</main></body></html>"""
HTMLCS_FINDS = {
    "WCAG2AA.Principle1.Guideline1_3.1_3_1.F68",  # an input without a label
    "WCAG2AA.Principle1.Guideline1_4.1_4_3.G18.Fail",  # contrast below 4.5:1
    "WCAG2AA.Principle3.Guideline3_2.3_2_2.H32.2",  # a form without a submit button
    "WCAG2AA.Principle4.Guideline4_1.4_1_1.F77",  # a duplicate id
}


@pytest.mark.usefixtures("a11y_tools")
def test_the_engines_find_what_they_should(local_page: Callable[..., Page]) -> None:
    page = local_page("http://127.0.0.1:9")  # no server: the page is set here
    page.set_content(BROKEN_PAGE)
    assert {"color-contrast", "label"} <= {v["id"] for v in axe_violations(page)}
    assert HTMLCS_FINDS <= {e["code"] for e in htmlcs_errors(page)}
    assert "WCAG2AA.Principle4.Guideline4_1.4_1_1.F77" not in {
        e["code"] for e in htmlcs_errors(page, ignore=["WCAG2AA.Principle4.Guideline4_1.4_1_1.F77"])
    }
    report = accessibility_report(page, "the broken page")
    assert report.startswith("the broken page (") and "#same" in report, report


PA11Y_PAGES = ("/apply", "/status", "/submit", "/staff/login", f"/feedback/{OPEN_POSITION}")


@pytest.mark.usefixtures("a11y_tools")
@pytest.mark.parametrize("size", SIZES)
def test_pa11y_itself_finds_no_error(worker: Worker, tmp_path: Path, size: str) -> None:
    """pa11y itself, its default runner (HTML_CodeSniffer) at WCAG 2 AA, on Debian's Chromium."""
    failures = pa11y_errors([worker.base_url + path for path in PA11Y_PAGES], SIZES[size], tmp_path)
    assert not failures, "\n".join(failures)
