"""The office opens an interview round and a candidate picks a time on a phone from the link in the
email (issue 22); both accessibility engines check the office's page and the candidate's page.

The worker runs on a loopback port as `jianxi serve` does; the candidate is recorded and filed
directly in the database (the steps before are tested elsewhere).
"""

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from form_worker.applications.models import Choice
from form_worker.applications.selection import interviews
from form_worker.core import db
from tests.browser.conftest import (
    PHONE,
    assert_accessible,
    assert_accessible_at_sizes,
    serve_app,
    served_config,
)
from tests.browser.test_workfile_browser import assert_fits_phone, log_in
from tests.form_worker.conftest import OPEN_POSITION, worker_app
from tests.helpers.offers import filed
from tests.helpers.parties import make_parties


@pytest.fixture
def worker(tmp_path) -> Iterator[tuple[Flask, str]]:
    with worker_app(served_config(tmp_path)) as app, serve_app(app) as base_url:
        yield app, base_url


def candidate_link(app: Flask) -> str:
    """The parties, and a filed candidate of OPEN_POSITION: the path of their interview link."""
    with db.sessions(app)() as session:
        make_parties(app, session)
        application = filed(app, session, [OPEN_POSITION], number=80)
        choice = session.scalar(select(Choice).where(Choice.application_id == application.id))
        return f"/interview/{interviews.token(choice, app.config['SECRET_KEY'])}"


def test_the_office_opens_a_round_and_a_candidate_picks_a_time_on_a_phone(
    local_page: Callable[..., Page], worker: tuple[Flask, str]
) -> None:
    app, base_url = worker
    link = candidate_link(app)
    office = local_page(base_url, viewport={"width": 1366, "height": 900})
    log_in(office, base_url, "reviewer")
    office.goto(base_url + "/staff/interviews")
    office.get_by_label("岗位").select_option(OPEN_POSITION)
    office.get_by_label("面试时间和地点（北京时间，每行一个）").fill("2031-06-01 09:30 会议室\n明天")
    office.get_by_role("button", name="开放面试并通知候选人").click()
    expect(office.locator("#slot-problems")).to_contain_text("第 2 行：格式应为")
    assert_accessible_at_sizes(office, "office: the interview round with a problem")
    office.get_by_label("面试时间和地点（北京时间，每行一个）").fill(
        "2031-06-01 09:30 学会 3 楼会议室\n2031-06-01 10:00 学会 3 楼会议室"
    )
    office.get_by_role("button", name="开放面试并通知候选人").click()
    expect(office.get_by_role("status").first).to_contain_text("已开放 2 个面试时间")

    phone = local_page(base_url, viewport=PHONE)
    phone.goto(base_url + link)
    assert_accessible_at_sizes(phone, "candidate: the times to pick from")
    assert_fits_phone(phone)
    phone.get_by_role("radio", name="2031-06-01 10:00 · 学会 3 楼会议室").check()
    phone.get_by_role("button", name="确定这个时间").click()
    expect(phone.locator("#held")).to_contain_text("2031-06-01 10:00")
    assert_accessible(phone, "candidate: a time picked")
    office.reload()
    expect(office.locator("table")).to_contain_text("已预约")
