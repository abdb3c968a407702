"""The public form a position page links: every error in Chinese beside its field with the input
kept, CSRF refused, unknown positions a Chinese 404, the thank-you page, and the limits per client
and per position past which the reader gets the Chinese 429 page and nothing is stored."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from form_worker.feedback.models import Feedback
from tests.form_worker.conftest import OPEN_POSITION, app_config, worker_app
from tests.helpers.feedback import FORM, answers, post_report
from tests.helpers.parties import OTHER_POSITION


def stored(session) -> list[Feedback]:
    session.expire_all()
    return list(session.scalars(select(Feedback).order_by(Feedback.id)))


def test_the_form_names_the_position_and_offers_three_problems(client) -> None:
    page = client.get(FORM)
    assert page.status_code == 200
    assert "学术会议组织助理（示例）" in page.text and "重庆市示例青年科技工作者学会（示例）" in page.text
    for label in ("岗位已关闭或已招满", "信息有误", "其他问题"):
        assert label in page.text
    assert 'name="csrf_token"' in page.text and "90 天后自动删除" in page.text


@pytest.mark.parametrize(
    "path",
    ["/feedback/no-such-unit/no-such-position", f"/feedback/{OPEN_POSITION}-gone", "/feedback/x/y/thanks"],
)
def test_an_unknown_position_is_a_chinese_404(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and "页面不存在" in response.text
    assert post_report(client, FORM).status_code == 303  # the form itself works
    refused = client.post(path, data=answers())
    assert refused.status_code in (404, 405) and "Traceback" not in refused.text  # never a 500


@pytest.mark.backend
def test_each_error_is_shown_beside_its_field_and_the_input_is_kept(client, session) -> None:
    nothing = post_report(client, problem="", description="", contact="")
    assert nothing.status_code == 422
    assert '<p class="error" id="problem-error">请选择遇到的问题</p>' in nothing.text
    assert 'id="error-summary"' in nothing.text

    wrong = post_report(client, description="   ", contact="不是联系方式")
    assert wrong.status_code == 422
    assert (
        '<p class="error" id="description-error">请写明具体情况，如哪一项信息有误、正确的是什么</p>'
        in wrong.text
    )
    assert '<p class="error" id="contact-error">请填写 11 位手机号' in wrong.text
    assert 'value="不是联系方式"' in wrong.text and '<input checked id="problem-1"' in wrong.text
    assert 'aria-invalid="true"' in wrong.text

    bad_email = post_report(client, problem="other", description="页面打不开（示例）", contact="chen@")
    assert '<p class="error" id="contact-error">邮箱格式不正确</p>' in bad_email.text
    # Chongqing's fixed lines have 8 digits after 023: one digit short is refused (phonenumbers).
    short_line = post_report(client, problem="other", description="页面打不开（示例）", contact="023-6300228")
    assert '<p class="error" id="contact-error">请填写 11 位手机号、带区号的座机号' in short_line.text
    assert "页面打不开（示例）</textarea>" in bad_email.text

    long = post_report(client, description="长" * 1001)
    assert '<p class="error" id="description-error">最多 1000 个字</p>' in long.text
    assert stored(session) == []


@pytest.mark.backend
def test_a_report_is_stored_and_the_reader_thanked(client, session) -> None:
    closed = post_report(client, problem="closed", description="", contact="023-63000000", share_contact="y")
    assert closed.status_code == 303 and closed.headers["Location"] == f"{FORM}/thanks"
    thanks = client.get(closed.headers["Location"])
    assert thanks.status_code == 200 and "反馈已收到" in thanks.text and "接下来" in thanks.text
    assert "学术会议组织助理（示例）" in thanks.text
    assert post_report(client, contact=" chen@example.com ").status_code == 303
    assert post_report(client, problem="other", contact="").status_code == 303
    first, second, third = stored(session)
    assert (first.problem, first.description, first.contact, first.share_contact) == (
        "closed",
        "",
        "023-63000000",
        True,
    )
    assert (first.position_id, first.unit_slug, first.state) == (
        OPEN_POSITION,
        OPEN_POSITION.split("/")[0],
        "new",
    )
    assert first.position_title == "学术会议组织助理（示例）"
    assert (second.contact, second.share_contact) == ("chen@example.com", False)
    # Agreeing to share means nothing without a contact.
    assert third.contact == "" and third.share_contact is False


def test_a_post_without_its_csrf_token_is_refused_and_nothing_stored(client, session) -> None:
    client.get(FORM)
    refused = client.post(FORM, data=answers(contact="13800001111"))
    assert refused.status_code == 400 and "页面停留时间过长" in refused.text
    assert 'value="13800001111"' in refused.text  # the form again, as typed, with a fresh token
    assert 'name="csrf_token"' in refused.text
    assert stored(session) == []
    forged = client.post(FORM, data=answers() | {"csrf_token": "forged"})
    assert forged.status_code == 400 and stored(session) == []


@pytest.fixture
def limited(backend: dict[str, str], tmp_path: Path):
    """The worker with its limits on: 3 reports an hour per address, 4 a day per position."""
    config = app_config(
        backend,
        tmp_path,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_POST="100 per minute",
        FEEDBACK_LIMIT="3 per hour",
        FEEDBACK_POSITION_LIMIT="4 per day",
    )
    with worker_app(config) as app:
        yield app


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.mark.backend
def test_a_flooding_client_gets_the_429_page_and_nothing_more_is_stored(limited) -> None:
    client = from_address(limited, "10.0.0.1")
    # Mistakes do not use up the allowance: only reports about to be stored count.
    assert post_report(client, problem="").status_code == 422
    statuses = [post_report(client).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    flooded = post_report(client, path=f"/feedback/{OTHER_POSITION}")
    assert flooded.status_code == 429 and "<h1>操作太频繁</h1>" in flooded.text
    assert "您提交的反馈次数太多了" in flooded.text
    assert post_report(from_address(limited, "10.0.0.2")).status_code == 303  # others still may
    with limited.app_context():
        from form_worker.core.db import get_session

        assert get_session().scalar(select(func.count()).select_from(Feedback)) == 4


@pytest.mark.backend
def test_a_position_takes_its_cap_a_day_from_all_addresses_together(limited) -> None:
    statuses = [post_report(from_address(limited, f"10.0.1.{n}")).status_code for n in range(6)]
    assert statuses == [303, 303, 303, 303, 429, 429]
    capped = post_report(from_address(limited, "10.0.1.9"))
    assert capped.status_code == 429 and "这个岗位今天已收到很多反馈" in capped.text
    other = post_report(from_address(limited, "10.0.1.9"), path=f"/feedback/{OTHER_POSITION}")
    assert other.status_code == 303
    with limited.app_context():
        from form_worker.core.db import get_session

        counted = select(Feedback.position_id, func.count()).group_by(Feedback.position_id)
        assert dict(get_session().execute(counted).all()) == {OPEN_POSITION: 4, OTHER_POSITION: 1}


def test_posts_are_limited_per_address_like_every_form(backend, tmp_path: Path) -> None:
    config = app_config(
        backend,
        tmp_path,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_POST="2 per minute",
    )
    with worker_app(config) as app:
        client = from_address(app, "10.0.2.1")
        statuses = [post_report(client, problem="").status_code for _ in range(3)]
        assert statuses == [422, 422, 429]
        assert "请稍等一分钟再试" in post_report(client).text
