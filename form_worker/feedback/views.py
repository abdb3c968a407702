"""The public form each position page of the catalogue links (no login): what is wrong with the
position, and a thank-you page saying what happens next.

Unknown positions (and any not published in the catalogue) get the Chinese 404. Posts are limited
per address like every form (RATELIMIT_POST); a report about to be stored also spends the
address's FEEDBACK_LIMIT and the position's FEEDBACK_POSITION_LIMIT, and past either the reader
gets the Chinese 429 page and nothing is stored.
"""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from site_builder.model.catalogue import PositionEntry

from ..catalogue.positions import current_positions
from ..core import clock
from ..core.db import get_session
from ..core.throttle import limiter, post_limit, spend
from . import services
from .forms import ReportForm

bp = Blueprint("feedback_form", __name__, url_prefix="/feedback")

TOO_MANY = {
    "client": "您提交的反馈次数太多了，请过一段时间再试。情况紧急的，请致电市项目办 023-63002289。",
    "position": "这个岗位今天已收到很多反馈，市项目办会一并核实处理，请不必再次提交。"
    "情况紧急的，请致电市项目办 023-63002289。",
}


def _entry(unit: str, slug: str) -> PositionEntry:
    """The published position of the path, or the Chinese 404."""
    entry = current_positions().by_id.get(f"{unit}/{slug}")
    if entry is None:
        abort(404)
    return entry


def _page(entry: PositionEntry, form: ReportForm, notice: str = "", status: int = 200):
    return render_template(
        "feedback/report.html",
        entry=entry,
        unit=current_positions().unit_of(entry),
        form=form,
        notice=notice,
        days=current_app.config["RETAIN_FEEDBACK_DAYS"],
    ), status


@bp.get("/<unit>/<slug>")
def report_page(unit: str, slug: str):
    return _page(_entry(unit, slug), ReportForm(formdata=None))


@bp.post("/<unit>/<slug>")
@limiter.limit(post_limit)
def report(unit: str, slug: str):
    entry = _entry(unit, slug)
    form = ReportForm()
    if not form.validate():
        return _page(entry, form, status=422)
    config = current_app.config
    if not spend(config["FEEDBACK_LIMIT"], "feedback-client", get_remote_address()):
        abort(429, "client")
    if not spend(config["FEEDBACK_POSITION_LIMIT"], "feedback-position", entry.id):
        abort(429, "position")
    db = get_session()
    answers = services.Report(
        form.problem.data, form.description.data, form.contact.data, bool(form.share_contact.data)
    )
    services.record(db, entry, answers, clock.now())
    db.commit()
    return redirect(url_for("feedback_form.thanks", unit=unit, slug=slug), code=303)


@bp.get("/<unit>/<slug>/thanks")
def thanks(unit: str, slug: str):
    entry = _entry(unit, slug)
    return render_template(
        "feedback/thanks.html",
        entry=entry,
        unit=current_positions().unit_of(entry),
        position_page=services.catalogue_page(current_app.config["CATALOGUE_URL"], entry.id),
    )


@bp.errorhandler(CSRFError)
def _expired(_error: CSRFError):
    """A page left open too long: the form again with what was typed and a fresh token."""
    where = request.view_args or {}
    entry = current_positions().by_id.get(f"{where.get('unit')}/{where.get('slug')}")
    if entry is None:  # no abort here: an error handler's own error would be a 500
        return render_template("error.html", title="页面不存在", message="您访问的页面不存在或已下线。"), 404
    return _page(entry, ReportForm(), "页面停留时间过长，请检查后再提交一次。", 400)


@bp.errorhandler(429)
def _too_many(error: HTTPException):
    message = TOO_MANY.get(str(error.description), "您提交得太频繁了，请稍等一分钟再试。")
    return render_template("error.html", title="操作太频繁", message=message), 429
