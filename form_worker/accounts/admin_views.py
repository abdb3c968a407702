"""The admin's pages: accounts (one by one or from a list, invitations, deactivation, unlocking,
password resets) and the audit log."""

import datetime as dt
import json

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from site_builder.clock import utc_start_of
from site_builder.model.vocab import DISTRICTS

from ..catalogue.positions import current_positions
from ..catalogue.universities import UNIVERSITIES
from ..core import clock, throttle
from ..core.db import get_session
from ..core.paging import paginate
from ..outbox.tasks import queue_emails
from . import audit, invitations
from .audit import ACTIONS
from .auth import SignedIn, role_required
from .forms import AccountForm, PasswordResetForm, RosterForm
from .models import Account, AuditEntry
from .roster import RosterError, read_roster
from .services import (
    DISTRICT_ROLES,
    ROLE_LABELS,
    email_taken,
    end_sessions,
    login_key,
    new_account,
    set_password,
    username_for,
)

bp = Blueprint("account_admin", __name__, url_prefix="/staff")
# The audit log's dates: any day the programme can have logged, so Beijing-time bounds never overflow.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def _bind_choices(form: AccountForm) -> AccountForm:
    form.university.choices = [SelectChoice("", "请选择"), *(SelectChoice(u, u) for u in UNIVERSITIES)]
    units = current_positions().catalogue.units
    form.unit.choices = [
        SelectChoice("", "请选择"),
        *(SelectChoice(slug, f"{entry.unit.name}（{slug}）") for slug, entry in sorted(units.items())),
    ]
    form.district.choices = [SelectChoice("", "请选择"), *(SelectChoice(d, d) for d in DISTRICTS)]
    return form


def _accounts_page(
    session: Session,
    form: AccountForm | None = None,
    roster: RosterForm | None = None,
    problems: list[str] | None = None,
    status: int = 200,
):
    role = request.args.get("role", "")
    query = select(Account).order_by(Account.active.desc(), Account.role, Account.username)
    if role in ROLE_LABELS:
        query = query.where(Account.role == role)
    page = paginate(session, query)
    users = page.items
    locks = throttle.locks(session, [login_key(u.username) for u in users], clock.now())
    units = current_positions().catalogue.units
    return render_template(
        "staff/accounts.html",
        page=page,
        users=users,
        role=role,
        locks={u.id: locks[login_key(u.username)] for u in users if login_key(u.username) in locks},
        form=form or _bind_choices(AccountForm(formdata=None)),
        roster=roster or RosterForm(formdata=None),
        problems=problems or [],
        roles=ROLE_LABELS,
        unit_names={slug: entry.unit.name for slug, entry in units.items()},
    ), status


def _invite(session: Session, user: Account, place: str = "") -> int:
    config = current_app.config
    return invitations.invite(
        session, user, config["SECRET_KEY"], config["WORKER_URL"], config["MAIL_FROM"], place
    ).id


@bp.get("/accounts")
@role_required("admin")
def accounts():
    return _accounts_page(get_session())


@bp.post("/accounts")
@role_required("admin")
def account_create():
    """One account, without a password: its holder gets the one-time link to set one."""
    db = get_session()
    form = _bind_choices(AccountForm())
    if not form.validate():
        return _accounts_page(db, form, status=422)
    email = form.email.data.strip().lower()
    username = (form.username.data or "").strip() or username_for(db, email)
    if db.scalar(select(Account.id).where(Account.username == username)) is not None:
        form.username.errors.append("这个用户名已被使用")
        return _accounts_page(db, form, status=409)
    if email_taken(db, email):
        form.email.errors.append("这个邮箱已有账号（可在列表中重发设置密码的链接）")
        return _accounts_page(db, form, status=409)
    role = form.role.data or "reviewer"
    user = new_account(
        db,
        username,
        form.name.data.strip(),
        role,
        email,
        university=form.university.data if role == "university" else None,
        unit=form.unit.data if role == "unit" else None,
        district=form.district.data if role in DISTRICT_ROLES else None,
    )
    place = next((c.label for c in form.unit.choices or [] if c.value == user.unit), "") if user.unit else ""
    place = place or user.district or ""
    outbox_id = _invite(db, user, place)
    audit.record(
        db,
        current_user.username,
        "account_create",
        username,
        role=role,
        university=user.university,
        unit=user.unit,
        district=user.district,
    )
    db.commit()
    queue_emails([outbox_id])
    flash(f"已新建账号 {username}，设置密码的链接已发往 {email}（72 小时内有效）。")
    return redirect(url_for("account_admin.accounts"), code=303)


@bp.post("/accounts/upload")
@role_required("admin")
def account_upload():
    """University accounts from a list: all rows valid or nothing created; known emails skipped."""
    db = get_session()
    roster = RosterForm()
    upload = roster.roster.data
    if not roster.validate() or upload is None or not upload.filename:
        return _accounts_page(db, roster=roster, problems=["请选择要上传的名单文件"], status=422)
    try:
        people = read_roster(upload.read(), upload.filename)
    except RosterError as error:
        return _accounts_page(db, roster=roster, problems=error.problems, status=422)
    created, skipped, outbox_ids = [], [], []
    for person in people:
        if email_taken(db, person.email):
            skipped.append(person.email)
            continue
        user = new_account(
            db,
            username_for(db, person.email),
            person.name,
            person.role,
            person.email,
            university=person.university or None,
            district=person.district or None,
        )
        outbox_ids.append(_invite(db, user, person.district))
        created.append(user.username)
    audit.record(
        db,
        current_user.username,
        "account_upload",
        upload.filename,
        created=len(created),
        skipped=len(skipped),
    )
    db.commit()
    queue_emails(outbox_ids)
    message = f"已新建 {len(created)} 个账号，设置密码的链接已分别发往各人邮箱。"
    if skipped:
        message += f"另有 {len(skipped)} 个邮箱已有账号，未重复新建。"
    flash(message)
    return redirect(url_for("account_admin.accounts"), code=303)


@bp.post("/accounts/<int:user_id>/invite")
@role_required("admin")
def account_invite(user_id: int):
    """A new one-time link; every earlier link and session of the account ends."""
    db = get_session()
    user = _user(user_id)
    if user is None or not user.email:
        flash("这个账号没有电子邮箱，无法发送设置密码的链接。")
        return redirect(url_for("account_admin.accounts"), code=303)
    end_sessions(user)
    outbox_id = _invite(db, user)
    audit.record(db, current_user.username, "account_invite", user.username)
    db.commit()
    queue_emails([outbox_id])
    flash(f"已向 {user.username} 的邮箱重新发送设置密码的链接，原有链接和登录已失效。")
    return redirect(url_for("account_admin.accounts"), code=303)


def _user(user_id: int) -> Account | None:
    return get_session().get(Account, user_id)


@bp.post("/accounts/<int:user_id>/active")
@role_required("admin")
def account_active(user_id: int):
    db = get_session()
    user = _user(user_id)
    active = request.form.get("active") == "1"
    if user is None:
        flash("没有找到这个账号。")
    elif user.username == current_user.username and not active:
        flash("不能停用自己正在使用的账号。")
    elif user.active != active:
        user.active = active
        end_sessions(user)
        action = "account_activate" if active else "account_deactivate"
        audit.record(db, current_user.username, action, user.username)
        db.commit()
        flash(f"已{'启用' if active else '停用'}账号 {user.username}。")
    return redirect(url_for("account_admin.accounts"), code=303)


@bp.post("/accounts/<int:user_id>/unlock")
@role_required("admin")
def account_unlock(user_id: int):
    db = get_session()
    user = _user(user_id)
    if user is None:
        flash("没有找到这个账号。")
    else:
        throttle.clear(db, login_key(user.username))
        audit.record(db, current_user.username, "account_unlock", user.username)
        db.commit()
        flash(f"已解除 {user.username} 的登录锁定。")
    return redirect(url_for("account_admin.accounts"), code=303)


@bp.post("/accounts/<int:user_id>/password")
@role_required("admin")
def account_password(user_id: int):
    db = get_session()
    user = _user(user_id)
    form = PasswordResetForm()
    if user is None:
        flash("没有找到这个账号。")
    elif not form.validate():
        flash(f"未重置 {user.username} 的密码：{form.password.errors[0]}")
    else:
        set_password(user, form.password.data)
        audit.record(db, current_user.username, "account_password_reset", user.username)
        db.commit()
        if user.username == current_user.username:
            login_user(SignedIn(user))
        flash(f"已重置 {user.username} 的密码，请告知本人；该账号原有的登录已全部结束。")
    return redirect(url_for("account_admin.accounts"), code=303)


def _day(value: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


@bp.get("/audit")
@role_required("admin")
def audit_log():
    db = get_session()
    filters = {name: request.args.get(name, "").strip() for name in ("actor", "action", "since", "until")}
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if filters["actor"]:
        query = query.where(AuditEntry.actor == filters["actor"])
    if filters["action"]:
        query = query.where(AuditEntry.action == filters["action"])
    problems = []
    for name, day in (("since", _day(filters["since"])), ("until", _day(filters["until"]))):
        if filters[name] and day is None:
            problems.append("日期应为 2000 至 2099 年间的 YYYY-MM-DD，如 2026-06-30")
        elif day is not None and name == "since":
            query = query.where(AuditEntry.at >= utc_start_of(day))
        elif day is not None:
            query = query.where(AuditEntry.at < utc_start_of(day + dt.timedelta(days=1)))
    page = paginate(db, query)
    actors = db.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor))
    actions = db.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    return render_template(
        "staff/audit.html",
        page=page,
        details={entry.id: _detail(entry.detail) for entry in page.items},
        filters=filters,
        actor_options=[(a, a) for a in actors],
        action_options=[(a, ACTIONS.get(a, a)) for a in actions],
        action_labels=ACTIONS,
        problems=sorted(set(problems)),
    )


def _detail(text: str) -> dict[str, object]:
    try:
        detail = json.loads(text or "{}")
    except ValueError:
        return {"详情": text}
    return detail if isinstance(detail, dict) else {"详情": text}
