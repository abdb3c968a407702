"""Staff review of position submissions against a temporary git repository of positions, with
emails delivered through a real local SMTP server: approve (files, commit, rebuilt site, emails),
request changes and resubmit, reject, the diff of an edit, hostile text, and two staff at once."""

import datetime as dt
import re
import subprocess
import threading
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select, update

from form_worker.accounts.models import Account, AuditEntry
from form_worker.core import db, queue
from form_worker.core.models import utcnow
from form_worker.outbox.models import Outbox
from form_worker.publishing.lock import repo_lock
from form_worker.submissions import publication
from form_worker.submissions.models import Submission, SubmissionEvent
from form_worker.submissions.publication import PUBLISH_TIMEOUT
from form_worker.submissions.tasks import publish_submission
from form_worker.worker import sweep
from site_builder.model.catalogue import load_catalogue
from tests.conftest import git
from tests.form_worker.conftest import (
    csrf_token,
    refuse_git_commit,
)
from tests.helpers.claims import RenewalClock
from tests.helpers.clerks import (
    KNOWN_CODE,
    KNOWN_POSITION,
    KNOWN_UNIT,
    UNIT_EMAIL,
    Clerk,
    answers_for,
    form_answers,
)
from tests.helpers.submission_review import Reviewer, run_tasks, submitted

NEW_FOLDER = "cq-test-society-example-com"


@pytest.fixture
def app(repo_app):
    """The worker on the temporary repository (conftest.py), as `session` and `client` use it."""
    return repo_app


def received(mailbox, recipient: str) -> list[EmailMessage]:
    return [m for m in mailbox.messages if m["To"] == recipient]


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


# --- the whole flow ------------------------------------------------------------------------------


@pytest.mark.backend
def test_a_unit_submits_two_positions_staff_approve_and_the_site_has_both(
    app, client, session, staff, repo: Path, mailbox, tmp_path: Path
) -> None:
    reference = Clerk(client).submit(answers_for(positions=2))
    run_tasks(app)
    assert [m["Subject"] for m in received(mailbox, UNIT_EMAIL)] == [f"岗位申报已收到（{reference}）"]
    assert len(received(mailbox, "li@office.example.com")) == 1
    submission = submitted(session, reference)

    li = Reviewer(app, "li")
    queue_page = li.client.get("/staff/submissions").text
    assert reference in queue_page and "重庆市测试青年科技促进会" in queue_page
    detail = li.page(submission.id)
    assert detail.count('<article class="jx-position">') == 2
    assert "科普活动策划助理 1" in detail and "科普活动策划助理 2" in detail
    assert f"positions/{NEW_FOLDER}/unit.yaml" in detail and "（新文件）" in detail

    before = git(repo, "rev-parse", "HEAD").strip()
    response = li.act(submission.id, "approve")
    assert response.status_code == 303, response.text
    waiting = li.client.get(response.headers["Location"]).text
    assert "已通过" in waiting and 'id="publish-stage"' in waiting and 'http-equiv="refresh"' in waiting
    # The request only checked the files: git is written by the queued task.
    assert submitted(session, reference).state == "publishing"
    assert git(repo, "rev-parse", "HEAD").strip() == before
    run_tasks(app, rebuild=True)
    run_tasks(app, rebuild=True)
    submission = submitted(session, reference)
    assert submission.state == "published" and submission.unit_slug == NEW_FOLDER
    assert submission.commit == git(repo, "rev-parse", "HEAD").strip() != before
    folder = repo / "positions" / NEW_FOLDER
    assert sorted(p.name for p in folder.iterdir()) == ["outreach-1.yaml", "outreach-2.yaml", "unit.yaml"]
    catalogue = load_catalogue(repo)
    assert catalogue.problems == []
    titles = {e.position.title for e in catalogue.positions if e.unit_slug == NEW_FOLDER}
    assert titles == {"科普活动策划助理 1", "科普活动策划助理 2"}
    message = git(repo, "log", "-1", "--format=%B")
    assert reference in message and "李审核" in message
    assert git(repo, "status", "--porcelain").strip() == ""
    events = [(e.from_state, e.to_state, e.actor) for e in submission.events]
    assert events == [
        (None, "submitted", "设岗单位"),
        ("submitted", "publishing", "李审核"),
        ("publishing", "published", "系统"),
    ]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "submission_approved"))
    assert entry.actor == "li" and entry.target == reference
    done = li.page(submission.id)
    assert 'http-equiv="refresh"' not in done and submission.commit in done

    site = tmp_path / "site"
    for slug in ("outreach-1", "outreach-2"):
        page = (site / "positions" / NEW_FOLDER / slug / "index.html").read_text(encoding="utf-8")
        assert "科普活动策划助理" in page
    assert (site / "units" / NEW_FOLDER / "index.html").is_file()

    to_unit = received(mailbox, UNIT_EMAIL)
    assert [m["Subject"] for m in to_unit] == [
        f"岗位申报已收到（{reference}）",
        f"岗位申报已通过审核并发布（{reference}）",
        "设置您在重庆市大学生科技见习计划系统的登录密码",
    ]
    assert f"https://jianxi.example.org/units/{NEW_FOLDER}/" in text_of(to_unit[1])
    # The unit's first approval opens its contact's account, bound to the new folder.
    unit_user = session.scalar(select(Account).where(Account.role == "unit"))
    assert (unit_user.unit, unit_user.email, unit_user.password_hash) == (NEW_FOLDER, UNIT_EMAIL, "")
    assert "/staff/welcome/" in text_of(to_unit[2])


# --- request changes and resubmit ----------------------------------------------------------------


def test_request_changes_then_the_unit_resubmits_through_its_link(
    app, client, session, staff, mailbox
) -> None:
    clerk = Clerk(client)
    reference = clerk.submit(answers_for())
    submission = submitted(session, reference)
    li = Reviewer(app, "li")

    empty = li.act(submission.id, "request-changes", message="  ")
    assert empty.status_code == 422
    assert "请填写需要单位修改的内容" in empty.text
    assert submitted(session, reference).state == "submitted"

    response = li.act(submission.id, "request-changes", message="请把每月生活费提高到 3000 元。")
    assert response.status_code == 303
    submission = submitted(session, reference)
    assert submission.state == "changes_requested" and submission.message == "请把每月生活费提高到 3000 元。"
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "submission_changes_requested"))
    run_tasks(app)
    changes = received(mailbox, UNIT_EMAIL)[-1]
    assert changes["Subject"] == f"岗位申报需要修改（{reference}）"
    body = text_of(changes)
    assert "请把每月生活费提高到 3000 元。" in body
    link = re.search(r"http://127.0.0.1:8000(/submit/[A-Za-z0-9_-]+)", body).group(1)
    assert link == f"/submit/{submission.token}"

    # The link reopens the form with the submission in it and staff's message above.
    page = client.get(link).text
    assert "请把每月生活费提高到 3000 元。" in page and 'value="2800"' in page
    assert 'name="credit_code"' not in page and 'name="spreadsheet"' not in page
    data = form_answers(page, action=link)
    data.setlist("positions-0-allowance", ["3000"])
    data.add("action", "review")
    check = client.post(link, data=data)
    assert check.status_code == 200 and "3000 元" in check.text
    done = clerk.confirm(check.text, url=link)
    assert done.status_code == 303
    assert reference in client.get(done.headers["Location"]).text

    submission = submitted(session, reference)
    assert submission.state == "submitted" and submission.positions_data[0]["allowance"] == 3000
    assert session.query(Submission).count() == 1
    events = session.scalars(select(SubmissionEvent).order_by(SubmissionEvent.id)).all()
    assert [(e.from_state, e.to_state) for e in events] == [
        (None, "submitted"),
        ("submitted", "changes_requested"),
        ("changes_requested", "submitted"),
    ]
    run_tasks(app)
    to_staff = received(mailbox, "wang@office.example.com")
    assert to_staff[-1]["Subject"].startswith("单位已修改岗位申报") and reference in to_staff[-1]["Subject"]
    assert received(mailbox, UNIT_EMAIL)[-1]["Subject"] == f"修改后的岗位申报已收到（{reference}）"

    # The link has done its work.
    assert client.get(link).status_code == 409
    again = clerk.confirm(check.text, url=link)
    assert again.status_code == 409 and "无需修改" in again.text
    assert client.get("/submit/not-a-token").status_code == 404


def test_reject_needs_a_reason_and_tells_the_unit(app, client, session, staff, mailbox) -> None:
    reference = Clerk(client).submit(answers_for())
    submission = submitted(session, reference)
    wang = Reviewer(app, "wang")
    assert wang.act(submission.id, "reject", reason="").status_code == 422
    assert submitted(session, reference).state == "submitted"

    response = wang.act(submission.id, "reject", reason="单位尚未申报就业见习单位认定。")
    assert response.status_code == 303
    submission = submitted(session, reference)
    assert submission.state == "rejected"
    assert (
        submission.events[-1].actor == "王审核"
        and submission.events[-1].reason == "单位尚未申报就业见习单位认定。"
    )
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "submission_rejected"))
    assert entry.actor == "wang" and entry.target == reference
    run_tasks(app)
    rejected = received(mailbox, UNIT_EMAIL)[-1]
    assert rejected["Subject"] == f"岗位申报未通过审核（{reference}）"
    assert "单位尚未申报就业见习单位认定。" in text_of(rejected)

    # Nothing more can happen to it, and the page offers nothing.
    later = wang.act(submission.id, "approve")
    assert later.status_code == 409 and "已被他人处理，当前状态为“未通过”" in later.text
    assert "通过并发布" not in wang.page(submission.id)


def test_a_submission_in_changes_requested_can_be_rejected_but_not_approved(
    app, client, session, staff
) -> None:
    reference = Clerk(client).submit(answers_for())
    submission = submitted(session, reference)
    li = Reviewer(app, "li")
    assert li.act(submission.id, "request-changes", message="请补充导师信息。").status_code == 303
    assert li.act(submission.id, "approve").status_code == 409
    assert li.act(submission.id, "reject", reason="逾期未修改。").status_code == 303
    assert submitted(session, reference).state == "rejected"


# --- the queue -----------------------------------------------------------------------------------


@pytest.mark.backend
def test_queue_filters_by_state_kind_type_district_unit_and_reference(app, client, session, staff) -> None:
    clerk = Clerk(client)
    new = clerk.submit(answers_for())
    edit = clerk.submit(
        answers_for(
            unit={"credit_code": KNOWN_CODE, "name": "编辑测试学会", "district": "渝中区"}, type="学术助理"
        )
    )
    li = Reviewer(app, "li")
    li.act(submitted(session, edit).id, "reject", reason="重复申报。")

    def listed(**filters: str) -> set[str]:
        page = li.client.get("/staff/submissions", query_string=filters).text
        return set(re.findall(r">(DW2026-\d{6}-\w{4})</a>", page)) & {new, edit}

    assert listed() == {new, edit}
    assert listed(state="submitted") == {new}
    assert listed(state="rejected") == {edit}
    assert listed(kind="edit") == {edit}
    assert listed(kind="new") == {new}
    assert listed(type="学术助理") == {edit}
    assert listed(type="科普助理") == {new}
    assert listed(district="渝北区") == {new}
    assert listed(unit="编辑测试") == {edit}
    assert listed(q=new[:13]) == {new}  # the number without its suffix, as read out on the phone
    assert listed(q=edit.lower()) == {edit}


def test_staff_pages_need_a_login(client, session, staff) -> None:
    reference = Clerk(client).submit(answers_for())
    submission = submitted(session, reference)
    for url in ("/staff/submissions", f"/staff/submissions/{submission.id}"):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    token = csrf_token(client.get("/submit").text)
    response = client.post(f"/staff/submissions/{submission.id}/approve", data={"csrf_token": token})
    assert response.status_code == 302
    assert submitted(session, reference).state == "submitted"


# --- edits and their diff ------------------------------------------------------------------------


def test_an_edit_shows_the_diff_and_approving_writes_only_what_changed(
    app, client, session, staff, repo
) -> None:
    page = client.get(f"/submit?credit_code={KNOWN_CODE}").text
    data = form_answers(page)
    index = next(i for i in range(10) if data.get(f"positions-{i}-slug") == KNOWN_POSITION)
    data.setlist(f"positions-{index}-allowance", ["3500"])
    data.add("action", "review")
    check = client.post("/submit", data=data)
    assert check.status_code == 200
    clerk = Clerk(client)
    assert clerk.confirm(check.text).status_code == 303
    submission = session.scalar(select(Submission))
    assert submission.is_edit and submission.unit_slug == KNOWN_UNIT

    li = Reviewer(app, "li")
    detail = li.page(submission.id)
    assert "与已发布版本的差异" in detail
    path = f"positions/{KNOWN_UNIT}/{KNOWN_POSITION}.yaml"
    assert f"<code>{path}</code>" in detail
    assert ">-allowance: 3000</del>" in detail and ">+allowance: 3500</ins>" in detail
    assert f"--- a/{path}" in detail and f"+++ b/{path}" in detail
    # Positions loaded but not changed, and the unchanged unit, are not rewritten.
    assert detail.count("<h3><code>") == 1

    assert li.act(submission.id, "approve").status_code == 303
    run_tasks(app)
    changed = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert changed == [path]
    assert "allowance: 3500" in (repo / path).read_text(encoding="utf-8")
    assert load_catalogue(repo).problems == []


def test_an_anonymous_edit_moving_the_contact_email_does_not_hand_over_the_unit_account(
    app, client, session, staff, repo, mailbox
) -> None:
    """Issue 21 (outside attack): approving an edit sent from outside that named a new contact
    email gave that address the unit's account. The account goes to the contact on record; the new
    contact is told who keeps it."""
    published = "society-office@example.com"  # positions/shili-youth-scitech-society/unit.yaml
    reference = Clerk(client).submit(answers_for(unit={"credit_code": KNOWN_CODE}))  # contact: UNIT_EMAIL
    submission = session.scalar(select(Submission).where(Submission.reference == reference))
    assert submission.is_edit and submission.submitted_by is None
    assert Reviewer(app, "li").act(submission.id, "approve").status_code == 303
    run_tasks(app)

    [account] = session.scalars(select(Account).where(Account.role == "unit", Account.unit == KNOWN_UNIT))
    assert account.email == published
    approved = next(m for m in received(mailbox, UNIT_EMAIL) if "已通过" in m["Subject"])
    assert "账号仍由原联系人（s***@example.com）使用" in text_of(approved)
    invited = [m for m in received(mailbox, published) if "登录密码" in m["Subject"]]
    assert invited and not [m for m in received(mailbox, UNIT_EMAIL) if "登录密码" in m["Subject"]]

    # The holder confirms, and only then the account moves: sessions and links of it end.
    [offer] = [m for m in received(mailbox, published) if "转交" in m["Subject"]]
    link = re.search(r"(/staff/hand-over/\S+)", text_of(offer)).group(1)
    holder = app.test_client()
    page = holder.get(link)
    assert page.status_code == 200 and UNIT_EMAIL in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    done = holder.post(link, data={"csrf_token": token})
    assert done.status_code == 200 and 'id="handed-over"' in done.text
    run_tasks(app)
    session.expire_all()
    account = session.get(Account, account.id)
    assert (account.email, account.password_hash) == (UNIT_EMAIL, "")
    assert [m for m in received(mailbox, UNIT_EMAIL) if "登录密码" in m["Subject"]]
    again = app.test_client().get(link)
    assert again.status_code == 410 and 'id="hand-over-gone"' in again.text
    assert app.test_client().post(link[:-3] + "abc", data={"csrf_token": token}).status_code in (400, 410)


def test_publish_problems_are_shown_and_nothing_changes(app, client, session, staff, repo) -> None:
    """A broken file reached the unit's folder by pull request: the validator refuses, staff see why."""
    reference = Clerk(client).submit(answers_for(unit={"credit_code": KNOWN_CODE}))
    submission = submitted(session, reference)
    broken = repo / "positions" / KNOWN_UNIT / "broken-by-pull-request.yaml"
    broken.write_text("title: 只有标题\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "A broken position by pull request")
    head = git(repo, "rev-parse", "HEAD")

    response = Reviewer(app, "li").act(submission.id, "approve")
    assert response.status_code == 422
    assert "岗位文件没有通过校验，没有写入任何文件" in response.text
    problems = re.search(r'<ul id="publish-problems">(.*?)</ul>', response.text, re.S).group(1)
    assert "broken-by-pull-request.yaml" in problems and "缺少必填项" in problems
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain").strip() == ""
    assert submitted(session, reference).state == "submitted"
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "submission_approved")) is None


def test_the_approve_request_checks_in_memory_without_git_or_a_file(
    app, client, session, staff, repo, monkeypatch
) -> None:
    """The dry run reads the working copy and validates in memory: no git command, no staging copy."""
    reference = Clerk(client).submit(answers_for())
    submission = submitted(session, reference)
    reviewer = Reviewer(app, "li")

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"the approve request ran a command: {args}")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    monkeypatch.setattr(subprocess, "Popen", no_subprocess)
    response = reviewer.act(submission.id, "approve")
    monkeypatch.undo()
    assert response.status_code == 303, response.text
    assert submitted(session, reference).state == "publishing"
    assert not list((repo / ".git").glob("jianxi-stage-*"))
    assert git(repo, "status", "--porcelain").strip() == ""


def test_a_busy_publisher_answers_at_once_and_the_approval_waits_for_a_retry(
    app, client, session, staff, repo
) -> None:
    """While a publication holds the repository, approving says so at once instead of waiting."""
    reference = Clerk(client).submit(answers_for())
    submission = submitted(session, reference)
    reviewer = Reviewer(app, "li")
    with repo_lock(repo):
        response = reviewer.act(submission.id, "approve")
    assert response.status_code == 503
    assert "正在发布，请稍候" in response.text
    assert submitted(session, reference).state == "submitted"
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "submission_approved")) is None
    assert reviewer.act(submission.id, "approve").status_code == 303
    assert submitted(session, reference).state == "publishing"


# --- hostile text --------------------------------------------------------------------------------


HOSTILE_NAME = "<script>alert('unit')</script>测试单位"
HOSTILE_TITLE = "=cmd|' /C calc'!A0"
HOSTILE_DUTIES = "<img src=x onerror=alert(1)> 负责[链接](javascript:alert(2))的日常事务和活动组织。"


def test_hostile_text_stays_inert_on_staff_pages_and_in_emails(app, client, session, staff, mailbox) -> None:
    answers = answers_for(unit={"name": HOSTILE_NAME}, title=HOSTILE_TITLE, duties=HOSTILE_DUTIES)
    reference = Clerk(client).submit(answers)
    submission = submitted(session, reference)
    li = Reviewer(app, "li")
    pages = [li.client.get("/staff/submissions").text, li.page(submission.id)]
    li.act(submission.id, "request-changes", message='<b>请修改</b> =HYPERLINK("http://x")')
    pages.append(li.page(submission.id))
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>请修改" not in page
        assert 'href="javascript:' not in page
        assert "&lt;script&gt;alert(&#39;unit&#39;)&lt;/script&gt;测试单位" in page
    assert "=cmd|&#39; /C calc&#39;!A0" in pages[1]  # shown as the text it is, in the preview too
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[1]

    run_tasks(app)
    messages = received(mailbox, UNIT_EMAIL) + received(mailbox, "li@office.example.com")
    assert len(messages) == 3
    for message in messages:
        body = html_of(message)
        assert "<script>" not in body and "<img src=x" not in body and "<b>请修改" not in body
        assert "\n" not in message["Subject"]
    assert "&lt;script&gt;" in html_of(received(mailbox, UNIT_EMAIL)[0])
    assert HOSTILE_NAME in text_of(received(mailbox, UNIT_EMAIL)[0])  # plain text is only ever text
    rows = session.scalars(select(Outbox)).all()
    assert all("<script>" not in row.body_html for row in rows)


# --- two staff at once ---------------------------------------------------------------------------


@pytest.mark.backend
def test_two_staff_approving_at_once_publish_once(app, client, session, staff, repo, mailbox) -> None:
    reference = Clerk(client).submit(answers_for())
    submission = submitted(session, reference)
    reviewers = [Reviewer(app, "li"), Reviewer(app, "wang")]
    tokens = [csrf_token(r.page(submission.id)) for r in reviewers]
    start = threading.Barrier(2)
    responses: list = [None, None]

    def approve(number: int) -> None:
        start.wait()
        responses[number] = reviewers[number].client.post(
            f"/staff/submissions/{submission.id}/approve", data={"csrf_token": tokens[number]}
        )

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(r.status_code for r in responses)
    assert codes == [303, 409], [r.text for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert f"申报 {reference} 已被他人处理" in loser.text and "本次操作没有执行" in loser.text
    run_tasks(app)
    assert int(git(repo, "rev-list", "--count", "HEAD")) == 2
    submission = submitted(session, reference)
    assert submission.state == "published"
    assert [e.to_state for e in submission.events] == ["submitted", "publishing", "published"]
    assert (
        len(session.scalars(select(AuditEntry).where(AuditEntry.action == "submission_approved")).all()) == 1
    )
    run_tasks(app)
    approved = [m for m in received(mailbox, UNIT_EMAIL) if "已通过" in m["Subject"]]
    assert len(approved) == 1


@pytest.mark.backend
def test_two_staff_answering_at_once_one_request_for_changes_wins(app, client, session, staff) -> None:
    """A stale page cannot act: the second decision finds the state already moved."""
    reference = Clerk(client).submit(answers_for())
    submission = submitted(session, reference)
    li, wang = Reviewer(app, "li"), Reviewer(app, "wang")
    li_token = csrf_token(li.page(submission.id))
    wang_token = csrf_token(wang.page(submission.id))
    first = li.client.post(
        f"/staff/submissions/{submission.id}/request-changes",
        data={"csrf_token": li_token, "message": "改 A"},
    )
    second = wang.client.post(
        f"/staff/submissions/{submission.id}/reject", data={"csrf_token": wang_token, "reason": "不行"}
    )
    assert first.status_code == 303
    # Reject is allowed from changes_requested, so the second decision applies to the new state.
    assert second.status_code == 303
    third = li.client.post(
        f"/staff/submissions/{submission.id}/request-changes",
        data={"csrf_token": li_token, "message": "改 B"},
    )
    assert third.status_code == 409 and "已被他人处理，当前状态为“未通过”" in third.text
    assert submitted(session, reference).message == "不行"


@pytest.mark.backend
def test_a_publication_lost_before_its_commit_is_queued_again_by_the_sweep(
    app, client, session, staff, repo, mailbox
) -> None:
    """A consumer that died before the task ran leaves the row "publishing"; a second approval is
    refused, and after PUBLISH_TIMEOUT the sweep queues the publication again, which commits once."""
    reference = Clerk(client).submit(answers_for())
    submission = submitted(session, reference)
    li = Reviewer(app, "li")
    assert li.act(submission.id, "approve").status_code == 303
    queue.huey.flush()  # the task is lost with its consumer
    assert li.act(submission.id, "approve").status_code == 409
    before = int(git(repo, "rev-list", "--count", "HEAD"))

    with app.app_context():
        sweep.call_local()  # too early: the task may still be waiting in the queue
    assert [t for t in run_tasks(app) if t == "published"] == []
    long_ago = utcnow() - PUBLISH_TIMEOUT - dt.timedelta(minutes=1)
    session.execute(update(Submission).where(Submission.id == submission.id).values(updated_at=long_ago))
    session.commit()
    with app.app_context():
        sweep.call_local()
    assert "published" in run_tasks(app)
    assert submitted(session, reference).state == "published"
    assert int(git(repo, "rev-list", "--count", "HEAD")) == before + 1
    assert reference in git(repo, "log", "-1", "--format=%B")


@pytest.mark.backend
def test_a_lost_publication_is_queued_again_within_a_minute_not_ten(
    app, client, session, staff, repo
) -> None:
    """A worker killed while publishing left the row "发布中" for ten minutes; now its claim goes
    stale after PUBLISH_TIMEOUT, under a minute, and the next sweep queues it again."""
    reference = Clerk(client).submit(answers_for())
    submission = submitted(session, reference)
    assert Reviewer(app, "li").act(submission.id, "approve").status_code == 303
    queue.huey.flush()  # lost with its consumer
    fifty_seconds_ago = utcnow() - dt.timedelta(seconds=50)
    session.execute(
        update(Submission).where(Submission.id == submission.id).values(updated_at=fifty_seconds_ago)
    )
    session.commit()
    with app.app_context():
        sweep.call_local()
    assert "published" in run_tasks(app)


@pytest.mark.backend
def test_a_slow_publication_keeps_its_claim_while_its_worker_lives(
    app, client, session, staff, repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live task renews its claim, so the sweep does not queue a second run beside it."""
    reference = Clerk(client).submit(answers_for())
    submission = submitted(session, reference)
    assert Reviewer(app, "li").act(submission.id, "approve").status_code == 303
    queue.huey.flush()
    timeout = dt.timedelta(seconds=0.5)
    clock = RenewalClock(utcnow)
    real_write = publication.write_submission
    slow = threading.Event()

    def slow_write(*args, **kwargs):
        slow.wait(10)  # a large commit: until the test has looked, longer than twice the timeout
        return real_write(*args, **kwargs)

    monkeypatch.setattr(publication, "write_submission", slow_write)
    results: list[str] = []

    def publish() -> None:
        with db.sessions(app)() as own:
            config = app.config
            results.append(
                publication.publish(
                    own,
                    submission.id,
                    repo,
                    config["MAIL_FROM"],
                    config["CATALOGUE_URL"],
                    utcnow(),
                    timeout=timeout,
                    clock=clock,
                ).status
            )

    worker = threading.Thread(target=publish)
    worker.start()
    assert clock.renewed.wait(10), "the claim was not renewed"
    with db.sessions(app)() as other:
        lost = publication.stuck(other, utcnow(), timeout)
    slow.set()
    worker.join()
    assert lost == [] and results == ["published"]


@pytest.mark.backend
def test_an_index_lock_left_by_a_killed_git_commit_does_not_block_publishing(
    app, client, session, staff, repo
) -> None:
    (repo / ".git" / "index.lock").write_text("")  # what `git commit` leaves when killed
    reference = Clerk(client).submit(answers_for())
    submission = submitted(session, reference)
    assert Reviewer(app, "li").act(submission.id, "approve").status_code == 303
    assert "published" in run_tasks(app)
    assert not (repo / ".git" / "index.lock").exists()


@pytest.mark.backend
def test_a_consumer_killed_after_the_commit_records_it_without_writing_twice(
    app, client, session, staff, repo, mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commit reached git but the worker died before recording it: the next run finds the
    commit, records it, and sends the unit one email."""
    reference = Clerk(client).submit(answers_for())
    run_tasks(app)
    submission = submitted(session, reference)
    li = Reviewer(app, "li")
    assert li.act(submission.id, "approve").status_code == 303
    real_finish = publication._finish

    def dies(*args: object, **kwargs: object) -> bool:
        raise KeyboardInterrupt("consumer killed")

    monkeypatch.setattr(publication, "_finish", dies)
    with pytest.raises(KeyboardInterrupt), app.app_context():
        task = queue.huey.dequeue()
        publish_submission.call_local(*task.args)
    commits = int(git(repo, "rev-list", "--count", "HEAD"))
    assert submitted(session, reference).state == "publishing"
    monkeypatch.setattr(publication, "_finish", real_finish)

    with app.app_context():
        assert publish_submission.call_local(submission.id) == "published"
        assert publish_submission.call_local(submission.id) == "skipped"
    run_tasks(app)
    submission = submitted(session, reference)
    assert submission.state == "published" and submission.commit == git(repo, "rev-parse", "HEAD").strip()
    assert int(git(repo, "rev-list", "--count", "HEAD")) == commits
    assert len([m for m in received(mailbox, UNIT_EMAIL) if "已通过" in m["Subject"]]) == 1


@pytest.mark.backend
def test_a_failed_publication_is_shown_with_its_reason_and_can_be_tried_again(
    app, client, session, staff, repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = Clerk(client).submit(answers_for())
    run_tasks(app)
    submission = submitted(session, reference)
    li = Reviewer(app, "li")
    refuse_git_commit(monkeypatch, "git commit failed (128): unable to write index")
    before = git(repo, "rev-parse", "HEAD").strip()
    assert li.act(submission.id, "approve").status_code == 303
    run_tasks(app)
    failed = submitted(session, reference)
    assert failed.state == "publish_failed" and "unable to write index" in failed.publish_error
    assert git(repo, "rev-parse", "HEAD").strip() == before and git(repo, "status", "--porcelain") == ""
    page = li.page(submission.id)
    assert 'id="publish-failed"' in page and "unable to write index" in page and "重新发布" in page
    assert 'http-equiv="refresh"' not in page
    dashboard = li.client.get("/staff/").text
    assert re.search(r'id="publish-failed-count">1<', dashboard)

    monkeypatch.undo()
    assert li.act(submission.id, "retry").status_code == 303
    assert li.act(submission.id, "retry").status_code == 409  # already publishing again
    run_tasks(app)
    published = submitted(session, reference)
    assert published.state == "published" and published.publish_error == ""
    assert published.commit == git(repo, "rev-parse", "HEAD").strip() != before
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("submission_publish_retry") == 1
