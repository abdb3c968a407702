"""The bureau's page, opened from the emailed link without an account: the unit's details and the
answer (confirmed with its document and date, or declined with a reason)."""

from flask import Blueprint, current_app, render_template, request
from flask_wtf.csrf import CSRFError

from ..catalogue.positions import current_positions
from ..core import clock
from ..core.db import get_session
from ..core.throttle import limiter, post_limit
from ..outbox.tasks import queue_emails
from . import confirmations, tasks
from .forms import AnswerForm
from .views import links

bp = Blueprint("bureau", __name__)
# A link that opens no form: unknown or tampered is not found; expired or replaced is gone.
STATUS = {"invalid": 404, "expired": 410, "replaced": 410, "used": 200, "gone": 410}


def _page(token: str, form: AnswerForm | None = None, notice: str = "", status: int = 200):
    db = get_session()
    row, problem = confirmations.from_token(db, token, current_app.config["SECRET_KEY"], clock.now())
    entry = current_positions().catalogue.units.get(row.unit) if row is not None else None
    if row is not None and entry is None:
        problem = "gone"
    if problem or row is None or entry is None:
        return render_template(
            "unit_confirmation.html", problem=confirmations.LINK_PROBLEMS[problem], row=row, u=None
        ), STATUS[problem]
    return render_template(
        "unit_confirmation.html",
        problem="",
        row=row,
        u=entry.unit,
        positions=current_positions().of_unit(row.unit),
        form=form or AnswerForm(formdata=None),
        notice=notice,
    ), status


@bp.get("/unit-confirmation/<token>")
def confirmation_page(token: str):
    return _page(token)


@bp.post("/unit-confirmation/<token>")
@limiter.limit(post_limit)
def answer(token: str):
    db = get_session()
    row, problem = confirmations.from_token(db, token, current_app.config["SECRET_KEY"], clock.now())
    entry = current_positions().catalogue.units.get(row.unit) if row is not None else None
    if problem or row is None or entry is None:
        return _page(token)
    form = AnswerForm()
    if not form.check(clock.today()):
        return _page(token, form, status=422)
    officer = (form.officer.data or "").strip()
    try:
        ids = confirmations.decide(
            db,
            row,
            form.answer(),
            f"邮件链接（第 {row.link_version} 次发送）",
            f"{row.district}人力社保：{officer}"[:50],
            entry.unit,
            links(),
            clock.now(),
            clock.today(),
            version=row.link_version,
        )
    except confirmations.ConfirmationRefused:
        return _page(token)
    db.commit()
    queue_emails([r.id for r in ids])
    if row.outcome == "confirmed":
        tasks.request_publishing()
    return _page(token)


@bp.errorhandler(CSRFError)
def _expired(_error: CSRFError):
    """A page left open too long: the form again, with a fresh token and a word why."""
    token = (request.view_args or {}).get("token", "")
    return _page(token, AnswerForm(), "页面停留时间过长，请再提交一次。", 400)
