"""A university's work list: its own students' applications, waiting for recommendation (待推荐)
first, each one or the selected rows at once recommended or declined with a reason.

Every query goes through scope.of_university; an application of another university is a 404. The
priority-group answers are never shown here (the template has no place for them); a student who
consented sees a neutral 同等条件下优先考虑 mark on their page, each showing audited (priority.py).
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ...accounts.auth import role_required
from ...catalogue.positions import current_positions
from ...core import clock
from ...core.db import get_session
from ...core.forms import row_ids
from ...core.paging import paginate
from .. import priority, scope, services
from ..models import Application
from ..services import TransitionRefused
from ..states import PARTY_MOVES, STATE_LABELS
from ..tasks import queue_application_emails
from .forms import BulkForm

bp = Blueprint("university", __name__, url_prefix="/staff/university")

ACTIONS = {"recommend": "recommended_by_university", "decline": "rejected"}


def _query(state: str, text: str):
    query = (
        select(Application)
        .options(selectinload(Application.choices))
        .where(scope.of_university(current_user.university))
        .order_by(Application.id)
    )
    if state in STATE_LABELS:
        query = query.where(Application.state == state)
    if text:
        query = query.where(
            or_(Application.reference == text.upper(), Application.name.contains(text, autoescape=True))
        )
    return query


def _page(form: BulkForm | None = None, error: str = "", status: int = 200):
    db = get_session()
    state = request.args.get("state", "checked")
    text = request.args.get("q", "").strip()
    return render_template(
        "staff/university/queue.html",
        page=paginate(db, _query(state, text)),
        state=state,
        q=text,
        form=form or BulkForm(formdata=None),
        positions=current_positions(),
        error=error,
    ), status


@bp.get("/")
@role_required("university")
def queue():
    return _page()


@bp.get("/<int:application_id>")
@role_required("university")
def detail(application_id: int):
    db = get_session()
    application = scope.university_application(db, application_id, current_user.university)
    if application is None:
        abort(404)
    mark = bool(priority.marked(db, current_user.username, [application]))
    db.commit()
    return render_template(
        "staff/university/application.html",
        application=application,
        mark=mark,
        positions=current_positions(),
        form=BulkForm(formdata=None, state=application.state),
    )


@bp.post("/act")
@role_required("university")
def act():
    """Recommend or decline the selected applications of this university still waiting."""
    form = BulkForm()
    to_state = ACTIONS.get(form.action.data or "")
    if not form.validate() or to_state is None:
        return _page(form, "请选择要办理的操作", 422)
    ids = row_ids(form.ids.data)
    if not ids:
        return _page(form, "请先勾选要办理的报名", 422)
    if to_state not in PARTY_MOVES["university"]["checked"]:
        abort(403)
    db = get_session()
    try:
        moved = services.bulk_move(
            db,
            ids,
            "checked",
            to_state,
            current_user.username,
            form.reason.data or "",
            current_app.config["MAIL_FROM"],
            where=(scope.of_university(current_user.university),),
            today=clock.today(),
        )
    except TransitionRefused as refusal:
        return _page(
            form, "不予推荐必须填写原因，学生会在邮件中看到" if to_state == "rejected" else str(refusal), 422
        )
    db.commit()
    queue_application_emails(db, *moved)
    skipped = len(set(ids)) - len(moved)
    words = "推荐" if to_state == "recommended_by_university" else "不予推荐"
    message = f"已{words} {len(moved)} 份报名，已通知学生。"
    if skipped:
        message += f"另有 {skipped} 份已不在待推荐状态（可能刚被其他老师办理），未作改动。"
    flash(message)
    back = request.form.get("back", "")
    if len(ids) == 1 and back == "detail":
        return redirect(url_for("university.detail", application_id=ids[0]), code=303)
    return redirect(url_for("university.queue"), code=303)
