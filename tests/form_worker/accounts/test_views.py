"""The staff area's doors: every /staff URL refuses anonymous visitors, admin pages refuse reviewers,
login is rate-limited, sessions expire; plus accounts, the audit log and failed emails."""

import datetime as dt
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from form_worker import create_app
from form_worker.accounts.auth import SESSION_LIFETIME
from form_worker.accounts.models import Account, AuditEntry
from form_worker.accounts.services import authenticate
from form_worker.applications.models import Application, Evaluation, Placement
from form_worker.core.models import utcnow
from form_worker.feedback import services as feedback
from form_worker.outbox import services as outbox
from form_worker.outbox.models import Outbox
from form_worker.submissions import services as submissions
from tests.conftest import make_project
from tests.form_worker.conftest import (
    OPEN_POSITION,
    PASSWORD,
    StaffClient,
    app_config,
    csrf_token,
    drain,
    worker_app,
)
from tests.helpers.invitations import invitation_link

ADMIN_PATHS = ("/staff/accounts", "/staff/audit")
# Pages of the other parties' accounts: the office's roles are refused them too.
PARTY_PATHS = ("/staff/university", "/staff/unit/", "/staff/district")
# Open without a session: the login page, and the invitation link (its token is the key).
PUBLIC_ENDPOINTS = ("accounts.login", "accounts.welcome", "accounts.hand_over")


def staff_routes() -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every staff URL except the login page itself."""
    probe = create_app({"SECRET_KEY": "probe", "INSTANCE_PATH": "/nonexistent/probe"})
    routes = []
    for rule in probe.url_map.iter_rules():
        if rule.rule.startswith("/staff") and rule.endpoint not in PUBLIC_ENDPOINTS:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((rule.endpoint, method, rule.rule))
    return sorted(routes)


ROUTES = staff_routes()


def real_url(rule: str, ids: dict[str, object]) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(2)
        assert name in ids, f"test_staff.real_ids has no value for <{name}> in {rule}; add one"
        return str(ids[name])

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", fill, rule)


@pytest.fixture
def real_ids(applicant, app, session, accounts, tmp_path: Path) -> dict[str, object]:
    """A real row for every kind of id a staff URL names.

    The submission is already rejected, so no posted action can publish it, and POSITIONS_ROOT is a
    copy: nothing a staff URL does here can touch this repository's positions/.
    """
    app.config["POSITIONS_ROOT"] = str(make_project(tmp_path / "project"))
    applicant.submit()
    drain(app)
    application = session.scalar(select(Application))
    row = failed_email(session, application)
    positions = app.extensions["jianxi.positions"].get()
    entry = positions.by_id[OPEN_POSITION]
    draft = submissions.Draft(
        unit=positions.unit_of(entry),
        positions=[(None, entry.position)],
        unit_slug=entry.unit_slug,
        is_edit=True,
    )
    submission, _ = submissions.record(
        session,
        draft,
        2026,
        app.config["MAIL_FROM"],
        "/staff/submissions/{id}",
        utcnow(),
        app.config["COLLECTION_CLOSES"],
    )
    submission.state = "rejected"
    # A finished internship, so the office's pages of a placement (its work file, its certificate)
    # have one to show.
    application.state = "completed"
    day = dt.date(2026, 7, 1)
    placement = Placement(
        application_id=application.id,
        position_id=OPEN_POSITION,
        mentor="李示例",
        ended=True,
        agreement_date=day,
        start_date=day,
        end_date=dt.date(2026, 9, 30),
        finished_on=dt.date(2026, 9, 30),
        # A typical case, so the office's showcase page of it has one to show.
        typical_case=True,
        case_story="在学术会议筹备中独立完成会务协调（示例）。",
    )
    session.add(placement)
    session.flush()
    session.add(Evaluation(placement_id=placement.id, scores={}, grade="良好", comment="好", author="unit"))
    report = feedback.record(session, entry, feedback.Report("wrong", "示例反馈"), dt.datetime(2026, 11, 27))
    session.commit()
    return {
        "application_id": application.id,
        "outbox_id": row.id,
        "user_id": accounts["reviewer"].id,
        "submission_id": submission.id,
        "scope": "position",
        "slug": OPEN_POSITION.split("/")[0],
        "placement_id": placement.id,
        "feedback_id": report.id,
        "unit": entry.unit_slug,
        # No such rows: an action on them is a 404 for whoever may open the page at all.
        "task_id": 999,
        "entry_id": 999,
        "choice_id": 999,
        "batch_id": 999,
    }


def is_admin_path(url: str) -> bool:
    return url.startswith(ADMIN_PATHS) or "/personal-data" in url


def call(client, method: str, url: str, token: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token})


@pytest.mark.parametrize(("endpoint", "method", "rule"), ROUTES, ids=[f"{m} {r}" for _, m, r in ROUTES])
def test_anonymous_visitors_are_sent_to_login(client, real_ids, endpoint, method, rule) -> None:
    url = real_url(rule, real_ids)
    token = csrf_token(client.get("/staff/login").text)
    response = call(client, method, url, token)
    assert response.status_code == 302, (endpoint, response.status_code)
    assert response.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize(("endpoint", "method", "rule"), ROUTES, ids=[f"{m} {r}" for _, m, r in ROUTES])
def test_reviewers_are_refused_admin_pages_and_admins_are_not(
    staff_client, real_ids, endpoint, method, rule
) -> None:
    url = real_url(rule, real_ids)
    staff_client.login("reviewer")
    as_reviewer = call(staff_client.client, method, url, staff_client.token())
    staff_client.post("/staff/logout")
    staff_client.login("admin")
    as_admin = call(staff_client.client, method, url, staff_client.token())
    if url.startswith(PARTY_PATHS):
        assert (as_reviewer.status_code, as_admin.status_code) == (403, 403), url
        assert "没有权限" in as_reviewer.text
        return
    if is_admin_path(url):
        assert as_reviewer.status_code == 403
        assert "没有权限" in as_reviewer.text
    elif method == "GET":
        assert as_reviewer.status_code == 200, (url, as_reviewer.status_code)
    else:
        assert as_reviewer.status_code not in (403, 500), (url, as_reviewer.status_code)
    if method == "GET":
        assert as_admin.status_code == 200, (url, as_admin.status_code)
    else:
        assert as_admin.status_code not in (403, 500), (url, as_admin.status_code)


def test_every_staff_page_has_a_route_in_this_test() -> None:
    paths = {rule for _, _, rule in ROUTES}
    for expected in ("/staff/", "/staff/applications", "/staff/outbox", "/staff/exports", *ADMIN_PATHS):
        assert expected in paths


def test_login_with_wrong_password_says_so_in_chinese(staff_client: StaffClient) -> None:
    response = staff_client.login("reviewer", "not-the-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.text
    # One plain sentence, not "请修改以下 1 处问题 · 密码：…" (newcomer walk, staff finding 7).
    assert "请修改以下" not in response.text
    assert staff_client.get("/staff/").status_code == 302


def test_unknown_user_gets_the_same_message(staff_client: StaffClient) -> None:
    response = staff_client.login("nobody", PASSWORD)
    assert "用户名或密码不正确" in response.text


def test_login_makes_a_permanent_session_that_expires(app, staff_client: StaffClient) -> None:
    assert app.config["PERMANENT_SESSION_LIFETIME"] == SESSION_LIFETIME
    assert SESSION_LIFETIME <= dt.timedelta(hours=12)
    response = staff_client.login("reviewer")
    assert response.headers["Location"] == "/staff/"
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Expires=" in cookie
    assert staff_client.get("/staff/").status_code == 200


@pytest.mark.parametrize(
    ("asked", "landing"),
    [
        ("/staff/applications?state=checked", "/staff/applications?state=checked"),
        ("//evil.example/", "/staff/"),
        ("/staff//evil.example/", "/staff/"),
        ("/staff\\evil.example", "/staff/"),
        ("https://evil.example/staff", "/staff/"),
        ("/staff/\r\nSet-Cookie: x=1", "/staff/"),
        ("/staff/%0d%0aX: 1", "/staff/"),
        ("/staffing", "/staff/"),
    ],
    ids=[
        "staff-page",
        "other-host",
        "double-slash",
        "backslash",
        "absolute",
        "crlf",
        "encoded-crlf",
        "prefix",
    ],
)
def test_login_returns_to_the_page_asked_for_and_never_elsewhere(
    staff_client: StaffClient, asked: str, landing: str
) -> None:
    token = staff_client.token()
    data = {"username": "reviewer", "password": PASSWORD, "csrf_token": token}
    response = staff_client.client.post("/staff/login", query_string={"next": asked}, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == landing


def test_logout_ends_the_session_and_is_logged(reviewer: StaffClient, session) -> None:
    response = reviewer.post("/staff/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login"
    assert reviewer.get("/staff/").status_code == 302
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "reviewer")).all()
    assert actions == ["login", "logout"]


@pytest.fixture
def limited_app(backend: dict[str, str], tmp_path: Path):
    config = app_config(backend, tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with worker_app(config) as app:
        yield app


def test_login_is_rate_limited_with_a_chinese_page(limited_app) -> None:
    client = StaffClient(limited_app.test_client())
    statuses = [client.login(f"someone-{i}", "guess").status_code for i in range(12)]
    assert statuses[:10] == [200] * 10
    assert statuses[-1] == 429
    page = client.login("someone", "guess-last")
    assert page.status_code == 429
    assert "操作太频繁" in page.text
    assert page.headers["Content-Type"].startswith("text/html")


def test_dashboard_shows_chinese_state_names_linking_to_queues(reviewer: StaffClient, applicant, app) -> None:
    applicant.submit()
    drain(app)
    page = reviewer.get("/staff/").text
    assert "已通过初步核验，等待高校遴选推荐" in page
    assert "/staff/applications?state=checked" in page
    assert "checked：" not in page
    assert 'href="/staff/outbox"' in page


# ---------------------------------------------------------------- accounts


def test_admin_creates_an_account_whose_holder_sets_the_password_from_the_link(
    admin: StaffClient, session, app
) -> None:
    response = admin.post(
        "/staff/accounts",
        {"username": "zhang.san", "name": "张三", "email": "Zhang@Example.com", "role": "reviewer"},
    )
    assert response.status_code == 303
    session.expire_all()
    user = session.scalar(select(Account).where(Account.username == "zhang.san"))
    assert user is not None and user.role == "reviewer" and user.password_hash == ""
    assert authenticate(session, "zhang.san", "") is None  # no password opens it yet
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "account_create"))
    assert (entry.actor, entry.target) == ("admin", "zhang.san")
    [email] = session.scalars(select(Outbox).where(Outbox.key.startswith("invite:")))
    assert email.recipient == "zhang@example.com" and "72 小时" in email.body_text
    assert "a-long-password" not in email.body_text

    holder = StaffClient(app.test_client())
    link = invitation_link(session, "zhang@example.com")
    page = holder.get(link)
    assert page.status_code == 200 and "设置登录密码" in page.text
    token = csrf_token(page.text)
    short = holder.client.post(link, data={"password": "short", "confirm": "short", "csrf_token": token})
    assert short.status_code == 422 and "密码至少 10 位" in short.text
    done = holder.client.post(
        link, data={"password": "a-long-password", "confirm": "a-long-password", "csrf_token": token}
    )
    assert done.status_code == 303 and done.headers["Location"] == "/staff/"
    assert holder.get("/staff/").status_code == 200  # logged in by setting it
    assert holder.get(link).status_code == 410  # single use
    session.expire_all()
    assert authenticate(session, "zhang@example.com", "a-long-password") is not None  # or by email


def test_account_form_errors_are_chinese(admin: StaffClient) -> None:
    response = admin.post("/staff/accounts", {"username": "new.one", "name": "新人", "role": "reviewer"})
    assert response.status_code == 422
    assert "请填写电子邮箱" in response.text
    response = admin.post(
        "/staff/accounts", {"name": "高校老师", "email": "t@example.edu.cn", "role": "university"}
    )
    assert response.status_code == 422
    assert "请选择高校" in response.text
    response = admin.post(
        "/staff/accounts",
        {"username": "reviewer", "name": "重名", "role": "reviewer", "email": "other@example.com"},
    )
    assert response.status_code == 409
    assert "这个用户名已被使用" in response.text


def test_admin_deactivates_an_account_and_its_session_ends(app, accounts, session) -> None:
    other = StaffClient(app.test_client())
    other.login("reviewer")
    assert other.get("/staff/").status_code == 200
    admin = StaffClient(app.test_client())
    admin.login("admin")
    reviewer_id = accounts["reviewer"].id
    assert admin.post(f"/staff/accounts/{reviewer_id}/active", {"active": "0"}).status_code == 303
    assert other.get("/staff/").status_code == 302
    assert other.login("reviewer").status_code == 200  # the form again, not a redirect
    session.expire_all()
    assert session.get(Account, reviewer_id).active is False
    assert (
        session.scalar(select(AuditEntry.target).where(AuditEntry.action == "account_deactivate"))
        == "reviewer"
    )


def test_admin_cannot_deactivate_themselves(admin: StaffClient, accounts, session) -> None:
    admin.post(f"/staff/accounts/{accounts['admin'].id}/active", {"active": "0"})
    session.expire_all()
    assert session.get(Account, accounts["admin"].id).active is True
    assert "不能停用自己" in admin.get("/staff/accounts").text


def test_admin_resets_a_password(admin: StaffClient, accounts, session) -> None:
    response = admin.post(
        f"/staff/accounts/{accounts['reviewer'].id}/password", {"password": "brand-new-secret"}
    )
    assert response.status_code == 303
    session.expire_all()
    assert authenticate(session, "reviewer", "brand-new-secret") is not None
    assert authenticate(session, "reviewer", PASSWORD) is None
    assert (
        session.scalar(select(AuditEntry.target).where(AuditEntry.action == "account_password_reset"))
        == "reviewer"
    )


# ---------------------------------------------------------------- audit log


@pytest.mark.backend
def test_audit_log_filters_by_actor_action_and_date(admin: StaffClient, app) -> None:
    other = StaffClient(app.test_client())
    other.login("reviewer")
    other.post("/staff/logout")

    def rows(query: str) -> int:
        """Entries listed; -1 when the page shows no table at all."""
        return admin.get(f"/staff/audit{query}").text.count("<tr>") - 1

    assert rows("") == 3
    assert rows("?actor=reviewer") == 2
    assert rows("?action=logout") == 1
    assert rows("?actor=admin&action=logout") == -1  # no table at all
    today = dt.datetime.now(dt.UTC).date()
    assert rows(f"?since={today - dt.timedelta(days=1)}") == 3
    assert rows(f"?until={today - dt.timedelta(days=2)}") == -1
    assert "日期应为 2000 至 2099 年间的 YYYY-MM-DD" in admin.get("/staff/audit?since=30-06-2026").text
    # Red-team finding: the far ends of the calendar overflowed Beijing time into a 500.
    for query in ("?until=9999-12-31", "?since=0001-01-01"):
        response = admin.get(f"/staff/audit{query}")
        assert response.status_code == 200 and "日期应为 2000 至 2099 年间" in response.text


def test_audit_log_pages(admin: StaffClient, session) -> None:
    from form_worker.accounts import audit

    for i in range(120):
        audit.record(session, "bulk", "export", f"position:{i}")
    session.commit()
    first = admin.get("/staff/audit?actor=bulk").text
    assert "共 120 条，第 1 / 3 页" in first
    assert "position:119" in first and "position:69" not in first
    third = admin.get("/staff/audit?actor=bulk&page=3").text
    assert "position:0<" in third
    assert 'rel="prev"' in third and 'rel="next"' not in third


# ---------------------------------------------------------------- failed emails


def failed_email(session, application: Application | None = None) -> Outbox:
    row = outbox.add(
        session,
        f"test:{uuid.uuid4().hex}",
        "bounce@example.com",
        "application_state",
        "见习计划 <noreply@jianxi.test>",
        application.id if application else None,
        application=application or Application(name="测试", reference="JX2026-999999"),
        label="测试",
        reason="",
    )
    row.status, row.attempts, row.last_error = "failed", 1, "550 5.1.1 no such user <script>alert(1)</script>"
    session.commit()
    return row


def test_outbox_lists_failed_emails_with_the_error(reviewer: StaffClient, session) -> None:
    row = failed_email(session)
    page = reviewer.get("/staff/outbox").text
    assert "bounce@example.com" in page
    assert "550 5.1.1 no such user &lt;script&gt;" in page
    assert f"/staff/outbox/{row.id}/resend" in page
    assert "重新发送" in page


@pytest.mark.backend
def test_resend_puts_the_email_back_in_the_queue_once_and_is_audited(
    reviewer: StaffClient, session, app
) -> None:
    row = failed_email(session)
    drain(app)
    response = reviewer.post(f"/staff/outbox/{row.id}/resend")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Outbox, row.id).status == "pending"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox_resend"))
    assert (entry.actor, entry.target) == ("reviewer", f"outbox:{row.id}")
    assert row.recipient not in entry.detail  # kept for good: no address in the audit log
    second = reviewer.post(f"/staff/outbox/{row.id}/resend", follow_redirects=True)
    assert "无需再次操作" in second.text
    assert (
        session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "outbox_resend")
        )
        == 1
    )
    assert drain(app) == [{"sent": 1}]
    session.expire_all()
    assert session.get(Outbox, row.id).status == "sent"
    assert "bounce@example.com" not in reviewer.get("/staff/outbox").text
