"""Signing in: login and logout, changing one's password, and setting it from an invitation's link.

The admin's pages (accounts, the audit log) are in admin_views.py."""

import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..core import clock, throttle
from ..core.db import get_session
from ..core.throttle import limiter
from ..outbox.tasks import queue_emails
from . import audit, handover, invitations
from .auth import EVERYONE, SignedIn, role_required
from .forms import LoginForm, PasswordChangeForm, WelcomeForm
from .models import Account
from .services import (
    authenticate,
    end_sessions,
    log_in,
    login_key,
    set_password,
)

bp = Blueprint("accounts", __name__, url_prefix="/staff")


# A path inside the staff area: printable ASCII, no backslash (browsers read it as "/"), no "//".
SAFE_NEXT = re.compile(r"/staff(?:[/?#][!-\[\]-~]*)?")


def _safe_next(target: str | None, user: SignedIn) -> str:
    """Where to go after login: the staff page asked for, or the user's own work list for anything
    else (another host, a line break that would split the Location header, a malformed path)."""
    if target and SAFE_NEXT.fullmatch(target) and "//" not in target:
        return target
    return url_for(user.landing)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        now = clock.now()
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
            staff = SignedIn(user)
            login_user(staff)
            audit.record(db, user.username, "login")
            db.commit()
            return redirect(_safe_next(request.args.get("next"), staff))
    return render_template("staff/login.html", form=form)


@bp.post("/logout")
@role_required(*EVERYONE)
def logout():
    """Ends every session of the account, so a copy of this session's cookie opens nothing."""
    db = get_session()
    user = db.get(Account, int(current_user.id))
    if user is not None:
        end_sessions(user)
    audit.record(db, current_user.username, "logout")
    db.commit()
    logout_user()
    flash("已退出登录（这个账号在其他设备上的登录也已结束）。")
    return redirect(url_for("accounts.login"))


@bp.route("/password", methods=["GET", "POST"])
@role_required(*EVERYONE)
def password():
    """Change one's own password: every other session of the account ends, this one goes on."""
    db = get_session()
    form = PasswordChangeForm()
    user = db.get(Account, int(current_user.id))
    if user is not None and form.validate_on_submit():
        if authenticate(db, user.username, form.current.data) is None:
            form.current.errors.append("当前密码不正确")
        else:
            set_password(user, form.password.data)
            audit.record(db, user.username, "password_change")
            db.commit()
            staff = SignedIn(user)
            login_user(staff)
            flash("密码已修改；这个账号在其他设备上的登录已结束。")
            return redirect(url_for(staff.landing), code=303)
    return render_template("staff/password.html", form=form), 422 if form.errors else 200


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def welcome(token: str):
    """The invitation link: set the account's first (or a new) password, once, within 72 hours."""
    db = get_session()
    user = invitations.user_for(db, token, current_app.config["SECRET_KEY"])
    if user is None:
        return render_template("staff/welcome.html", form=None), 410
    form = WelcomeForm()
    if form.validate_on_submit():
        set_password(user, form.password.data)
        throttle.clear(db, login_key(user.username))
        audit.record(db, user.username, "password_set")
        db.commit()
        session.permanent = True
        staff = SignedIn(user)
        login_user(staff)
        flash("密码已设置，欢迎使用。以后请用用户名或邮箱和这个密码登录。")
        return redirect(url_for(staff.landing), code=303)
    return render_template("staff/welcome.html", form=form, user=user), 422 if form.errors else 200


@bp.route("/hand-over/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def hand_over(token: str):
    """The link a unit's account holder gets when an approved edit names a new contact: confirm to
    hand the account over (accounts.handover); a used or expired link says so."""
    db = get_session()
    config = current_app.config
    found = handover.read(db, token, config["SECRET_KEY"])
    if found is None:
        return render_template("staff/hand_over.html", user=None), 410
    user, email, name = found
    unit = current_app.extensions["jianxi.positions"].get().catalogue.units.get(user.unit or "")
    place: str = unit.unit.name if unit else (user.unit or "")
    page = {"user": user, "new_email": email, "new_name": name, "place": place}
    if request.method == "GET":
        return render_template("staff/hand_over.html", **page)
    previous = user.username
    secret, worker_url, mail_from = config["SECRET_KEY"], config["WORKER_URL"], config["MAIL_FROM"]
    try:
        row = handover.hand_over(db, user, email, name, secret, worker_url, mail_from, place)
    except handover.HandOverRefused as refused:
        return render_template("staff/hand_over.html", error=str(refused), **page), 409
    audit.record(db, previous, "account_hand_over", previous)
    db.commit()
    queue_emails([row.id])
    return render_template("staff/hand_over.html", done=True, **page)
