"""The queue of position submissions and one submission's page: preview, diff and the decision.

The rules live in form_worker.submissions; these views validate the staff member's input, call
them, queue the emails after the commit and ask for a rebuild after an approval.
"""

import logging
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from site_builder.model.vocab import DISTRICTS, POSITION_TYPES
from site_builder.model.window import closes_text

from ..accounts.auth import office_only
from ..catalogue.positions import current_positions
from ..core import clock
from ..core.db import get_session
from ..core.paging import PAGE_SIZE, Page, page_number
from ..core.urls import external
from ..outbox.tasks import queue_emails
from ..publishing.checks import PublishError
from ..publishing.lock import PublisherBusy, RepositoryUnavailable
from . import approval, review, services
from .changes import contact_email_moves, unit_changes
from .folders import existing_unit, positions_of, unit_of
from .forms import RejectSubmissionForm, RequestChangesForm
from .models import Submission
from .services import SOURCE_LABELS, STATE_LABELS, Refused
from .tasks import queue_publication

bp = Blueprint("submission_review", __name__, url_prefix="/staff")

logger = logging.getLogger(__name__)
KINDS = {"new": "新单位", "edit": "已有单位修改"}
# New positions sent after the collection window closed (Submission.late_at), or the others.
ARRIVALS = {"late": "逾期", "on_time": "未逾期"}


def _filters() -> dict[str, str]:
    names = ("state", "kind", "arrival", "type", "district", "unit", "q")
    return {name: request.args.get(name, "").strip()[:100] for name in names}


def _matches(submission: Submission, filters: dict[str, str]) -> bool:
    """The filters that look inside the stored unit and positions."""
    unit = submission.unit_data or {}
    if filters["district"] and unit.get("district") != filters["district"]:
        return False
    if filters["unit"] and filters["unit"].lower() not in str(unit.get("name", "")).lower():
        return False
    types = {p.get("type") for p in submission.positions_data or []}
    return not filters["type"] or filters["type"] in types


@bp.get("/submissions")
@office_only
def submissions_queue():
    filters = _filters()
    query = select(Submission).order_by(Submission.updated_at.desc(), Submission.id.desc())
    if filters["state"] in STATE_LABELS:
        query = query.where(Submission.state == filters["state"])
    if filters["kind"] in KINDS:
        query = query.where(Submission.is_edit.is_(filters["kind"] == "edit"))
    if filters["arrival"] in ARRIVALS:
        late = Submission.late_at.is_not(None)
        query = query.where(late if filters["arrival"] == "late" else ~late)
    if filters["q"]:
        query = query.where(Submission.reference.contains(filters["q"].upper(), autoescape=True))
    rows = [s for s in get_session().scalars(query) if _matches(s, filters)]
    number = min(page_number(), max(1, -(-len(rows) // PAGE_SIZE)))
    page = Page(rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE], number, len(rows), PAGE_SIZE)
    return render_template(
        "staff/submissions.html",
        page=page,
        filters=filters,
        submission_states=STATE_LABELS,
        kinds=KINDS,
        arrivals=ARRIVALS,
        types=[(t, t) for t in POSITION_TYPES],
        districts=[(d, d) for d in DISTRICTS],
    )


def _load(submission_id: int) -> Submission:
    item = get_session().get(Submission, submission_id)
    if item is None:
        abort(404)
    return item


def _detail(
    submission: Submission,
    changes: RequestChangesForm | None = None,
    reject: RejectSubmissionForm | None = None,
    error: str = "",
    problems: list[str] | None = None,
    status: int = 200,
):
    config = current_app.config
    repo = Path(config["POSITIONS_ROOT"])
    previews = review.preview(submission, config["CATALOGUE_URL"], config["WORKER_URL"], clock.today())
    diffs = [] if submission.state in ("published", "publishing") else review.diff(submission, repo)
    unit = unit_of(submission)
    catalogue = current_positions()
    published = existing_unit(catalogue, unit.credit_code) if submission.is_edit else None
    # The unit's folder in the catalogue, for its re-keying sheet (none before its first publishing).
    listed = submission.unit_slug if submission.unit_slug in catalogue.catalogue.units else None
    return (
        render_template(
            "staff/submissions_detail.html",
            submission=submission,
            unit=unit,
            catalogue_unit=listed,
            published=published.unit if published else None,
            unit_edits=unit_changes(published.unit, unit) if published else [],
            # A logged-in contact of the unit changing its own contact is no one else's edit.
            contact_moves=contact_email_moves(published.unit if published else None, unit)
            and not submission.submitted_by,
            positions=positions_of(submission),
            previews=previews,
            diffs=diffs,
            submission_states=STATE_LABELS,
            sources=SOURCE_LABELS,
            deadline=closes_text(config["COLLECTION_CLOSES"]),
            changes=changes or RequestChangesForm(formdata=None),
            reject=reject or RejectSubmissionForm(formdata=None),
            error=error,
            problems=problems or [],
        ),
        status,
    )


@bp.get("/submissions/<int:submission_id>")
@office_only
def submission(submission_id: int):
    return _detail(_load(submission_id))


@bp.post("/submissions/<int:submission_id>/approve")
@office_only
def approve_submission(submission_id: int):
    """Check the files at once (a validation problem is shown here), then publish in the background."""
    item = _load(submission_id)
    try:
        approval.approve(
            get_session(),
            item,
            current_user.username,
            current_user.name,
            Path(current_app.config["POSITIONS_ROOT"]),
            clock.now(),
        )
    except Refused as refused:
        return _detail(item, error=str(refused), status=409)
    except PublisherBusy:
        message = "正在发布，请稍候：另一份申报正在写入岗位库，本申报仍待审核。请过几秒钟再点“通过”。"
        return _detail(item, error=message, status=503)
    except RepositoryUnavailable:
        logger.exception("the positions folder was unreadable while checking %s", item.reference)
        message = "读取岗位库时出错，申报仍待审核。请稍后再试；问题持续请联系技术人员。"
        return _detail(item, error=message, status=503)
    except PublishError as failure:
        message = "岗位文件没有通过校验，没有写入任何文件，申报仍待审核。可请单位修改，或联系技术人员。"
        return _detail(item, error=message, problems=failure.problems, status=422)
    queue_publication(item.id)
    flash(f"申报 {item.reference} 已通过，正在写入岗位库并重建岗位目录，本页会自动刷新。")
    return redirect(url_for("submission_review.submission", submission_id=item.id), code=303)


@bp.post("/submissions/<int:submission_id>/retry")
@office_only
def retry_submission(submission_id: int):
    """Publish again after a failure (a git problem fixed, a conflicting file corrected)."""
    item = _load(submission_id)
    try:
        approval.retry(get_session(), item, current_user.username, current_user.name, clock.now())
    except Refused as refused:
        return _detail(item, error=str(refused), status=409)
    queue_publication(item.id)
    flash(f"申报 {item.reference} 正在重新发布，本页会自动刷新。")
    return redirect(url_for("submission_review.submission", submission_id=item.id), code=303)


@bp.post("/submissions/<int:submission_id>/request-changes")
@office_only
def request_submission_changes(submission_id: int):
    db = get_session()
    item = _load(submission_id)
    form = RequestChangesForm()
    if not form.validate():
        return _detail(item, changes=form, status=422)
    try:
        ids = services.request_changes(
            db,
            item,
            current_user.username,
            current_user.name,
            form.message.data.strip(),
            current_app.config["MAIL_FROM"],
            external("submit.reopen", token=item.token),
            clock.now(),
        )
    except Refused as refused:
        return _detail(item, error=str(refused), status=409)
    queue_emails(ids)
    flash(f"已请单位修改申报 {item.reference}，修改意见和修改链接已发往单位联系人的邮箱。")
    return redirect(url_for("submission_review.submission", submission_id=item.id), code=303)


@bp.post("/submissions/<int:submission_id>/reject")
@office_only
def reject_submission(submission_id: int):
    db = get_session()
    item = _load(submission_id)
    form = RejectSubmissionForm()
    if not form.validate():
        return _detail(item, reject=form, status=422)
    try:
        ids = services.reject(
            db,
            item,
            current_user.username,
            current_user.name,
            form.reason.data.strip(),
            current_app.config["MAIL_FROM"],
            clock.now(),
        )
    except Refused as refused:
        return _detail(item, error=str(refused), status=409)
    queue_emails(ids)
    flash(f"申报 {item.reference} 已标记为未通过，原因已发往单位联系人的邮箱。")
    return redirect(url_for("submission_review.submission", submission_id=item.id), code=303)
