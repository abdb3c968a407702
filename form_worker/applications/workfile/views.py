"""The work file's pages: a unit's contacts keep it, one phone-sized form per entry; the office
reads it.

A unit reaches only placements of its own positions with a signed agreement (anything else is a
404, found in the query, never only hidden in a template). Every save goes through the work file's
services, which check the rules and write the audit entry.
"""

import datetime as dt
from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...accounts.auth import office_only, role_required
from ...catalogue.positions import current_positions
from ...core.clock import today
from ...core.db import get_session
from ...core.forms import Form
from .. import scope
from ..models import Application, Attendance, Placement, WorkTask
from ..services import TransitionRefused
from ..states import STATE_LABELS
from ..tasks import queue_application_emails
from . import destinations, ending, forms, logs, plans, rules
from . import services as workfile
from .forms import AllowanceForm, AttendanceForm, CaseForm, EvaluationForm, FinishForm, NoteForm, TaskForm

bp = Blueprint("workfile", __name__)

UNIT = "/staff/unit/placements/<int:placement_id>/file"
# What each entry page is called, for its heading and the overview's links.
TITLES = {
    "attendance": "登记月度考勤",
    "task": "登记见习任务",
    "note": "记录见习表现",
    "allowance": "登记生活费发放",
    "evaluation": "导师评价",
    "finish": "登记见习结束",
    "case": "典型案例",
}


def unit_placement(placement_id: int) -> tuple[Placement, Application]:
    """This unit's placement with a signed agreement, and its application; else 404."""
    db = get_session()
    ids = scope.unit_position_ids(current_positions(), current_user.unit)
    placement = db.scalar(
        select(Placement).where(
            Placement.id == placement_id,
            Placement.position_id.in_(ids),
            Placement.agreement_date.is_not(None),
        )
    )
    if placement is None:
        abort(404)
    application = db.get(Application, placement.application_id)
    assert application is not None  # nosec B101  # a placement's application is never deleted
    return placement, application


def _editable(placement: Placement, application: Application) -> bool:
    """Kept while the internship runs and after it ends; an intern who withdrew after starting
    leaves a file the unit can still complete up to the last day (the claim needs it)."""
    if application.state in rules.KEPT_IN:
        return True
    start, last = placement.start_date, placement.finished_on
    return start is not None and last is not None and last >= start


def _overview(placement: Placement, application: Application, editable: bool):
    positions = current_positions()
    entry = positions.by_id.get(placement.position_id)
    return render_template(
        "staff/workfile/overview.html",
        work=workfile.load(get_session(), placement),
        application=application,
        placement=placement,
        entry=entry,
        unit=positions.unit_of(entry) if entry is not None else None,
        editable=editable and _editable(placement, application),
        can_finish=editable and application.state == "active",
        state_label=STATE_LABELS[application.state],
        criteria=rules.CRITERIA,
        statuses=rules.TASK_STATUSES,
        month_label=rules.month_label,
        titles=TITLES,
        case=CaseForm(formdata=None, obj=placement),
        destination=destinations.label(placement),
        plan=(plan := plans.plan_of(get_session(), placement)),
        milestones=plans.milestones_of(plan),
        log=sorted(logs.entries(get_session(), placement).values(), key=lambda e: e.week, reverse=True),
        report=logs.report_of(get_session(), placement),
        log_states=logs.STATES,
        week_label=logs.week_label,
    )


@bp.get(UNIT)
@role_required("unit")
def overview(placement_id: int):
    return _overview(*unit_placement(placement_id), editable=True)


@bp.get("/staff/work-files/<int:placement_id>")
@office_only
def office_view(placement_id: int):
    """The office reads any work file; it keeps none of them."""
    placement = get_session().scalar(
        select(Placement).where(Placement.id == placement_id, Placement.agreement_date.is_not(None))
    )
    if placement is None:
        abort(404)
    application = get_session().get(Application, placement.application_id)
    assert application is not None  # nosec B101
    return _overview(placement, application, editable=False)


def _entry(
    kind: str,
    placement: Placement,
    application: Application,
    form: Form,
    status: int = 200,
    extra: dict[str, object] | None = None,
):
    return render_template(
        "staff/workfile/entry.html",
        kind=kind,
        title=TITLES[kind],
        form=form,
        placement=placement,
        application=application,
        action=request.path,
        **(extra or {}),
    ), status


def _refused(kind: str, placement: Placement, application: Application, form: Form, error: rules.Refused):
    get_session().rollback()
    return _entry(kind, placement, application, forms.with_errors(form, error), 422)


def save_once(save: Callable[[], object]) -> None:
    """Stage a month's (or the evaluation's) row and flush. Two submits of the same month at once
    both find no row and both insert; the unique key refuses the later one, which is retried as
    the correction it then is."""
    db = get_session()
    try:
        save()
        db.flush()
    except IntegrityError:
        db.rollback()
        save()
        db.flush()


def saved(placement: Placement, message: str):
    get_session().commit()
    flash(message)
    return redirect(url_for("workfile.overview", placement_id=placement.id), code=303)


def read_only(placement: Placement, application: Application):
    """A work file of an application that ended without completing (withdrawn) is read-only."""
    if not _editable(placement, application):
        flash(f"报名状态为“{STATE_LABELS[application.state]}”，工作档案只能查看。")
        return redirect(url_for("workfile.overview", placement_id=placement.id), code=303)
    return None


def parse_month(value: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None


@bp.route(UNIT + "/attendance", methods=["GET", "POST"])
@role_required("unit")
def attendance(placement_id: int):
    placement, application = unit_placement(placement_id)
    if (locked := read_only(placement, application)) is not None:
        return locked
    if request.method == "GET":
        month = parse_month(request.args.get("month")) or rules.first_of(today())
        row = get_session().scalar(
            select(Attendance).where(Attendance.placement_id == placement.id, Attendance.month == month)
        )
        form = AttendanceForm(formdata=None, obj=row, month=month)
        if row is None:
            form.expected.data = form.present.data = None
        return _entry("attendance", placement, application, form)
    form = AttendanceForm()
    if not form.validate():
        return _entry("attendance", placement, application, form, 422)
    month = rules.first_of(form.month.data)
    counts = {
        name: form[name].data for name in ("expected", "present", "personal_leave", "sick_leave", "absent")
    }
    days = workfile.Days(**counts, note=form.note.data or "")
    try:
        save_once(
            lambda: workfile.save_attendance(
                get_session(), placement, month, days, current_user.username, today()
            )
        )
    except rules.Refused as error:
        return _refused("attendance", placement, application, form, error)
    return saved(placement, f"已登记 {rules.month_label(month)}的考勤。")


def _task(placement: Placement, task_id: int | None) -> WorkTask | None:
    if task_id is None:
        return None
    row = get_session().get(WorkTask, task_id)
    if row is None or row.placement_id != placement.id:
        abort(404)
    return row


@bp.route(UNIT + "/tasks/new", methods=["GET", "POST"], defaults={"task_id": None})
@bp.route(UNIT + "/tasks/<int:task_id>", methods=["GET", "POST"])
@role_required("unit")
def task(placement_id: int, task_id: int | None):
    placement, application = unit_placement(placement_id)
    if (locked := read_only(placement, application)) is not None:
        return locked
    row = _task(placement, task_id)
    form = TaskForm(formdata=None, obj=row) if request.method == "GET" else TaskForm()
    form.milestone.choices = plans.milestone_choices(plans.plan_of(get_session(), placement), placement)
    if request.method == "GET":
        if row is None:
            form.start_date.data, form.status.data = today(), "doing"
        return _entry("task", placement, application, form)
    if not form.validate():
        return _entry("task", placement, application, form, 422)
    values = form.task()
    try:
        workfile.save_task(get_session(), placement, values, today(), current_user.username, row)
    except rules.Refused as error:
        return _refused("task", placement, application, form, error)
    return saved(placement, f"已保存任务“{values.title.strip()}”。")


@bp.route(UNIT + "/notes", methods=["GET", "POST"])
@role_required("unit")
def note(placement_id: int):
    placement, application = unit_placement(placement_id)
    if (locked := read_only(placement, application)) is not None:
        return locked
    if request.method == "GET":
        return _entry("note", placement, application, NoteForm(formdata=None, day=today()))
    form = NoteForm()
    if not form.validate():
        return _entry("note", placement, application, form, 422)
    try:
        workfile.add_note(
            get_session(), placement, form.day.data, form.text.data or "", today(), current_user.username
        )
    except rules.Refused as error:
        return _refused("note", placement, application, form, error)
    return saved(placement, "已记录见习表现。")


@bp.route(UNIT + "/allowance", methods=["GET", "POST"])
@role_required("unit")
def allowance(placement_id: int):
    placement, application = unit_placement(placement_id)
    if (locked := read_only(placement, application)) is not None:
        return locked
    if request.method == "GET":
        month = parse_month(request.args.get("month")) or rules.first_of(today())
        paid = workfile.load(get_session(), placement).payments.get(month)
        form = AllowanceForm(formdata=None, obj=paid, month=month)
        if paid is None:
            form.amount.data, form.paid_on.data = placement.allowance, today()
        return _entry("allowance", placement, application, form)
    form = AllowanceForm()
    if not form.validate():
        return _entry("allowance", placement, application, form, 422)
    month = rules.first_of(form.month.data)
    try:
        save_once(
            lambda: workfile.save_allowance(
                get_session(),
                placement,
                month,
                form.amount.data,
                form.paid_on.data,
                today(),
                current_user.username,
            )
        )
    except rules.Refused as error:
        return _refused("allowance", placement, application, form, error)
    return saved(placement, f"已登记 {rules.month_label(month)}的生活费发放。")


@bp.route(UNIT + "/evaluation", methods=["GET", "POST"])
@role_required("unit")
def evaluation(placement_id: int):
    placement, application = unit_placement(placement_id)
    if application.state != "active" and application.state != "agreement_signed":
        flash("见习已结束或未在进行中，导师评价不能再修改。")
        return redirect(url_for("workfile.overview", placement_id=placement.id), code=303)
    if request.method == "GET":
        done = rules.evaluation_of(get_session(), placement)
        form = EvaluationForm(formdata=None)
        if done is not None:
            for name, score in done.scores.items():
                form[name].data = str(score)
            form.grade.data, form.comment.data = done.grade, done.comment
        return _entry("evaluation", placement, application, form)
    form = EvaluationForm()
    if not form.validate():
        return _entry("evaluation", placement, application, form, 422)
    try:
        save_once(
            lambda: ending.save_evaluation(
                get_session(),
                placement,
                form.scores(),
                form.grade.data or "",
                form.comment.data or "",
                current_user.username,
            )
        )
    except rules.Refused as error:
        return _refused("evaluation", placement, application, form, error)
    return saved(placement, "已提交导师评价。见习结束时请登记结束日期。")


@bp.route(UNIT + "/finish", methods=["GET", "POST"])
@role_required("unit")
def finish(placement_id: int):
    placement, application = unit_placement(placement_id)
    if application.state != "active":
        flash(f"报名状态为“{STATE_LABELS[application.state]}”，不能登记见习结束。")
        return redirect(url_for("workfile.overview", placement_id=placement.id), code=303)
    # Tasks not marked done are named before the end is recorded (findings 10), without blocking it.
    unfinished = select(WorkTask).where(WorkTask.placement_id == placement.id, WorkTask.status != "done")
    open_tasks = get_session().scalars(unfinished).all()
    extra: dict[str, object] = {"end_date": placement.end_date, "open_tasks": open_tasks}
    if request.method == "GET":
        form = FinishForm(formdata=None, finished_on=min(today(), placement.end_date or today()))
        form.state.data = application.state
        return _entry("finish", placement, application, form, extra=extra)
    form = FinishForm()
    if not form.validate():
        return _entry("finish", placement, application, form, 422, extra)
    db = get_session()
    try:
        ending.finish(
            db,
            application,
            placement,
            ending.Ending(*form.answers()),
            today(),
            current_user.username,
            current_app.config["MAIL_FROM"],
            current_positions(),
        )
    except rules.Refused as error:
        return _refused("finish", placement, application, form, error)
    except TransitionRefused as error:
        form.finished_on.errors = [*form.finished_on.errors, str(error)]
        return _entry("finish", placement, application, form, 409, extra)
    db.commit()
    queue_application_emails(db, application.id)
    flash(f"已登记 {application.reference} 见习结束。")
    return redirect(url_for("workfile.overview", placement_id=placement.id), code=303)


@bp.post(UNIT + "/case")
@role_required("unit")
def case(placement_id: int):
    placement, application = unit_placement(placement_id)
    if (locked := read_only(placement, application)) is not None:
        return locked
    form = CaseForm()
    if not form.validate():
        return _entry("case", placement, application, form, 422)
    try:
        ending.save_case(
            get_session(),
            placement,
            bool(form.typical_case.data),
            form.case_story.data or "",
            current_user.username,
        )
    except rules.Refused as error:
        return _refused("case", placement, application, form, error)
    return saved(placement, "已保存典型案例。" if form.typical_case.data else "已保存：不作为典型案例。")
