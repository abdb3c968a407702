"""Accounts of the universities and units: invitation links (signed, 72 hours, single use), lists
of university accounts uploaded by an admin, and each role's landing page."""

import datetime as dt
import io
import time
from unittest import mock

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from form_worker.accounts import invitations
from form_worker.accounts.models import Account, AuditEntry
from form_worker.accounts.roster import RosterError, read_roster
from form_worker.accounts.services import new_account, office_recipients
from form_worker.core.logs import scrub
from form_worker.core.models import utcnow
from form_worker.outbox.models import Outbox
from form_worker.outbox.tasks import queue_emails
from tests.form_worker.conftest import PASSWORD, StaffClient, csrf_token, drain
from tests.helpers.invitations import invitation_link
from tests.helpers.parties import make_account


def invited(session, email: str = "t@example.edu.cn") -> Account:
    user = new_account(session, "teacher", "王老师", "university", email, university="重庆大学")
    session.commit()
    return user


def test_a_link_expires_after_72_hours(app, session) -> None:
    user = invited(session)
    secret = app.config["SECRET_KEY"]
    issued = time.time()
    with mock.patch("itsdangerous.timed.time.time", return_value=issued):
        value = invitations.token(user, secret)
    later = issued + invitations.LIFETIME.total_seconds() - 60
    with mock.patch("itsdangerous.timed.time.time", return_value=later):
        assert invitations.user_for(session, value, secret) is user
    with mock.patch("itsdangerous.timed.time.time", return_value=issued + 72 * 3600 + 60):
        assert invitations.user_for(session, value, secret) is None
    assert invitations.user_for(session, value + "x", secret) is None
    assert invitations.user_for(session, value, "another-secret") is None


def test_a_resent_link_ends_the_old_one_and_a_deactivated_account_opens_none(admin, app, session) -> None:
    user = invited(session)
    secret = app.config["SECRET_KEY"]
    old = invitations.token(user, secret)
    assert admin.post(f"/staff/accounts/{user.id}/invite").status_code == 303
    session.expire_all()
    assert invitations.user_for(session, old, secret) is None
    new = invitation_link(session, "t@example.edu.cn")
    client = app.test_client()
    assert client.get(new).status_code == 200
    assert client.get(f"/staff/welcome/{old}").status_code == 410
    assert "链接已失效" in client.get(f"/staff/welcome/{old}").text
    assert admin.post(f"/staff/accounts/{user.id}/active", {"active": "0"}).status_code == 303
    assert client.get(new).status_code == 410
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target == "teacher")).all()
    assert "account_invite" in actions


def test_the_token_never_reaches_a_log_line() -> None:
    line = '127.0.0.1 - - "GET /staff/welcome/eyJ1IjoxLCJ2IjoxfQ.aw7ltQ.LCXntV5HPfYawuHL HTTP/1.1" 200'
    assert scrub(line) == '127.0.0.1 - - "GET /staff/welcome/[token] HTTP/1.1" 200'
    assert "WzEsMV0" not in scrub('"POST /offer/WzEsMV0.PBtVVyI1Hd9lHA24rgAs87JrS1A HTTP/1.1" 200')


def test_an_admin_invites_a_unit_contact_bound_to_its_folder(admin, app, session) -> None:
    response = admin.post(
        "/staff/accounts",
        {
            "name": "单位联系人",
            "email": "clerk@unit.example.com",
            "role": "unit",
            "unit": "shili-science-museum",
        },
    )
    assert response.status_code == 303
    user = session.scalar(select(Account).where(Account.role == "unit"))
    assert (user.unit, user.username) == ("shili-science-museum", "clerk")
    email = session.scalar(select(Outbox).where(Outbox.recipient == "clerk@unit.example.com"))
    assert "见习单位" in email.body_text and "示例" in email.body_text  # names the unit
    bad = admin.post(
        "/staff/accounts", {"name": "乱填", "email": "x@e.com", "role": "unit", "unit": "no-such"}
    )
    assert bad.status_code == 422 and "请选择见习单位" in bad.text


@pytest.mark.parametrize(
    ("role", "university", "unit", "landing"),
    [
        ("reviewer", None, None, "/staff/"),
        ("university", "重庆大学", None, "/staff/university/"),
        ("unit", None, "shili-science-museum", "/staff/unit/"),
    ],
)
def test_each_role_lands_on_its_own_work_list(app, session, role, university, unit, landing) -> None:
    make_account(
        app, session, "someone", "某人", PASSWORD, role, "s@example.com", university=university, unit=unit
    )
    client = StaffClient(app.test_client())
    assert client.login("someone").headers["Location"] == landing
    assert client.get(landing).status_code == 200


def xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROSTER = [
    ["高校", "姓名", "电子邮箱"],
    ["重庆大学", "王老师", "Wang@CQU.edu.cn"],
    ["西南大学", "李老师", "li@swu.edu.cn"],
]


def upload(admin: StaffClient, data: bytes, name: str):
    return admin.client.post(
        "/staff/accounts/upload",
        data={"roster": (io.BytesIO(data), name), "csrf_token": admin.token()},
        content_type="multipart/form-data",
    )


def test_an_uploaded_list_creates_university_accounts_once(admin, app, session) -> None:
    response = upload(admin, xlsx(ROSTER), "名单.xlsx")
    assert response.status_code == 303
    users = session.scalars(select(Account).where(Account.role == "university").order_by(Account.id)).all()
    assert [(u.university, u.name, u.email) for u in users] == [
        ("重庆大学", "王老师", "wang@cqu.edu.cn"),
        ("西南大学", "李老师", "li@swu.edu.cn"),
    ]
    assert all(u.password_hash == "" for u in users)
    invites = session.scalars(select(Outbox).where(Outbox.key.startswith("invite:"))).all()
    assert sorted(r.recipient for r in invites) == ["li@swu.edu.cn", "wang@cqu.edu.cn"]
    again = upload(
        admin, "\ufeff高校,姓名,电子邮箱\r\n重庆大学,王老师,wang@cqu.edu.cn\r\n".encode(), "again.csv"
    )
    assert again.status_code == 303
    assert "1 个邮箱已有账号" in admin.get("/staff/accounts").text
    assert len(session.scalars(select(Account).where(Account.role == "university")).all()) == 2


def test_a_list_with_a_bad_row_creates_nobody_and_names_every_problem(admin, session) -> None:
    rows = ROSTER + [
        ["清华大学", "张老师", "z@example.com"],
        ["重庆大学", "", "not-an-email"],
        ["重庆大学", "重复", "li@swu.edu.cn"],
    ]
    response = upload(admin, xlsx(rows), "名单.xlsx")
    assert response.status_code == 422
    for problem in (
        "第 4 行：高校“清华大学”不在高校名单中",
        "第 5 行：姓名必填",
        "第 5 行：电子邮箱“not-an-email”格式不正确",
        "第 6 行：电子邮箱与第 3 行重复",
    ):
        assert problem in response.text
    assert session.scalars(select(Account).where(Account.role == "university")).all() == []
    for data, name, message in (
        (b"not a zip", "x.xlsx", "无法读取"),
        ("高校,姓名\n重庆大学,王\n".encode(), "x.csv", "缺少列“电子邮箱”"),
        ("高校,姓名,邮箱\n".encode("gbk"), "x.csv", "不是 UTF-8 编码"),
    ):
        with pytest.raises(RosterError) as refused:
            read_roster(data, name)
        assert message in "".join(refused.value.problems)


def test_setting_the_password_needs_a_valid_form_and_logs_in(app, session) -> None:
    user = invited(session)
    client = app.test_client()
    path = f"/staff/welcome/{invitations.token(user, app.config['SECRET_KEY'])}"
    token = csrf_token(client.get(path).text)
    mismatch = client.post(
        path, data={"password": "long-enough-1", "confirm": "long-enough-2", "csrf_token": token}
    )
    assert mismatch.status_code == 422 and "两次输入的密码不一致" in mismatch.text
    done = client.post(
        path, data={"password": "long-enough-1", "confirm": "long-enough-1", "csrf_token": token}
    )
    assert done.headers["Location"] == "/staff/university/"
    assert client.get("/staff/university/").status_code == 200
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "password_set"))
    assert entry.actor == "teacher" and utcnow() - entry.at < dt.timedelta(minutes=5)


def test_only_the_office_hears_of_new_submissions_and_failed_builds(app, session) -> None:
    make_account(app, session, "office", "办公室", PASSWORD, "reviewer", "office@jianxi.test")
    make_account(
        app, session, "cqu", "重大", PASSWORD, "university", "cqu@example.edu.cn", university="重庆大学"
    )
    make_account(app, session, "unit", "单位", PASSWORD, "unit", "u@example.com", unit="shili-science-museum")
    assert [u.username for u in office_recipients(session)] == ["office"]


def test_a_list_with_blank_rows_drops_no_one_and_control_characters_are_gone(admin, session) -> None:
    lines = (
        ["高校,姓名,电子邮箱", "重庆大学,王\x00老师,wang@cqu.edu.cn"]
        + [""] * 2500
        + ["西南大学,李老师,li@swu.edu.cn"]
    )
    assert upload(admin, "\n".join(lines).encode(), "list.csv").status_code == 303
    users = session.scalars(select(Account).where(Account.role == "university").order_by(Account.id)).all()
    assert [(u.name, u.email) for u in users] == [("王老师", "wang@cqu.edu.cn"), ("李老师", "li@swu.edu.cn")]


def test_invitations_are_sent_by_the_task_queued_with_them_not_the_sweep(admin, app, session) -> None:
    """Issue 21: the view queued the email's id before the row had one, so only the periodic sweep
    sent it, minutes later, and a resend in between killed the link of the first email."""
    assert (
        admin.post(
            "/staff/accounts",
            {"name": "新老师", "email": "new@cqu.edu.cn", "role": "university", "university": "重庆大学"},
        ).status_code
        == 303
    )
    assert upload(admin, xlsx(ROSTER), "名单.xlsx").status_code == 303
    teacher = session.scalar(select(Account).where(Account.email == "li@swu.edu.cn"))
    assert admin.post(f"/staff/accounts/{teacher.id}/invite").status_code == 303

    drain(app)  # the queued tasks only: no sweep

    session.expire_all()
    mails = session.scalars(select(Outbox).order_by(Outbox.id)).all()
    assert [(m.recipient, m.status) for m in mails] == [
        ("new@cqu.edu.cn", "sent"),
        ("wang@cqu.edu.cn", "sent"),
        ("li@swu.edu.cn", "sent"),
        ("li@swu.edu.cn", "sent"),
    ]


def test_an_email_queued_without_its_id_is_refused() -> None:
    with pytest.raises(ValueError, match="before their rows had ids"):
        queue_emails([1, None])  # type: ignore[list-item]
