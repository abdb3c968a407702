"""/submit: host units offer positions by form or by the 岗位征集表 spreadsheet, and correct them.

Like /apply it is stateless between steps: "再加一个岗位", "删除此岗位" and the check page post the
whole form back, so it works without JavaScript and nothing typed is lost. WTForms gives the input
its shape; the Unit and Position models judge it, and their errors are put back beside the field
they belong to.
"""

import datetime as dt
import logging
import re
from io import BytesIO
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from werkzeug.datastructures import MultiDict
from wtforms import Field

from site_builder import spreadsheet
from site_builder.model.messages import chinese_message
from site_builder.model.schema import Position, Unit

from . import submissions
from .catalogue import Offer
from .db import get_session
from .forms import SpreadsheetForm, SubmitForm
from .limits import limiter, post_limit
from .submissions import Draft, Refused

bp = Blueprint("submit", __name__)
logger = logging.getLogger(__name__)

# A unit may send many positions with long descriptions and a spreadsheet: larger limits than the
# app's, for this blueprint only.
LIMITS = {"max_content_length": 2 * 1024 * 1024, "max_form_memory_size": 256 * 1024, "max_form_parts": 2000}
LIST_SEPARATORS = re.compile(r"[\n、，,;；]+")
CHOICE_FIELDS = ("SelectField", "RadioField", "SelectMultipleField")
UNIT_PATHS = {
    ("hr_approval", "status"): "hr_status",
    ("hr_approval", "bureau"): "hr_bureau",
    ("hr_approval", "date"): "hr_date",
    ("hr_approval",): "hr_status",
    ("contact", "name"): "contact_name",
    ("contact", "phone"): "contact_phone",
    ("contact", "email"): "contact_email",
    ("contact",): "contact_name",
}
POSITION_PATHS = {
    ("workplace", "district"): "workplace_district",
    ("workplace", "address"): "workplace_address",
    ("workplace",): "workplace_address",
    ("contact", "name"): "contact_name",
    ("contact", "phone"): "contact_phone",
    ("contact", "email"): "contact_email",
    ("contact",): "contact_name",
    ("published",): "start_date",
}


@bp.record_once
def _limits_first(state) -> None:
    """CSRFProtect reads the form in an app-wide hook, so this blueprint's limits go in before it."""
    state.app.before_request_funcs.setdefault(None, []).insert(0, _raise_limits)


def _raise_limits() -> None:
    if request.blueprint == bp.name:
        for name, value in LIMITS.items():
            setattr(request, name, value)


def today() -> dt.date:
    return current_app.config["CLOCK"]()


def offer() -> Offer:
    return current_app.extensions["jianxi.positions"].get()


def repo() -> Path:
    return Path(current_app.config["POSITIONS_ROOT"])


# --- from the form to the models -----------------------------------------------------------------


def _text(field: Field) -> str:
    return (field.data or "").strip() if isinstance(field.data, str) else ""


def _empty(field: Field) -> bool:
    return field.data in (None, "", []) or (isinstance(field.data, str) and not field.data.strip())


def _short_label(field: Field) -> str:
    return field.label.text.split("（")[0]


def _add_error(field: Field, message: str) -> None:
    if message not in field.errors:
        field.errors = [*field.errors, message]


def _message(field: Field, error: ErrorDetails) -> str:
    """The model's Chinese message; for an empty input, whatever the rule, just "please fill in"."""
    if _empty(field):
        return ("请选择" if field.type in CHOICE_FIELDS else "请填写") + _short_label(field)
    return chinese_message(error)


def _target(form, loc: tuple, paths: dict[tuple, str]) -> Field | None:
    names = tuple(part for part in loc if isinstance(part, str))
    for size in range(len(names), 0, -1):
        if names[:size] in paths:
            return form[paths[names[:size]]]
    if names and names[0] in form._fields:
        return form[names[0]]
    return None


def _unit_data(part) -> dict:
    data = {
        "name": _text(part.name),
        "credit_code": _text(part.credit_code).upper(),
        "category": part.category.data or "",
        "district": part.district.data or "",
        "address": _text(part.address),
        "hr_approval": {
            "status": part.hr_status.data or "",
            "bureau": _text(part.hr_bureau),
            "date": _text(part.hr_date) or None,
        },
        "contact": {
            "name": _text(part.contact_name),
            "phone": _text(part.contact_phone),
            "email": _text(part.contact_email),
        },
    }
    if _text(part.website):
        data["website"] = _text(part.website)
    return data


def _contact(part) -> dict | None:
    given = {
        "name": _text(part.contact_name),
        "phone": _text(part.contact_phone),
        "email": _text(part.contact_email),
    }
    return given if any(given.values()) else None


def _position_data(part, published: dt.date, sample: bool) -> tuple[dict, list[int]]:
    """The Position data of one form entry, and which mentor rows it came from (blank rows skipped)."""
    rows = [i for i, m in enumerate(part.mentors) if _text(m.form.name) or _text(m.form.title)]
    data = {
        "title": _text(part.title),
        "type": part.type.data or "",
        "track": part.track.data or "",
        "mentors": [
            {"name": _text(part.mentors[i].form.name), "title": _text(part.mentors[i].form.title)}
            for i in rows
        ],
        "headcount": _text(part.headcount),
        "duties": _text(part.duties),
        "learning": _text(part.learning),
        "majors": [m.strip() for m in LIST_SEPARATORS.split(part.majors.data or "") if m.strip()],
        "education": part.education.data or "",
        "workplace": {
            "district": part.workplace_district.data or "",
            "address": _text(part.workplace_address),
        },
        "allowance": _text(part.allowance),
        "start_date": _text(part.start_date),
        "end_date": _text(part.end_date),
        "deadline": _text(part.deadline),
        "status": part.status.data or "open",
        "tags": list(part.tags.data or []),
        "published": published,
    }
    if contact := _contact(part):
        data["contact"] = contact
    if sample:
        data["sample"] = True
    return data, rows


def _position_errors(part, error: ValidationError, rows: list[int]) -> None:
    for detail in error.errors(include_url=False):
        loc = detail["loc"]
        if loc and loc[0] == "mentors":
            if len(loc) >= 3 and isinstance(loc[1], int) and loc[1] < len(rows):
                field = part.mentors[rows[loc[1]]].form[str(loc[2])]
                _add_error(field, _message(field, detail))
            else:
                _add_error(part.mentors[0].form.name, "请至少填写一位见习导师")
            continue
        field = _target(part, loc, POSITION_PATHS) or part.title
        _add_error(field, _message(field, detail))


def build_draft(form: SubmitForm, current: Offer, day: dt.date) -> Draft | None:
    """Validate the form's data with the models; put each error beside its field; None if any."""
    ok = True
    unit = None
    try:
        unit = Unit.model_validate(_unit_data(form.unit.form))
    except ValidationError as error:
        ok = False
        for detail in error.errors(include_url=False):
            field = _target(form.unit.form, detail["loc"], UNIT_PATHS) or form.unit.form.name
            _add_error(field, _message(field, detail))
    existing = submissions.existing_unit(current, _text(form.unit.form.credit_code))
    published = submissions.published_positions(current, existing.slug) if existing else {}
    positions: list[tuple[str | None, Position]] = []
    seen: set[str] = set()
    for entry in form.positions:
        part = entry.form
        slug = _text(part.slug)
        old = published.get(slug) if slug not in seen else None
        if old is None:
            slug = ""
            part.slug.data = ""
        seen.add(slug)
        data, rows = _position_data(
            part, old.position.published if old else day, bool(old and old.position.sample)
        )
        try:
            positions.append((slug or None, Position.model_validate(data)))
        except ValidationError as error:
            ok = False
            _position_errors(part, error, rows)
    if not ok or unit is None:
        return None
    if existing is not None and existing.unit.sample:
        unit = unit.model_copy(update={"sample": True})
    unit_slug, is_edit = submissions.folder_for(current, repo(), unit)
    return Draft(unit, positions, unit_slug, is_edit, "xlsx" if form.source.data == "xlsx" else "form")


# --- from the models to the form -----------------------------------------------------------------


def _unit_form_data(unit: Unit) -> dict:
    return {
        "name": unit.name,
        "credit_code": unit.credit_code,
        "category": unit.category,
        "district": unit.district,
        "address": unit.address,
        "website": unit.website or "",
        "hr_status": unit.hr_approval.status,
        "hr_bureau": unit.hr_approval.bureau,
        "hr_date": unit.hr_approval.date.isoformat() if unit.hr_approval.date else "",
        "contact_name": unit.contact.name,
        "contact_phone": unit.contact.phone,
        "contact_email": unit.contact.email,
    }


def _position_form_data(slug: str | None, p: Position) -> dict:
    mentors = [{"name": m.name, "title": m.title} for m in p.mentors]
    mentors += [{"name": "", "title": ""}] * max(0, 2 - len(mentors))
    return {
        "slug": slug or "",
        "title": p.title,
        "type": p.type,
        "track": p.track,
        "headcount": str(p.headcount),
        "mentors": mentors,
        "duties": p.duties,
        "learning": p.learning,
        "majors": "\n".join(p.majors),
        "education": p.education,
        "workplace_district": p.workplace.district,
        "workplace_address": p.workplace.address,
        "allowance": str(p.allowance),
        "start_date": p.start_date.isoformat(),
        "end_date": p.end_date.isoformat(),
        "deadline": p.deadline.isoformat(),
        "status": p.status,
        "tags": list(p.tags),
        "contact_name": p.contact.name if p.contact else "",
        "contact_phone": p.contact.phone if p.contact else "",
        "contact_email": p.contact.email if p.contact else "",
    }


def filled_form(unit: Unit, positions: list[tuple[str | None, Position]], source: str = "form") -> SubmitForm:
    return SubmitForm(
        formdata=None,
        data={
            "source": source,
            "unit": _unit_form_data(unit),
            "positions": [_position_form_data(slug, p) for slug, p in positions],
        },
    )


# --- rendering -----------------------------------------------------------------------------------


def error_list(form: SubmitForm) -> list[tuple[str, str, str]]:
    """Every error on the page as (field id, where, message), in page order, for the summary."""
    found = []
    for field in form.unit.form:
        for message in field.errors:
            found.append((field.id, f"单位信息 · {_short_label(field)}", message))
    for number, entry in enumerate(form.positions, start=1):
        for field in entry.form:
            if field.type == "FieldList":
                for mentor in field:
                    for sub in mentor.form:
                        for message in sub.errors:
                            found.append((sub.id, f"岗位 {number} · {_short_label(sub)}", message))
                continue
            for message in field.errors:
                found.append((field.id, f"岗位 {number} · {_short_label(field)}", message))
    return found


def hidden_pairs(form: SubmitForm) -> list[tuple[str, str]]:
    """The whole form as (name, value) pairs, for the check page to post back."""
    pairs: list[tuple[str, str]] = []

    def walk(field: Field) -> None:
        if field.type == "FormField":
            for sub in field.form:
                walk(sub)
        elif field.type == "FieldList":
            for entry in field:
                walk(entry)
        elif field.type == "SelectMultipleField":
            pairs.extend((field.name, str(value)) for value in field.data or [])
        elif field.type != "CSRFTokenField" and field.name != "nickname":
            value = field._value() if hasattr(field, "_value") else field.data
            pairs.append((field.name, "" if value is None else str(value)))

    for field in form:
        walk(field)
    return pairs


def _render_form(
    form: SubmitForm,
    submission=None,
    notice: str = "",
    upload: SpreadsheetForm | None = None,
    upload_problems: list[str] | None = None,
    status: int = 200,
):
    for entry in form.positions:
        for row, mentor in enumerate(entry.form.mentors, start=1):
            mentor.form.name.label.text = f"导师 {row} 姓名"
            mentor.form.title.label.text = f"导师 {row} 职务或职称"
    return (
        render_template(
            "submit/form.html",
            form=form,
            errors=error_list(form),
            submission=submission,
            action_url=_action_url(submission),
            notice=notice,
            upload=upload or SpreadsheetForm(formdata=None),
            upload_problems=upload_problems or [],
        ),
        status,
    )


def _action_url(submission) -> str:
    if submission is None:
        return url_for("submit.step")
    return url_for("submit.resubmit", token=submission.token)


def _render_check(form: SubmitForm, draft: Draft, submission=None):
    current = offer()
    published = submissions.published_positions(current, draft.unit_slug) if draft.is_edit else {}
    return render_template(
        "submit/check.html",
        form=form,
        draft=draft,
        hidden=hidden_pairs(form),
        published=published,
        submission=submission,
        action_url=_action_url(submission),
    )


def _without_entry(formdata: MultiDict, prefix: str, index: int) -> MultiDict:
    """The posted data without entry `index` of the list `prefix`, later entries moved up one."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-(.*)$", re.S)
    result: MultiDict = MultiDict()
    for key, value in formdata.items(multi=True):
        match = pattern.match(key)
        if match is None:
            result.add(key, value)
            continue
        number = int(match.group(1))
        if number == index:
            continue
        result.add(f"{prefix}-{number - 1 if number > index else number}-{match.group(2)}", value)
    return result


def _staff_url() -> str:
    """The staff detail page's absolute address, with {id} for the submission's id."""
    return url_for("staff.submission", submission_id=0, _external=True).removesuffix("0") + "{id}"


# --- views ---------------------------------------------------------------------------------------


@bp.get("/submit")
def start():
    """The empty form; with ?credit_code=… a unit already in the catalogue gets its published data."""
    code = request.args.get("credit_code", "").strip().upper()[:30]
    if not code:
        return _render_form(SubmitForm(formdata=None))
    current = offer()
    entry = submissions.existing_unit(current, code)
    if entry is None:
        form = SubmitForm(formdata=None, data={"unit": {"credit_code": code}})
        return _render_form(form, notice="岗位目录中没有这个统一社会信用代码的单位，请按新单位填写。")
    published = sorted(submissions.published_positions(current, entry.slug).items())
    form = filled_form(entry.unit, [(slug, e.position) for slug, e in published])
    notice = (
        f"已载入“{entry.unit.name}”在岗位目录中的信息和 {len(published)} 个岗位。"
        "修改后提交，经市项目办审核后更新目录；"
        "从表中删去的岗位不会从目录中撤下，要停止招募请把岗位状态改为“已关闭”或“已招满”。"
    )
    return _render_form(form, notice=notice)


def _handle(submission=None):
    """One post of the form: add or remove a part, go back to edit, check, or confirm."""
    form = SubmitForm()
    if form.nickname.data:
        logger.info("honeypot filled; submission dropped")
        return render_template("submit/done.html", reference=None, resubmitted=False)
    action = request.form.get("action", "review")
    if action == "add_position":
        if len(form.positions) < form.positions.max_entries:
            form.positions.append_entry()
        return _render_form(form, submission)
    if action.startswith("remove_position-") and action.removeprefix("remove_position-").isdigit():
        index = int(action.removeprefix("remove_position-"))
        form = SubmitForm(formdata=_without_entry(request.form, "positions", index))
        return _render_form(form, submission, notice=f"已删除岗位 {index + 1}。")
    if action.startswith("add_mentor-") and action.removeprefix("add_mentor-").isdigit():
        index = int(action.removeprefix("add_mentor-"))
        if index < len(form.positions):
            mentors = form.positions[index].form.mentors
            if len(mentors) < mentors.max_entries:
                mentors.append_entry()
        return _render_form(form, submission)
    if action == "edit":
        return _render_form(form, submission)
    current = offer()
    valid = form.validate()
    draft = build_draft(form, current, today())
    if not valid or draft is None:
        return _render_form(form, submission, status=422)
    if action != "confirm":
        return _render_check(form, draft, submission)
    db = get_session()
    config = current_app.config
    if submission is None:
        record, ids = submissions.record(
            db, draft, config["PROGRAMME_YEAR"], config["MAIL_FROM"], _staff_url()
        )
        reference, resubmitted = record.reference, False
    else:
        try:
            ids = submissions.resubmit(db, submission, draft, config["MAIL_FROM"], _staff_url())
        except Refused:
            return render_template("submit/closed.html", submission=submission), 409
        reference, resubmitted = submission.reference, True
    submissions.enqueue_emails(ids)
    session["submission_reference"] = reference
    session["submission_resubmitted"] = resubmitted
    return redirect(url_for("submit.done"), code=303)


@bp.post("/submit")
@limiter.limit(post_limit)
def step():
    return _handle()


def _open_submission(token: str):
    submission = submissions.by_token(get_session(), token)
    if submission is None:
        abort(404)
    return submission


@bp.get("/submit/<token>")
def reopen(token: str):
    """The link staff's request for changes sends: the same submission, back in the form."""
    submission = _open_submission(token)
    if submission.state != "changes_requested":
        return render_template("submit/closed.html", submission=submission), 409
    form = filled_form(
        submissions.unit_of(submission), submissions.positions_of(submission), submission.source
    )
    return _render_form(form, submission)


@bp.post("/submit/<token>")
@limiter.limit(post_limit)
def resubmit(token: str):
    submission = _open_submission(token)
    if submission.state != "changes_requested":
        return render_template("submit/closed.html", submission=submission), 409
    return _handle(submission)


@bp.post("/submit/xlsx")
@limiter.limit(post_limit)
def upload():
    """A filled-in 岗位征集表: read with the same models, then shown on the check page like the form."""
    upload_form = SpreadsheetForm()
    blank = SubmitForm(formdata=None)
    if not upload_form.validate():
        return _render_form(blank, upload=upload_form, status=422)
    file = upload_form.spreadsheet.data
    name = Path(file.filename or spreadsheet.TEMPLATE_NAME).name
    result = spreadsheet.read_import(file.read(), name, today=today())
    if result.problems or result.unit is None:
        problems = [str(problem) for problem in result.problems] or ["没有读到单位信息"]
        return _render_form(blank, upload=upload_form, upload_problems=problems, status=422)
    current = offer()
    existing = submissions.existing_unit(current, result.unit.credit_code)
    published = submissions.published_positions(current, existing.slug) if existing else {}
    by_title = {e.position.title: slug for slug, e in published.items()}
    positions = []
    for position, position_id in zip(result.positions, result.position_ids, strict=True):
        folder, _, slug = (position_id or "").partition("/")
        if not (existing and folder == existing.slug and slug in published):
            slug = by_title.get(position.title, "")
        positions.append((slug or None, position))
    form = filled_form(result.unit, positions, source="xlsx")
    draft = build_draft(form, current, today())
    if draft is None:
        return _render_form(form, status=422)
    return _render_check(form, draft)


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
        "submit/done.html", reference=reference, resubmitted=session.get("submission_resubmitted", False)
    )


@bp.errorhandler(CSRFError)
def _expired(error: CSRFError):
    """A stale token: the form comes back with everything typed and a fresh token."""
    notice = "页面停留时间过长，安全校验已过期。您填写的内容都还在，请检查后再提交一次。"
    if request.endpoint == "submit.upload":
        return _render_form(SubmitForm(formdata=None), notice=notice + "请重新选择文件上传。", status=400)
    submission = None
    if request.endpoint == "submit.resubmit":
        submission = submissions.by_token(get_session(), (request.view_args or {}).get("token", ""))
    return _render_form(SubmitForm(meta={"csrf": True}), submission, notice=notice, status=400)
