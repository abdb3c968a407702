"""Login, logout and the dashboard."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from .. import audit
from ..auth import Staff, authenticate, staff_required
from ..db import get_session
from ..forms import LoginForm
from ..limits import limiter
from ..models import Application, Outbox, Submission
from . import bp


def _safe_next(target: str | None) -> str:
    return (
        target
        if target and target.startswith("/staff") and not target.startswith("//")
        else url_for("staff.dashboard")
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        user = authenticate(db, form.username.data.strip(), form.password.data)
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
    db = get_session()
    audit.record(db, current_user.username, "logout")
    db.commit()
    logout_user()
    flash("已退出登录。")
    return redirect(url_for("staff.login"))


@bp.get("/")
@staff_required()
def dashboard():
    db = get_session()
    by_state = dict(db.execute(select(Application.state, func.count()).group_by(Application.state)).all())
    submissions = dict(db.execute(select(Submission.state, func.count()).group_by(Submission.state)).all())
    failed = db.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "failed"))
    flagged = db.scalar(select(func.count()).select_from(Application).where(Application.flag.is_not(None)))
    return render_template(
        "staff/dashboard.html", by_state=by_state, submissions=submissions, failed=failed, flagged=flagged
    )
