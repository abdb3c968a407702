"""/submit: host units offer positions by form or by the 岗位征集表 spreadsheet, and correct them.

Like /apply it is stateless between steps: "再加一个岗位", "删除此岗位" and the check page post the
whole form back, so it works without JavaScript and nothing typed is lost. WTForms gives the input
its shape; the Unit and Position models judge it, and their errors are put back beside the field
they belong to. "保存草稿，稍后继续" keeps the answers server-side (submissions.drafts); from then
on the form posts to the draft's link, so saving again updates that draft.
"""

import logging
from collections.abc import Callable
from functools import partial
from io import BytesIO
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from site_builder import spreadsheet
from site_builder.clock import local_time
from site_builder.model.window import closes_text

from ..catalogue.positions import current_positions
from ..core import clock
from ..core.clock import today
from ..core.db import get_session
from ..core.logs import masked
from ..core.throttle import limiter, post_limit
from ..core.urls import external
from ..outbox.tasks import queue_emails
from . import drafts, services
from .folders import existing_unit, positions_of, published_positions, unit_of
from .form_pages import office_url, plain, render_check, render_form
from .forms import SpreadsheetForm, SubmitForm
from .mapping import TooMany, build_draft, contact_email, filled_form
from .pages import draft_answers, without_entry
from .services import Draft, Refused

bp = Blueprint("submit", __name__)
logger = logging.getLogger(__name__)

# A unit may send many positions with long descriptions and a spreadsheet: larger limits than the
# app's, for this blueprint only.
LIMITS = {"max_content_length": 2 * 1024 * 1024, "max_form_memory_size": 256 * 1024, "max_form_parts": 2000}


@bp.record_once
def _limits_first(state) -> None:
    """CSRFProtect reads the form in an app-wide hook, so this blueprint's limits go in before it."""
    state.app.before_request_funcs.setdefault(None, []).insert(0, _raise_limits)


def _raise_limits() -> None:
    if request.blueprint == bp.name:
        for name, value in LIMITS.items():
            setattr(request, name, value)


def repo() -> Path:
    return Path(current_app.config["POSITIONS_ROOT"])


# --- views ---------------------------------------------------------------------------------------


@bp.get("/submit")
def start():
    """The empty form; with ?credit_code=… a unit already in the catalogue gets its published data."""
    code = request.args.get("credit_code", "").strip().upper()[:30]
    if not code:
        return render_form(SubmitForm(formdata=None))
    current = current_positions()
    entry = existing_unit(current, code)
    if entry is None:
        form = SubmitForm(formdata=None, data={"unit": {"credit_code": code}})
        return render_form(form, notice="岗位目录中没有这个统一社会信用代码的单位，请按新单位填写。")
    published = sorted(published_positions(current, entry.slug).items())
    try:
        form = filled_form(entry.unit, [(slug, e.position) for slug, e in published])
    except TooMany as too_many:
        form = SubmitForm(formdata=None, data={"unit": {"credit_code": code}})
        return render_form(form, notice=f"无法一次载入贵单位的全部岗位：{too_many}")
    notice = (
        f"已载入“{entry.unit.name}”在岗位目录中的信息和 {len(published)} 个岗位。"
        "修改后提交，经市项目办审核后更新目录；"
        "从表中删去的岗位不会从目录中撤下，要停止招募请把岗位状态改为“已关闭”或“已招满”。"
    )
    return render_form(form, notice=notice)


def _answer_post(submission=None, link: drafts.Link | None = None):
    """One post of the form: add or remove a part, go back to edit, save a draft, check, or confirm.

    `submission`: the one staff sent back for changes; `link`: the saved draft being continued.
    """
    form = SubmitForm()
    if form.nickname.data:
        logger.info("honeypot filled; submission dropped")
        return render_template("submit/done.html", reference=None, resubmitted=False)
    render = partial(render_form, submission=submission, link=link)
    action = request.form.get("action", "review")
    part, _, number = action.partition("-")
    if action in ("add_position", "edit") or (part in ("remove_position", "add_mentor") and number.isdigit()):
        return _rearranged(form, action, render)
    if action == "save_draft" and submission is None:
        return _save_draft(form, link)
    valid = form.validate()
    draft = build_draft(form, current_positions(), today(), repo())
    if not valid or draft is None:
        return render(form, status=422)
    if action != "confirm":
        return render_check(form, draft, submission, link)
    return _confirm(draft, submission, link)


def _rearranged(form: SubmitForm, action: str, render: Callable):
    """The form back with a position or a mentor row added or removed, or as it was (edit)."""
    if action == "add_position":
        if len(form.positions) < form.positions.max_entries:
            form.positions.append_entry()
        return render(form)
    if action.startswith("remove_position-"):
        index = int(action.removeprefix("remove_position-"))
        form = SubmitForm(formdata=without_entry(request.form, "positions", index))
        return render(form, notice=f"已删除岗位 {index + 1}。")
    if action.startswith("add_mentor-"):
        index = int(action.removeprefix("add_mentor-"))
        if index < len(form.positions):
            mentors = form.positions[index].form.mentors
            if len(mentors) < mentors.max_entries:
                mentors.append_entry()
    return render(form)


def _confirm(draft: Draft, submission, link: drafts.Link | None):
    """Record the checked submission (or the sent-back one's new version), then the done page."""
    db = get_session()
    config = current_app.config
    now, closes = clock.now(), config["COLLECTION_CLOSES"]
    if submission is None:
        if link is not None:
            drafts.discard(db, link.draft)  # in the submission's commit
        year, mail_from, account = config["PROGRAMME_YEAR"], config["MAIL_FROM"], _unit_account(draft)
        submission, ids = services.record(db, draft, year, mail_from, office_url(), now, closes, account)
        resubmitted = False
    else:
        try:
            ids = services.resubmit(db, submission, draft, config["MAIL_FROM"], office_url(), now, closes)
        except Refused:
            return render_template("submit/closed.html", submission=submission), 409
        resubmitted = True
    queue_emails(ids)
    session["submission_reference"] = submission.reference
    session["submission_resubmitted"] = resubmitted
    session["submission_late"] = submission.late_at is not None
    return redirect(url_for("submit.done"), code=303)


def _save_draft(form: SubmitForm, link: drafts.Link | None):
    """Keep the answers as they stand (only the contact email must be valid) and email the link;
    the form comes back with them, now posting to the draft's link."""
    email = contact_email(form)
    if email is None:
        return render_form(form, link=link, status=422)
    config = current_app.config
    link, ids = drafts.save(
        get_session(),
        link,
        draft_answers(form),
        email,
        clock.now(),
        config["DRAFT_DAYS"],
        config["MAIL_FROM"],
        lambda token: external("submit.continue_draft", token=token),
    )
    queue_emails(ids)
    if ids:
        notice = (
            f"草稿已保存。继续填写的链接已发到 {masked(email)}，"
            f"在最后一次保存后 {config['DRAFT_DAYS']} 天内有效。"
        )
    else:
        minutes = int(drafts.RESEND_AFTER.total_seconds() // 60)
        notice = (
            f"草稿已保存。这次没有再给 {masked(email)} 发邮件：同一草稿 {minutes} 分钟内、"
            f"同一邮箱一天内最多发 {drafts.DAILY_LINKS} 次链接。已收到的链接继续有效。"
        )
    return render_form(form, link=link, notice=notice)


def _unit_account(draft) -> str | None:
    """The logged-in account of the unit whose published data this edit changes, if any."""
    user = current_user
    if draft.is_edit and user.is_authenticated and user.role == "unit" and user.unit == draft.unit_slug:
        return user.username
    return None


@bp.post("/submit")
@limiter.limit(post_limit)
def step():
    return _answer_post()


def _open_submission(token: str):
    submission = services.by_token(get_session(), token)
    if submission is None:
        abort(404)
    return submission


@bp.get("/submit/<token>")
def reopen(token: str):
    """The link staff's request for changes sends: the same submission, back in the form."""
    submission = _open_submission(token)
    if submission.state != "changes_requested":
        return render_template("submit/closed.html", submission=submission), 409
    form = filled_form(unit_of(submission), positions_of(submission), submission.source)
    return render_form(form, submission)


@bp.post("/submit/<token>")
@limiter.limit(post_limit)
def resubmit(token: str):
    submission = _open_submission(token)
    if submission.state != "changes_requested":
        return render_template("submit/closed.html", submission=submission), 409
    return _answer_post(submission)


def _draft(token: str) -> tuple[drafts.Link | None, int]:
    """The draft of a link still valid, or None with 410 when it expired and 404 when it is unknown
    or used (submitting deletes the draft, and the daily purge an expired one)."""
    saved = drafts.by_token(get_session(), token)
    if saved is None:
        return None, 404
    if drafts.expired(saved, clock.now()):
        return None, 410
    return drafts.Link(saved, token), 200


def _open_draft(token: str) -> drafts.Link:
    """The draft of a link still valid; else its Chinese page (see _draft)."""
    link, status = _draft(token)
    if link is None:
        abort(make_response(render_template("submit/draft_gone.html", expired=status == 410), status))
    return link


@bp.get("/submit/draft/<token>")
def reopen_draft(token: str):
    """The emailed link of a saved draft: the form filled in with the answers kept."""
    link = _open_draft(token)
    form = SubmitForm(formdata=None, data=link.draft.answers)
    notice = (
        f"已载入您于 {local_time(link.draft.updated_at)} 保存的草稿。"
        "填完后点“下一步：核对信息”提交，提交后这个链接即失效；没填完可以再次保存草稿。"
    )
    response = make_response(render_form(form, link=link, notice=notice))
    response.headers["Cache-Control"] = "no-store"  # the contact's details, on a shared computer
    return response


@bp.post("/submit/draft/<token>")
@limiter.limit(post_limit)
def continue_draft(token: str):
    """A post from a draft's page. Once the link is used or expired nothing is saved or submitted
    from it (a second 确认提交 would submit twice), but what was just typed comes back, posting to
    /submit, so none of it is lost."""
    link, status = _draft(token)
    if link is None:
        notice = (
            "这个草稿链接已失效（草稿已经提交，或超过有效期没有再保存），这次没有保存也没有提交。"
            "您刚才填写的内容都在下面，可以重新保存草稿或提交。"
        )
        return render_form(SubmitForm(), notice=notice, status=status)
    response = make_response(_answer_post(link=link))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/submit/xlsx")
@limiter.limit(post_limit)
def upload():
    """A filled-in 岗位征集表: read with the same models, then shown on the check page like the form."""
    upload_form = SpreadsheetForm()
    blank = SubmitForm(formdata=None)
    if not upload_form.validate():
        return render_form(blank, upload=upload_form, status=422)
    file = upload_form.spreadsheet.data
    name = Path(file.filename or spreadsheet.TEMPLATE_NAME).name
    result = spreadsheet.read_import(file.read(), name, today=today())
    if result.problems or result.unit is None:
        problems = [plain(problem) for problem in result.problems] or ["没有读到单位信息"]
        return render_form(blank, upload=upload_form, upload_problems=problems, status=422)
    current = current_positions()
    existing = existing_unit(current, result.unit.credit_code)
    published = published_positions(current, existing.slug) if existing else {}
    by_title = {e.position.title: slug for slug, e in published.items()}
    positions = []
    for position, position_id in zip(result.positions, result.position_ids, strict=True):
        folder, _, slug = (position_id or "").partition("/")
        if not (existing and folder == existing.slug and slug in published):
            slug = by_title.get(position.title, "")
        positions.append((slug or None, position))
    try:
        form = filled_form(result.unit, positions, source="xlsx")
    except TooMany as too_many:
        return render_form(blank, upload=upload_form, upload_problems=[str(too_many)], status=422)
    draft = build_draft(form, current, today(), repo())
    if draft is None:
        return render_form(form, status=422)
    return render_check(form, draft)


@bp.get("/submit/template.xlsx")
def template():
    data = spreadsheet.workbook_bytes(spreadsheet.template_workbook())
    return send_file(
        BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=spreadsheet.TEMPLATE_NAME,
    )


@bp.get("/submit/done")
def done():
    reference = session.get("submission_reference")
    if not reference:
        return redirect(url_for("submit.start"))
    return render_template(
        "submit/done.html",
        reference=reference,
        resubmitted=session.get("submission_resubmitted", False),
        late=session.get("submission_late", False),
        deadline=closes_text(current_app.config["COLLECTION_CLOSES"]),
    )


@bp.errorhandler(CSRFError)
def _expired(error: CSRFError):
    """A stale token: the form comes back with everything typed and a fresh token."""
    notice = "页面停留时间过长，安全校验已过期。您填写的内容都还在，请检查后再提交一次。"
    if request.endpoint == "submit.upload":
        return render_form(SubmitForm(formdata=None), notice=notice + "请重新选择文件上传。", status=400)
    submission, link = None, None
    token = (request.view_args or {}).get("token", "")
    if request.endpoint == "submit.resubmit":
        submission = services.by_token(get_session(), token)
    if request.endpoint == "submit.continue_draft":
        try:
            link = _open_draft(token)
        except HTTPException as gone:
            return gone.get_response()
    return render_form(SubmitForm(meta={"csrf": True}), submission, notice=notice, status=400, link=link)
