"""An intern keeps the weekly log on a phone from /status (issue 22): a draft saved and finished on
another visit, submitted, returned by the mentor with a comment, corrected and approved; then the
end-of-internship report, which the mentor approves before the unit records the end. Both
accessibility engines check each step's page.

The worker runs on a loopback port as `jianxi serve` does; the intern is recorded with a signed
agreement directly in the database (the steps before are tested elsewhere).
"""

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from form_worker.applications.models import Application
from form_worker.core import db
from tests.browser.conftest import (
    PHONE,
    assert_accessible,
    assert_accessible_at_sizes,
    serve_app,
    served_config,
)
from tests.browser.test_workfile_browser import assert_fits_phone, log_in
from tests.form_worker.conftest import worker_app
from tests.helpers.parties import make_parties
from tests.helpers.workfiles import intern

INTERN = {"name": "吴示例", "phone": "13912345678", "email": "wu.log@example.com"}


@pytest.fixture
def worker(tmp_path) -> Iterator[tuple[Flask, str]]:
    with worker_app(served_config(tmp_path)) as app, serve_app(app) as base_url:
        yield app, base_url


def active_intern(app: Flask) -> tuple[int, str]:
    with db.sessions(app)() as session:
        make_parties(app, session)
        placement = intern(app, session, **INTERN)
        return placement.id, session.get(Application, placement.application_id).reference


def look_up(page: Page, base_url: str, reference: str) -> None:
    """What the intern does on each visit: /status with the reference and phone."""
    page.goto(base_url + "/status")
    page.get_by_label("报名编号").fill(reference)
    page.get_by_label("报名时填写的手机号或邮箱").fill(INTERN["phone"])
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#log")).to_be_visible()


def review(unit: Page, base_url: str, placement_id: int, link: str, decision: str, comment: str = "") -> None:
    unit.goto(f"{base_url}/staff/unit/placements/{placement_id}/file")
    unit.locator("#log").get_by_role("link", name=link).first.click()
    assert_accessible(unit, f"unit: reviewing ({link})")
    if comment:
        unit.get_by_label("导师意见（退回时必填，学生能看到）").fill(comment)
    unit.get_by_role("button", name=decision).click()


def test_an_intern_keeps_the_log_on_a_phone_and_the_mentor_reviews_it(
    local_page: Callable[..., Page], worker: tuple[Flask, str]
) -> None:
    app, base_url = worker
    placement_id, reference = active_intern(app)
    phone = local_page(base_url, viewport=PHONE)
    look_up(phone, base_url, reference)
    assert_accessible_at_sizes(phone, "status: the log and the report to write")
    assert_fits_phone(phone)

    # A draft, saved; submitting an unfinished week asks for what is missing, beside the field.
    phone.get_by_label("本周做了什么").fill("协助筹备学术沙龙，整理报名表")
    phone.get_by_role("button", name="保存周志草稿").click()
    expect(phone.locator("p.notice[role=status]")).to_contain_text("已保存草稿")
    look_up(phone, base_url, reference)  # another day
    expect(phone.get_by_label("本周做了什么")).to_have_value("协助筹备学术沙龙，整理报名表")
    phone.get_by_role("button", name="提交周志给导师").click()
    expect(phone.locator("#log .error-summary")).to_contain_text("提交前请填写学到了什么")
    expect(phone.get_by_label("本周做了什么")).to_have_value("协助筹备学术沙龙，整理报名表")
    assert_accessible(phone, "status: the week with an error")
    phone.get_by_label("学到了什么").fill("学会了会议报名数据的整理")
    phone.get_by_role("button", name="提交周志给导师").click()
    expect(phone.locator("p.notice[role=status]")).to_contain_text("已提交给导师审阅")

    unit = local_page(base_url, viewport=PHONE)
    log_in(unit, base_url, "unit_a")
    review(unit, base_url, placement_id, "审阅", "退回修改")
    expect(unit.locator("#error-summary")).to_contain_text("退回时请写明需要修改的地方")
    unit.get_by_label("导师意见（退回时必填，学生能看到）").fill("请写清楚本周具体完成了几项工作")
    unit.get_by_role("button", name="退回修改").click()
    expect(unit.get_by_role("status")).to_contain_text("已退回")

    look_up(phone, base_url, reference)
    expect(phone.locator("#log")).to_contain_text("导师意见：请写清楚本周具体完成了几项工作")
    phone.get_by_label("本周做了什么").fill("协助筹备学术沙龙，整理报名表 120 份，联系嘉宾 3 位")
    phone.get_by_role("button", name="提交周志给导师").click()
    review(unit, base_url, placement_id, "审阅", "通过")
    look_up(phone, base_url, reference)
    expect(phone.locator("#log")).to_contain_text("导师已通过 1 周")

    # The report: the unit cannot record the end until the mentor approves it.
    phone.get_by_label("见习总结内容").fill("半年来参与了三次学术活动的组织，学会了会务统筹。")
    phone.get_by_role("button", name="提交见习总结给导师").click()
    expect(phone.locator("p.notice[role=status]")).to_contain_text("已提交见习总结")
    review(unit, base_url, placement_id, "审阅", "通过")
    unit.goto(f"{base_url}/staff/unit/placements/{placement_id}/file")
    expect(unit.locator("#log")).to_contain_text("见习总结：导师已通过")
    assert_accessible(unit, "unit: the work file with the log")
