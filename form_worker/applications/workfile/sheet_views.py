"""A month's attendance sheet for all of a unit's interns: download it pre-filled, upload it back.

Nothing is saved if any row is wrong; each problem names its row and column.
"""

import datetime as dt
import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from ...accounts import audit
from ...accounts.auth import role_required
from ...catalogue.positions import current_positions
from ...core.db import get_session
from ...core.downloads import XLSX_TYPE
from .. import scope
from ..models import Application, Attendance, Placement
from . import rules
from . import services as workfile
from . import sheet as attendance_sheet
from .forms import AttendanceUploadForm
from .views import parse_month, save_once, today

bp = Blueprint("unit_attendance", __name__)


def _interns(month: dt.date) -> list[attendance_sheet.Intern]:
    """The unit's interns whose internship touches this month, with what is recorded for it."""
    db = get_session()
    positions = current_positions()
    ids = scope.unit_position_ids(positions, current_user.unit)
    rows = db.execute(
        select(Placement, Application.reference, Application.name, Application.state)
        .join(Application, Application.id == Placement.application_id)
        .where(
            Placement.position_id.in_(ids),
            Placement.agreement_date.is_not(None),
            Placement.start_date <= month.replace(day=rules.days_in(month)),
            Application.state.in_(rules.KEPT_IN),
        )
        .order_by(Placement.position_id, Application.reference)
    ).all()
    kept = [(p, ref, name) for p, ref, name, _ in rows if month in rules.months(p)]
    recorded = {
        a.placement_id: a
        for a in db.scalars(
            select(Attendance).where(
                Attendance.month == month, Attendance.placement_id.in_([p.id for p, _, _ in kept])
            )
        )
    }
    titles = {i: positions.by_id[i].position.title for i in ids}
    return [
        attendance_sheet.Intern(
            ref or "", name, titles.get(p.position_id, p.position_id), p, recorded.get(p.id)
        )
        for p, ref, name in kept
    ]


def _sheet_page(
    form: AttendanceUploadForm, month: dt.date, problems: list[str] | None = None, status: int = 200
):
    return render_template(
        "staff/workfile/attendance_sheet.html",
        form=form,
        month=month,
        month_label=rules.month_label,
        interns=_interns(month),
        problems=problems or [],
    ), status


@bp.get("/staff/unit/attendance")
@role_required("unit")
def attendance_sheet_page():
    month = parse_month(request.args.get("month")) or rules.first_of(today())
    return _sheet_page(AttendanceUploadForm(formdata=None, month=month), month)


@bp.get("/staff/unit/attendance/template")
@role_required("unit")
def attendance_template():
    month = parse_month(request.args.get("month")) or rules.first_of(today())
    data = attendance_sheet.template(month, _interns(month))
    name = f"考勤表-{month.strftime('%Y%m')}.xlsx"
    return send_file(io.BytesIO(data), mimetype=XLSX_TYPE, as_attachment=True, download_name=name)


@bp.post("/staff/unit/attendance")
@role_required("unit")
def attendance_upload():
    form = AttendanceUploadForm()
    month = rules.first_of(form.month.data) if form.month.data else rules.first_of(today())
    if not form.validate():
        return _sheet_page(form, month, status=422)
    rows, problems = attendance_sheet.read(form.sheet.data.read(), month, _interns(month), today())
    if problems:
        form.sheet.errors = [f"考勤表有 {len(problems)} 处问题，见页首列表；改正后请重新上传整张表"]
        return _sheet_page(form, month, problems, 422)
    db = get_session()
    save_once(
        lambda: [
            workfile.save_attendance(db, p, month, days, current_user.username, today()) for p, days in rows
        ]
    )
    audit.record(
        db,
        current_user.username,
        "workfile_attendance_upload",
        current_user.unit or "",
        month=month.isoformat(),
        rows=len(rows),
    )
    db.commit()
    flash(f"已登记 {rules.month_label(month)} {len(rows)} 名见习生的考勤。")
    return redirect(url_for("unit_attendance.attendance_sheet_page", month=month.strftime("%Y-%m")), code=303)
