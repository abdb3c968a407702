"""The office's queue of position reports (filter by state and position, newest first), one report
with its two decisions (forward to the unit, close with a note), and a unit's own forwarded reports.

The rules are in services.py; these views check the staff member's input, call them, commit and
queue the emails after the commit.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts.auth import office_only, role_required
from ..applications.selection.offers import Mail, unit_recipients
from ..catalogue.positions import current_positions
from ..core import clock
from ..core.db import get_session
from ..core.paging import paginate
from ..outbox.tasks import queue_emails
from . import services
from .forms import CloseForm, ForwardForm
from .models import STATES, Feedback

bp = Blueprint("feedback", __name__, url_prefix="/staff")
unit_bp = Blueprint("unit_feedback", __name__, url_prefix="/staff/unit")
blueprints = (bp, unit_bp)  # the office's pages and the unit's

FILTERS = {**STATES, "all": "全部"}


def catalogue_page(position_id: str) -> str:
    return services.catalogue_page(current_app.config["CATALOGUE_URL"], position_id)


@bp.get("/feedback")
@office_only
def queue():
    state = request.args.get("state", "new")
    state = state if state in FILTERS else "new"
    position_id = request.args.get("position", "").strip()[:200]
    db = get_session()
    page = paginate(db, services.office_list("" if state == "all" else state, position_id))
    positions = current_positions()
    entry = positions.by_id.get(position_id)
    return render_template(
        "staff/feedback/queue.html",
        page=page,
        state=state,
        filters=FILTERS,
        position_id=position_id,
        entry=entry,
        unit=positions.unit_of(entry) if entry else None,
        catalogue_page=catalogue_page,
        counts=services.counts(db, position_id),
    )


def _load(feedback_id: int) -> Feedback:
    feedback = get_session().get(Feedback, feedback_id)
    if feedback is None:
        abort(404)
    return feedback


def _detail(feedback: Feedback, forward_form=None, close_form=None, error: str = "", status: int = 200):
    positions = current_positions()
    entry = positions.by_id.get(feedback.position_id)
    return render_template(
        "staff/feedback/detail.html",
        feedback=feedback,
        entry=entry,
        unit=positions.unit_of(entry) if entry else None,
        recipients=unit_recipients(get_session(), positions, feedback.position_id),
        catalogue_page=catalogue_page(feedback.position_id),
        forward_form=forward_form or ForwardForm(formdata=None),
        close_form=close_form or CloseForm(formdata=None),
        error=error,
    ), status


@bp.get("/feedback/<int:feedback_id>")
@office_only
def detail(feedback_id: int):
    return _detail(_load(feedback_id))


@bp.post("/feedback/<int:feedback_id>/forward")
@office_only
def forward(feedback_id: int):
    feedback, form = _load(feedback_id), ForwardForm()
    if not form.validate():
        return _detail(feedback, forward_form=form, status=422)
    db, positions = get_session(), current_positions()
    entry = positions.by_id.get(feedback.position_id)
    recipients = unit_recipients(db, positions, feedback.position_id)
    if entry is None or not recipients:
        error = "这个岗位已不在岗位目录中，找不到设岗单位的联系人，无法转交。请写明原因后关闭。"
        return _detail(feedback, forward_form=form, error=error, status=409)
    to = services.Addressees(entry, positions.unit_of(entry), recipients)
    note, mail = (form.note.data or "").strip(), Mail.of(current_app.config)
    ids = services.forward(db, feedback, note, current_user.username, to, mail, clock.now())
    if ids is None:
        db.rollback()
        flash("这条反馈已经转交或关闭，没有再次发送。")
        return redirect(url_for("feedback.detail", feedback_id=feedback_id), code=303)
    db.commit()
    queue_emails(ids)
    flash(f"已转交{to.unit.name}，发出 {len(ids)} 封邮件。")
    return redirect(url_for("feedback.detail", feedback_id=feedback_id), code=303)


@bp.post("/feedback/<int:feedback_id>/close")
@office_only
def close(feedback_id: int):
    feedback, form = _load(feedback_id), CloseForm()
    if not form.validate():
        return _detail(feedback, close_form=form, status=422)
    db = get_session()
    if not services.close(db, feedback, form.note.data.strip(), current_user.username, clock.now()):
        db.rollback()
        flash("这条反馈已经关闭。")
    else:
        db.commit()
        flash("已关闭这条反馈。")
    return redirect(url_for("feedback.detail", feedback_id=feedback_id), code=303)


@unit_bp.get("/feedback")
@role_required("unit")
def unit_feedback():
    """The reports the office forwarded about the unit's own positions (the query's scope)."""
    page = paginate(get_session(), services.unit_list(current_user.unit))
    return render_template("staff/unit/feedback.html", page=page, catalogue_page=catalogue_page)
