"""Drafts of /submit: 保存草稿，稍后继续 keeps an unfinished form with only a valid contact email,
emails one link (through a real SMTP server) that reopens the form filled in, updates the same
draft on every later save without mailing again within RESEND_AFTER, ends with the real submission,
answers expired and unknown links in Chinese, is purged daily, and never logs the token."""

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from form_worker.core import logs
from form_worker.core.models import utcnow
from form_worker.outbox.models import Outbox
from form_worker.submissions import drafts
from form_worker.submissions.models import Submission, SubmissionDraft
from form_worker.submissions.tasks import purge_drafts
from site_builder.clock import local_time
from tests.form_worker.conftest import app_config, drain, worker_app
from tests.helpers.clerks import (
    UNIT_EMAIL,
    Clerk,
    answers_for,
    assert_error,
    assert_kept,
    count,
    error_beside,
    form_answers,
)

# An unfinished form: the first position has no title yet and a headcount that is not a number.
UNFINISHED = answers_for(**{"title": "", "headcount": "两个"})
LINK = re.compile(r"http://127\.0\.0\.1:8000/submit/draft/([A-Za-z0-9_-]{43})")


@pytest.fixture
def now() -> dt.datetime:
    """The worker's clock in a test: pinned, a minute or more ahead of the real clock, which stamps
    outbox rows as due (a worker clock behind it would find no email due yet)."""
    return (utcnow() + dt.timedelta(minutes=2)).replace(second=0, microsecond=0)


@pytest.fixture
def app(backend: dict[str, str], tmp_path: Path, smtp_server, now: dt.datetime):
    """The worker sending mail to a real SMTP server on 127.0.0.1, its clock pinned at `now`."""
    config = app_config(backend, tmp_path, MAIL_URL=smtp_server.url, UTCNOW=lambda: now)
    with worker_app(config) as app:
        yield app


@pytest.fixture
def clerk(client) -> Clerk:
    return Clerk(client)


@pytest.fixture
def mailbox(smtp_server):
    return smtp_server.mailbox


def at(app, moment: dt.datetime) -> None:
    app.config["UTCNOW"] = lambda: moment


def saved_drafts(session) -> list[SubmissionDraft]:
    session.rollback()
    session.expire_all()
    return list(session.scalars(select(SubmissionDraft)))


def draft_mail(session) -> list[Outbox]:
    session.rollback()
    return list(session.scalars(select(Outbox).where(Outbox.key.startswith("submission-draft:"))))


def answers_on(client, link: str) -> dict[str, list[str]]:
    """What the draft's page posts as it stands, without its CSRF token (Clerk adds a fresh one)."""
    answers = dict(form_answers(client.get(link).text, link).lists())
    del answers["csrf_token"]
    return answers


def save_and_open_link(app, clerk, mailbox, answers: dict = UNFINISHED) -> str:
    """Save a draft from /submit, deliver its email, and return the link's path."""
    assert clerk.post(answers, action="save_draft").status_code == 200
    drain(app)
    [message] = mailbox.messages
    return "/submit/draft/" + LINK.search(message.get_body(("plain",)).get_content()).group(1)


@pytest.mark.backend
def test_saving_an_unfinished_form_keeps_its_answers_and_emails_one_link(
    app, clerk, session, mailbox, now
) -> None:
    response = clerk.post(UNFINISHED, action="save_draft")
    page = response.text
    assert response.status_code == 200
    assert "error-summary" not in page  # nothing but the email was judged
    assert "草稿已保存。继续填写的链接已发到 c***@unit.example.com，在最后一次保存后 30 天内有效。" in page
    assert_kept(page, UNFINISHED)

    [draft] = saved_drafts(session)
    assert draft.answers["unit"]["contact_email"] == UNIT_EMAIL
    assert draft.answers["positions"][0]["headcount"] == "两个"
    assert "csrf_token" not in draft.answers and "nickname" not in draft.answers
    assert draft.created_at == draft.updated_at == now
    assert draft.expires_at == now + dt.timedelta(days=30)
    assert count(session, Submission) == 0

    # The form now posts to the draft's link, so a later save updates this draft.
    [token] = re.findall(r'<form method="post" action="/submit/draft/([^"#]+)"', page)
    assert len(token) == 43 and token not in draft.token_hash and draft.id not in token
    assert drafts.by_token(session, token).id == draft.id

    [row] = draft_mail(session)
    assert row.recipient == UNIT_EMAIL and row.status == "pending"
    assert drain(app) == [{"sent": 1}]
    [message] = mailbox.messages
    assert message["To"] == UNIT_EMAIL
    assert message["Subject"] == "岗位申报草稿已保存：点击邮件中的链接继续填写"
    text = message.get_body(("plain",)).get_content()
    assert LINK.search(text).group(1) == token
    assert f"您于 {local_time(now)}（北京时间）" in text
    expires = local_time(now + dt.timedelta(days=30))
    assert f"在最后一次保存后 30 天内有效（按这次保存，有效至 {expires}）" in text
    assert "上传的岗位征集表文件不会保存" in text and "023-63002289" in text
    html = message.get_body(("html",)).get_content()
    assert '<meta name="viewport" content="width=device-width,initial-scale=1">' in html
    assert f'<a href="http://127.0.0.1:8000/submit/draft/{token}">继续填写岗位征集表</a>' in html


def test_the_form_offers_the_draft_and_says_a_spreadsheet_is_not_kept(client) -> None:
    page = client.get("/submit").text
    assert 'name="action" value="save_draft"' in page and "保存草稿，稍后继续" in page
    assert "不保存上传的岗位征集表文件" in page and "30 天内有效" in page


@pytest.mark.parametrize(
    ("email", "message"),
    [("not-an-address", "电子邮箱格式不正确"), ("", "请填写联系人电子邮箱")],
    ids=["bad", "missing"],
)
def test_without_a_valid_contact_email_no_draft_is_kept(clerk, session, email, message) -> None:
    answers = answers_for(unit={"contact_email": email}, title="")
    response = clerk.post(answers, action="save_draft")
    assert response.status_code == 422
    assert_error(response.text, "unit-contact_email", message)
    assert error_beside(response.text, "positions-0-title") == []  # the rest is not judged
    assert_kept(response.text, answers)
    assert saved_drafts(session) == [] and draft_mail(session) == []


def test_the_link_opens_the_form_filled_in(app, client, clerk, mailbox, now) -> None:
    link = save_and_open_link(app, clerk, mailbox)
    response = client.get(link)
    page = response.text
    assert response.status_code == 200
    assert_kept(page, UNFINISHED)
    assert f"已载入您于 {local_time(now)} 保存的草稿" in page
    assert f'<form method="post" action="{link}" novalidate>' in page
    assert 'id="existing"' not in page  # loading a published unit would leave the draft


@pytest.mark.backend
def test_saving_again_updates_the_draft_and_mails_again_only_after_the_window(
    app, client, clerk, session, mailbox, now
) -> None:
    link = save_and_open_link(app, clerk, mailbox)
    later = now + dt.timedelta(minutes=3)
    at(app, later)
    answers = answers_on(client, link)
    answers["positions-0-title"] = ["科普讲解助理"]
    response = clerk.post(answers, action="save_draft", url=link)
    assert response.status_code == 200
    assert "这次没有再给 c***@unit.example.com 发邮件：同一草稿 10 分钟内" in response.text
    [draft] = saved_drafts(session)
    assert draft.answers["positions"][0]["title"] == "科普讲解助理"
    assert draft.created_at == now and draft.updated_at == later
    assert draft.expires_at == later + dt.timedelta(days=30)
    assert draft.emailed_at == now and len(draft_mail(session)) == 1
    assert drain(app) == [] and len(mailbox.messages) == 1

    # Ten minutes after the last email, a save sends the link again (with the new expiry date).
    at(app, now + drafts.RESEND_AFTER)
    response = clerk.post(answers, action="save_draft", url=link)
    assert "继续填写的链接已发到 c***@unit.example.com" in response.text
    assert drain(app) == [{"sent": 1}] and len(mailbox.messages) == 2
    assert LINK.search(mailbox.messages[1].get_body(("plain",)).get_content()).group(0).endswith(link)
    assert len(saved_drafts(session)) == 1


def test_a_corrected_address_gets_the_link_at_once(app, client, clerk, session, mailbox) -> None:
    link = save_and_open_link(
        app, clerk, mailbox, answers_for(unit={"contact_email": "clrek@unit.example.com"})
    )
    answers = answers_on(client, link)
    answers["unit-contact_email"] = [UNIT_EMAIL]
    response = clerk.post(answers, action="save_draft", url=link)
    assert "继续填写的链接已发到 c***@unit.example.com" in response.text
    drain(app)
    assert [m["To"] for m in mailbox.messages] == ["clrek@unit.example.com", UNIT_EMAIL]
    assert len(saved_drafts(session)) == 1


@pytest.mark.backend
def test_submitting_for_real_deletes_the_draft_and_ends_its_link(
    app, client, clerk, session, mailbox
) -> None:
    link = save_and_open_link(app, clerk, mailbox, answers_for())
    answers = answers_on(client, link)
    check = clerk.post(answers, url=link)
    assert check.status_code == 200 and f'<form method="post" action="{link}">' in check.text
    assert len(saved_drafts(session)) == 1  # the check page is no submission yet

    reference = clerk.submit(answers, url=link)
    assert session.scalar(select(Submission.reference)) == reference
    assert saved_drafts(session) == []

    response = client.get(link)
    assert response.status_code == 404
    assert "<h1>草稿链接无效</h1>" in response.text and "草稿可能已经提交" in response.text
    # A second 确认提交 from the old page submits nothing twice, and loses nothing typed.
    response = clerk.post(answers, action="confirm", url=link)
    assert response.status_code == 404 and "这个草稿链接已失效" in response.text
    assert '<form method="post" action="/submit" novalidate>' in response.text
    assert count(session, Submission) == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_expired_link_is_gone_in_chinese(app, client, clerk, mailbox, method, now) -> None:
    link = save_and_open_link(app, clerk, mailbox)
    at(app, now + dt.timedelta(days=30))
    if method == "get":
        response = client.get(link)
        assert response.status_code == 410
        assert "<h1>草稿链接已过期</h1>" in response.text
        assert "在最后一次保存后 30 天内没有再保存或提交" in response.text
    else:  # the answers just typed come back, to be saved again from /submit
        response = clerk.post(UNFINISHED, action="save_draft", url=link)
        assert response.status_code == 410 and "这个草稿链接已失效" in response.text
        assert_kept(response.text, UNFINISHED)


def test_a_draft_page_is_not_cached(app, client, clerk, mailbox) -> None:
    link = save_and_open_link(app, clerk, mailbox)
    assert client.get(link).headers["Cache-Control"] == "no-store"


def test_the_link_goes_to_the_address_not_to_a_name_typed_with_it(app, clerk, session, mailbox) -> None:
    typed = f'"请回复 http://evil.example 领取补贴" <{UNIT_EMAIL}>'
    assert clerk.post(answers_for(unit={"contact_email": typed}), action="save_draft").status_code == 200
    [row] = draft_mail(session)
    assert row.recipient == UNIT_EMAIL
    drain(app)
    assert mailbox.messages[0]["To"] == UNIT_EMAIL


def test_one_address_gets_at_most_the_daily_links(app, clerk, session, mailbox) -> None:
    for _ in range(drafts.DAILY_LINKS + 2):  # a new draft each time, as a script would
        response = clerk.post(UNFINISHED, action="save_draft")
    assert "同一邮箱一天内最多发 5 次链接" in response.text
    assert len(draft_mail(session)) == drafts.DAILY_LINKS
    assert len(saved_drafts(session)) == drafts.DAILY_LINKS + 2


@pytest.mark.parametrize("token", ["x" * 43, "short", "x" * 200])
def test_an_unknown_link_is_a_chinese_404(client, token) -> None:
    response = client.get(f"/submit/draft/{token}")
    assert response.status_code == 404 and "<h1>草稿链接无效</h1>" in response.text


def test_a_stale_csrf_token_on_a_draft_keeps_the_input_and_the_link(app, client, clerk, mailbox) -> None:
    link = save_and_open_link(app, clerk, mailbox)
    data = MultiDict(form_answers(client.get(link).text, link))
    data["csrf_token"] = "stale"
    data["action"] = "save_draft"
    response = client.post(link, data=data)
    assert response.status_code == 400 and "安全校验已过期" in response.text
    assert f'<form method="post" action="{link}" novalidate>' in response.text
    assert_kept(response.text, UNFINISHED)


@pytest.mark.backend
def test_the_daily_purge_removes_only_expired_drafts(app, session, now) -> None:
    """Drafts saved a second either side of DRAFT_DAYS before the purge runs."""
    days = app.config["DRAFT_DAYS"]
    deadline = now - dt.timedelta(days=days)
    saved = {}
    for name, moment in (
        ("old", deadline - dt.timedelta(seconds=1)),
        ("fresh", deadline + dt.timedelta(seconds=1)),
    ):
        link, _ = drafts.save(
            session, None, {"source": "form"}, UNIT_EMAIL, moment, days, "x@jianxi.test", lambda t: t
        )
        saved[name] = link
    with app.app_context():
        assert purge_drafts.call_local() == 1
    [kept] = saved_drafts(session)
    assert kept.id == saved["fresh"].draft.id
    assert drafts.by_token(session, saved["old"].token) is None
    at(app, now + dt.timedelta(seconds=1))
    with app.app_context():
        assert purge_drafts.call_local() == 1
    assert saved_drafts(session) == []


def test_the_drafts_link_is_masked_in_logs(app, clerk, mailbox) -> None:
    link = save_and_open_link(app, clerk, mailbox)
    token = link.rsplit("/", 1)[1]
    for line in (f'"GET {link} HTTP/1.1" 200', f'"POST {link}#positions HTTP/1.1" 422'):
        cleaned = logs.scrub(line)
        assert "/submit/draft/[token]" in cleaned and token not in cleaned


def test_saving_drafts_is_rate_limited_like_submitting(backend, tmp_path: Path, smtp_server) -> None:
    config = app_config(
        backend,
        tmp_path,
        MAIL_URL=smtp_server.url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_POST="3 per minute",
        RATELIMIT_STORAGE_URI="memory://",
    )
    with worker_app(config) as limited:
        clerk = Clerk(limited.test_client())
        page = clerk.post(UNFINISHED, action="save_draft").text
        [link] = re.findall(r'<form method="post" action="(/submit/draft/[^"#]+)"', page)
        statuses = [clerk.post(UNFINISHED, action="save_draft", url=link).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert clerk.client.get(link).status_code == 200
