"""The staff area's own pages: login and logout, accounts (admins), and the audit log (admins)."""

import datetime as dt
import json
import re

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from site_builder.clock import utc_start_of

from ..core import throttle
from ..core.db import get_session
from ..core.limits import limiter
from ..core.models import utcnow
from ..core.paging import paginate
from . import audit
from .audit import ACTIONS
from .auth import Staff, staff_required
from .forms import AccountForm, LoginForm, PasswordChangeForm, PasswordResetForm
from .models import AuditEntry, StaffUser
from .services import authenticate, create_staff, end_sessions, log_in, login_key, set_password

bp = Blueprint("accounts", __name__, url_prefix="/staff")

ROLE_LABELS = {"admin": "管理员", "reviewer": "审核员"}


# A path inside the staff area: printable ASCII, no backslash (browsers read it as "/"), no "//".
SAFE_NEXT = re.compile(r"/staff(?:[/?#][!-\[\]-~]*)?")


def _safe_next(target: str | None) -> str:
    """Where to go after login: the staff page asked for, or the dashboard for anything else
    (another host, a line break that would split the Location header, a malformed path)."""
    if target and SAFE_NEXT.fullmatch(target) and "//" not in target:
        return target
    return url_for("staff.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        now = utcnow()
        user, locked = log_in(db, form.username.data.strip(), form.password.data, now)
        db.commit()
        if locked is not None:
            minutes = throttle.minutes_left(locked, now)
            form.password.errors.append(
                f"密码错误次数过多，这个账号已暂时锁定，请 {minutes} 分钟后再试；急用请联系管理员解除锁定"
            )
            return render_template("staff/login.html", form=form), 429
        if user is None:
            form.password.errors.append("用户名或密码不正确")
        else:
            session.permanent = True
            login_user(Staff(user))
            audit.record(db, user.username, "login")
            db.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("staff/login.html", form=form)


@bp.post("/logout")
@staff_required()
def logout():
    """Ends every session of the account, so a copy of this session's cookie opens nothing."""
    db = get_session()
    user = _user(int(current_user.id))
    if user is not None:
        end_sessions(user)
    audit.record(db, current_user.username, "logout")
    db.commit()
    logout_user()
    flash("已退出登录（这个账号在其他设备上的登录也已结束）。")
    return redirect(url_for("accounts.login"))


@bp.route("/password", methods=["GET", "POST"])
@staff_required()
def password():
    """Change one's own password: every other session of the account ends, this one goes on."""
    db = get_session()
    form = PasswordChangeForm()
    user = _user(int(current_user.id))
    if user is not None and form.validate_on_submit():
        if authenticate(db, user.username, form.current.data) is None:
            form.current.errors.append("当前密码不正确")
        else:
            set_password(user, form.password.data)
            audit.record(db, user.username, "password_change")
            db.commit()
            login_user(Staff(user))
            flash("密码已修改；这个账号在其他设备上的登录已结束。")
            return redirect(url_for("staff.dashboard"), code=303)
    return render_template("staff/password.html", form=form), 422 if form.errors else 200


def _accounts_page(session: Session, form: AccountForm | None = None, status: int = 200):
    users = list(session.scalars(select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.username)))
    locks = throttle.locks(session, [login_key(u.username) for u in users], utcnow())
    return render_template(
        "staff/accounts.html",
        users=users,
        locks={u.id: locks[login_key(u.username)] for u in users if login_key(u.username) in locks},
        form=form or AccountForm(),
        roles=ROLE_LABELS,
    ), status


@bp.get("/accounts")
@staff_required(role="admin")
def accounts():
    return _accounts_page(get_session())


@bp.post("/accounts")
@staff_required(role="admin")
def account_create():
    db = get_session()
    form = AccountForm()
    if not form.validate():
        return _accounts_page(db, form, 422)
    username = form.username.data.strip()
    if db.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
        form.username.errors.append("这个用户名已被使用")
        return _accounts_page(db, form, 409)
    # Staged before create_staff, which commits: the account and its audit entry land together.
    audit.record(db, current_user.username, "account_create", username, role=form.role.data)
    create_staff(
        db, username, form.name.data.strip(), form.password.data, form.role.data, form.email.data or ""
    )
    flash(f"已新建账号 {username}，请把初始密码当面或电话告知本人。")
    return redirect(url_for("accounts.accounts"), code=303)


def _user(user_id: int) -> StaffUser | None:
    return get_session().get(StaffUser, user_id)


@bp.post("/accounts/<int:user_id>/active")
@staff_required(role="admin")
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
    return redirect(url_for("accounts.accounts"), code=303)


@bp.post("/accounts/<int:user_id>/unlock")
@staff_required(role="admin")
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
    return redirect(url_for("accounts.accounts"), code=303)


@bp.post("/accounts/<int:user_id>/password")
@staff_required(role="admin")
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
            login_user(Staff(user))
        flash(f"已重置 {user.username} 的密码，请告知本人；该账号原有的登录已全部结束。")
    return redirect(url_for("accounts.accounts"), code=303)


# The audit log's dates: any day the programme can have logged, so Beijing-time bounds never overflow.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def _day(value: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


@bp.get("/audit")
@staff_required(role="admin")
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
