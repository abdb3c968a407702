"""A unit's contact on a phone keeps an intern's work file: a month's attendance, a task, the
mentor's evaluation and the early end; the office opens /staff/stats before and after, and its
table and chart show the new figures.

The worker runs on a loopback port as `jianxi serve` does; the intern is recorded with a signed
agreement directly in the database (the steps before are tested elsewhere).
"""

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from form_worker.core import db
from tests.browser.conftest import PHONE, assert_accessible, screenshot, serve_app, served_config
from tests.form_worker.conftest import PASSWORD, worker_app
from tests.helpers.parties import make_parties
from tests.helpers.workfiles import approved_report, intern

INTERN = {"name": "周示例", "phone": "13912340000", "email": "zhou.workfile@example.com"}


@pytest.fixture
def worker(tmp_path) -> Iterator[tuple[Flask, str]]:
    with worker_app(served_config(tmp_path)) as app, serve_app(app) as base_url:
        yield app, base_url


def active_intern(app: Flask) -> int:
    """The parties' accounts, and an intern at unit A's position with a signed agreement whose
    end-of-internship report the mentor approved (test_intern_log_browser walks that part)."""
    with db.sessions(app)() as session:
        make_parties(app, session)
        placement = intern(app, session, **INTERN)
        approved_report(session, placement)
        return placement.id


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(base_url + "/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".staff-nav__user")).to_be_visible()


def assert_fits_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def outcome(page: Page) -> dict[str, str]:
    """The completion table's one row, by column header."""
    table = page.locator("#table-outcome")
    headers = table.locator("thead th").all_inner_texts()
    cells = table.locator("tbody tr").first.locator("th, td").all_inner_texts()
    return dict(zip(headers, cells, strict=True))


def bars(page: Page, label: str) -> dict[str, str]:
    """What a drawn bar chart says, category by value, read from the SVG pygal wrote."""
    chart = page.locator(f'#stat-outcome svg[aria-label="{label}"]')
    expect(chart).to_be_visible()
    drawn = chart.locator("g.bar")
    return {
        bar.locator("desc.x_label").text_content() or "": bar.locator("desc.value").text_content() or ""
        for bar in drawn.all()
    }


def test_a_unit_keeps_the_work_file_on_a_phone_and_the_office_sees_it_counted(
    local_page: Callable[..., Page], worker: tuple[Flask, str]
) -> None:
    app, base_url = worker
    placement_id = active_intern(app)
    office = local_page(base_url, viewport={"width": 1366, "height": 900})
    log_in(office, base_url, "admin")
    office.goto(base_url + "/staff/stats")
    before = outcome(office)
    assert (before["签订协议人数"], before["在岗"], before["提前结束"], before["优秀"]) == (
        "1",
        "1",
        "0",
        "0",
    )

    phone = local_page(base_url)
    log_in(phone, base_url, "unit_a")
    phone.get_by_role("link", name="见习生与协议").click()
    phone.get_by_role("link", name="工作档案").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("周示例")
    assert_fits_phone(phone)
    assert_accessible(phone, "work file overview")
    screenshot(phone, "workfile_overview")

    # October's attendance: a first try that does not add up keeps what was typed.
    phone.get_by_role("link", name="考勤 2026年10月").click()
    phone.get_by_label("应出勤天数").fill("22")
    phone.get_by_label("出勤天数", exact=True).fill("20")
    phone.get_by_label("事假天数").fill("1")
    phone.get_by_label("备注（可不填）").fill("国庆假期后补班")
    phone.get_by_role("button", name="保存").click()
    expect(phone.locator("#error-summary")).to_contain_text("应等于应出勤天数（22 天）")
    expect(phone.get_by_label("备注（可不填）")).to_have_value("国庆假期后补班")
    assert_accessible(phone, "attendance with an error")
    assert_fits_phone(phone)
    phone.get_by_label("病假天数").fill("1")
    phone.get_by_role("button", name="保存").click()
    expect(phone.get_by_role("status")).to_contain_text("已登记 2026年10月的考勤")
    october = phone.get_by_role("row", name="2026年10月")
    expect(october).to_contain_text("22")
    expect(october).to_contain_text("20")

    phone.get_by_role("link", name="登记新任务").click()
    phone.get_by_label("任务名称").fill("学术年会会务手册")
    phone.get_by_label("开始日期").fill("2026-10-08")
    phone.get_by_label("结束日期").fill("2026-10-30")
    phone.get_by_label("交付成果（可不填）").fill("会务手册定稿一份")
    phone.get_by_role("radio", name="已完成").check()
    phone.get_by_label("完成百分比").fill("100")
    assert_fits_phone(phone)
    phone.get_by_role("button", name="保存").click()
    expect(phone.locator("#tasks-heading + ul")).to_contain_text("学术年会会务手册")

    phone.get_by_role("link", name="填写导师评价").click()
    for criterion in ("工作态度", "专业能力", "沟通协作", "任务完成"):
        phone.get_by_role("group", name=criterion).get_by_role("radio", name="5 分").check()
    phone.get_by_role("radio", name="优秀").check()
    phone.get_by_label("导师评语").fill("主动承担会务联络，按时交付。")
    assert_accessible(phone, "evaluation form")
    phone.get_by_role("button", name="提交评价").click()
    phone.get_by_role("link", name="登记见习结束").click()
    phone.get_by_label("见习实际结束日期").fill("2026-11-20")
    phone.get_by_role("button", name="登记见习结束").click()
    expect(phone.locator("#error-summary")).to_contain_text("属于提前结束，请填写原因")
    expect(phone.locator("#error-summary")).to_contain_text("请选择见习结束后的去向")
    phone.get_by_label("提前结束的原因（早于协议约定的结束日期时必填）").fill("考取研究生，提前离岗")
    phone.get_by_role("radio", name="升学深造").check()
    phone.get_by_label("去向说明（选“其他”时必填；就业、升学的可写单位或学校）").fill("重庆大学")
    phone.get_by_role("button", name="登记见习结束").click()
    expect(phone.get_by_role("status")).to_contain_text("见习结束")
    expect(phone.locator(".facts").first).to_contain_text("提前结束：考取研究生，提前离岗")
    screenshot(phone, "workfile_completed")

    office.reload()
    after = outcome(office)
    assert (after["在岗"], after["按期完成"], after["提前结束"], after["优秀"]) == ("0", "0", "1", "1")
    assert bars(office, "柱状图：见习完成情况") == {"在岗": "0", "按期完成": "0", "提前结束": "1"}
    assert bars(office, "柱状图：导师评价等级") == {"优秀": "1", "良好": "0", "合格": "0", "不合格": "0"}
    assert_accessible(office, "statistics after the internship ended")

    # The office reads the work file (it keeps none) and prints the certificate from it.
    office.goto(f"{base_url}/staff/work-files/{placement_id}")
    expect(office.get_by_role("link", name="登记新任务")).to_have_count(0)
    office.get_by_role("link", name="打印见习证明").click()
    expect(office.locator("main")).to_contain_text("周示例")
    expect(office.locator("main")).to_contain_text("优秀")
