"""The mentor's review, through the unit's account, of the intern's weekly log and end-of-internship
report (logs.py): approve, or return with what to change. The intern writes both on /status."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from ...accounts.auth import role_required
from ...core import clock
from ...core.db import get_session
from ..models import Application, FinalReport, LogEntry, Placement
from . import logs, rules
from .forms import ReviewForm, with_errors
from .views import UNIT, saved, unit_placement

bp = Blueprint("unit_logs", __name__)


def _page(placement: Placement, application: Application, row, form: ReviewForm, status: int = 200):
    return render_template(
        "staff/workfile/review.html",
        placement=placement,
        application=application,
        row=row,
        week=logs.week_label(row.week) if isinstance(row, LogEntry) else "",
        states=logs.STATES,
        form=form,
    ), status


def _review(placement: Placement, application: Application, row: LogEntry | FinalReport, what: str):
    if request.method == "GET":
        return _page(placement, application, row, ReviewForm(formdata=None))
    form = ReviewForm()
    if not form.validate():
        return _page(placement, application, row, form, 422)
    approve = request.form.get("decision") == "approve"
    try:
        logs.review(
            get_session(),
            placement,
            row,
            approve,
            form.comment.data or "",
            current_user.username,
            clock.now(),
        )
    except rules.Refused as refused:
        get_session().rollback()
        return _page(placement, application, row, with_errors(form, refused), 422)
    return saved(placement, f"已{'通过' if approve else '退回'}{what}。")


@bp.route(UNIT + "/log/<int:entry_id>", methods=["GET", "POST"])
@role_required("unit")
def review_week(placement_id: int, entry_id: int):
    placement, application = unit_placement(placement_id)
    row = get_session().get(LogEntry, entry_id)
    if row is None or row.placement_id != placement.id:
        abort(404)
    return _review(placement, application, row, f"{logs.week_label(row.week)}的周志")


@bp.route(UNIT + "/report", methods=["GET", "POST"])
@role_required("unit")
def review_report(placement_id: int):
    placement, application = unit_placement(placement_id)
    row = logs.report_of(get_session(), placement)
    if row is None:
        abort(404)
    return _review(placement, application, row, "见习总结")
