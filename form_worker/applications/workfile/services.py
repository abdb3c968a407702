"""The work file (工作档案) a unit keeps per intern: attendance by month, tasks, the mentor's notes,
the allowance paid; the evaluation, the internship's end and the typical case are in ending.py.

The notice asks the unit for it; the subsidy claim (就业见习补贴) needs its attendance and payments,
and the summary evaluation its grades. Each `*_problems` function returns what breaks a rule by
field name (the form shows each beside its field); each `save_*` function checks, writes and stages
an audit entry in the caller's transaction, raising `Refused` with the same mapping. Nothing here
commits, sends mail or touches the queue.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from site_builder.clock import after_today

from ..models import AllowancePayment, Attendance, Evaluation, PerformanceNote, Placement, WorkTask
from .rules import (
    TASK_STATUSES,
    Refused,
    audit_entry,
    evaluation_of,
    first_of,
    internship_days_in,
    last_day,
    month_label,
    months,
)


def _month_problem(placement: Placement, month: dt.date | None, today: dt.date) -> str | None:
    if month is None:
        return "请选择月份"
    if month > first_of(today):
        return f"{month_label(month)}还没有开始，不能提前登记"
    if month not in months(placement):
        period = months(placement)
        if not period:
            return "见习起止日期尚未登记"
        return f"不在见习期内（{month_label(period[0])}至{month_label(period[-1])}）"
    return None


@dataclass(frozen=True)
class Days:
    """One month's attendance as entered."""

    expected: int
    present: int
    personal_leave: int
    sick_leave: int
    absent: int
    note: str = ""


def attendance_problems(
    placement: Placement, month: dt.date | None, days: Days, today: dt.date
) -> dict[str, str]:
    """No month outside the internship or not yet begun, no more days than it has there, no
    negative day, and the days present, on leave and absent adding up to the days expected."""
    found: dict[str, str] = {}
    problem = _month_problem(placement, month, today)
    if problem:
        found["month"] = problem
    for name in ("expected", "present", "personal_leave", "sick_leave", "absent"):
        if getattr(days, name) < 0:
            found[name] = "天数不能为负数"
    if month is not None and not problem:
        most = internship_days_in(placement, month)
        if days.expected > most:
            found["expected"] = f"{month_label(month)}的见习期只有 {most} 天，应出勤天数不能超过 {most} 天"
    if not found:
        total = days.present + days.personal_leave + days.sick_leave + days.absent
        if total != days.expected:
            found["present"] = (
                f"出勤、事假、病假、缺勤天数之和（{total} 天）应等于应出勤天数（{days.expected} 天）"
            )
    if len(days.note) > 500:
        found["note"] = "备注最多 500 个字"
    return found


def save_attendance(
    session: Session, placement: Placement, month: dt.date, days: Days, actor: str, today: dt.date
) -> Attendance:
    """Record or correct one month's attendance (one row per month)."""
    found = attendance_problems(placement, month, days, today)
    if found:
        raise Refused(found)
    row = session.scalar(
        select(Attendance).where(Attendance.placement_id == placement.id, Attendance.month == month)
    )
    if row is None:
        row = Attendance(placement_id=placement.id, month=month)
        session.add(row)
    for name, value in vars(days).items():
        setattr(row, name, value)
    row.updated_by = actor
    audit_entry(session, actor, "workfile_attendance", placement, month=month.isoformat(), **vars(days))
    return row


@dataclass(frozen=True)
class Task:
    title: str
    start_date: dt.date
    end_date: dt.date
    delivered: str
    status: str
    percent: int
    milestone: dt.date | None = None  # the training plan's month it works towards


def task_problems(placement: Placement, task: Task, today: dt.date) -> dict[str, str]:
    """A named task within the internship, its completion consistent with its status."""
    found: dict[str, str] = {}
    if not task.title.strip():
        found["title"] = "请填写任务名称"
    elif len(task.title) > 100:
        found["title"] = "任务名称最多 100 个字"
    end = last_day(placement)
    if placement.start_date and task.start_date < placement.start_date:
        found["start_date"] = f"不能早于见习开始日期 {placement.start_date.isoformat()}"
    if end and task.end_date > end:
        found["end_date"] = f"不能晚于见习结束日期 {end.isoformat()}"
    if task.end_date < task.start_date:
        found["end_date"] = "结束日期不能早于开始日期"
    if task.status not in TASK_STATUSES:
        found["status"] = "请选择完成情况"
    if not 0 <= task.percent <= 100:
        found["percent"] = "完成百分比应在 0 到 100 之间"
    elif task.status == "done" and task.percent != 100:
        found["percent"] = "已完成的任务，完成百分比应为 100"
    elif task.status == "todo" and task.percent != 0:
        found["percent"] = "未开始的任务，完成百分比应为 0"
    elif task.status == "doing" and task.percent == 100:
        found["percent"] = "完成百分比为 100 时，请选择“已完成”"
    if task.status != "todo" and task.start_date > today:
        found["status"] = "任务尚未到开始日期，只能是“未开始”"
    if len(task.delivered) > 1000:
        found["delivered"] = "交付成果最多 1000 个字"
    if task.milestone is not None and task.milestone not in months(placement):
        found["milestone"] = "请选择见习期内的月份"
    return found


def save_task(
    session: Session,
    placement: Placement,
    task: Task,
    today: dt.date,
    actor: str,
    row: WorkTask | None = None,
) -> WorkTask:
    """Add a task, or update `row` (one of this placement's tasks)."""
    found = task_problems(placement, task, today)
    if found:
        raise Refused(found)
    if row is None:
        row = WorkTask(placement_id=placement.id)
        session.add(row)
    for name, value in vars(task).items():
        setattr(row, name, value.strip() if isinstance(value, str) else value)
    row.updated_by = actor
    session.flush()
    audit_entry(
        session, actor, "workfile_task", placement, task=row.id, status=task.status, percent=task.percent
    )
    return row


def note_problems(placement: Placement, day: dt.date | None, text: str, today: dt.date) -> dict[str, str]:
    found: dict[str, str] = {}
    if day is None:
        found["day"] = "请填写日期"
    elif placement.start_date and day < placement.start_date:
        found["day"] = f"不能早于见习开始日期 {placement.start_date.isoformat()}"
    elif late := after_today(day, today):
        found["day"] = late
    if not text.strip():
        found["text"] = "请填写表现记录"
    elif len(text) > 1000:
        found["text"] = "表现记录最多 1000 个字"
    return found


def add_note(
    session: Session, placement: Placement, day: dt.date | None, text: str, today: dt.date, actor: str
) -> PerformanceNote:
    found = note_problems(placement, day, text, today)
    if found or day is None:
        raise Refused(found)
    note = PerformanceNote(placement_id=placement.id, day=day, text=text.strip(), author=actor)
    session.add(note)
    audit_entry(session, actor, "workfile_note", placement, day=day.isoformat())
    return note


def allowance_problems(
    placement: Placement, month: dt.date | None, amount: int | None, paid_on: dt.date | None, today: dt.date
) -> dict[str, str]:
    """A month of the internship, an amount not negative, a payment date not before the month began
    nor in the future."""
    found: dict[str, str] = {}
    problem = _month_problem(placement, month, today)
    if problem:
        found["month"] = problem
    if amount is None:
        found["amount"] = "请填写发放金额"
    elif amount < 0:
        found["amount"] = "金额不能为负数"
    elif amount > 100_000:
        found["amount"] = "金额过大，请以元为单位填写"
    if paid_on is None:
        found["paid_on"] = "请填写发放日期"
    elif month is not None and paid_on < month:
        found["paid_on"] = f"发放日期不能早于 {month_label(month)}"
    elif late := after_today(paid_on, today, "发放日期"):
        found["paid_on"] = late
    return found


def save_allowance(
    session: Session,
    placement: Placement,
    month: dt.date | None,
    amount: int | None,
    paid_on: dt.date | None,
    today: dt.date,
    actor: str,
) -> AllowancePayment:
    """Record or correct the allowance paid for one month (one row per month)."""
    found = allowance_problems(placement, month, amount, paid_on, today)
    if found or month is None or amount is None or paid_on is None:
        raise Refused(found)
    row = session.scalar(
        select(AllowancePayment).where(
            AllowancePayment.placement_id == placement.id, AllowancePayment.month == month
        )
    )
    if row is None:
        row = AllowancePayment(placement_id=placement.id, month=month)
        session.add(row)
    row.amount, row.paid_on, row.updated_by = amount, paid_on, actor
    audit_entry(
        session,
        actor,
        "workfile_allowance",
        placement,
        month=month.isoformat(),
        amount=amount,
        paid_on=paid_on,
    )
    return row


@dataclass(frozen=True)
class WorkFile:
    """Everything kept for one placement, for the unit's page, the office's and the intern's."""

    placement: Placement
    months: list[dt.date]
    attendance: dict[dt.date, Attendance]
    payments: dict[dt.date, AllowancePayment]
    tasks: list[WorkTask]
    notes: list[PerformanceNote]
    evaluation: Evaluation | None

    @property
    def days_present(self) -> int:
        return sum(a.present for a in self.attendance.values())


def load(session: Session, placement: Placement) -> WorkFile:
    """The placement's work file in five small queries."""
    pid = placement.id
    attendance = session.scalars(select(Attendance).where(Attendance.placement_id == pid))
    payments = session.scalars(select(AllowancePayment).where(AllowancePayment.placement_id == pid))
    tasks = session.scalars(
        select(WorkTask).where(WorkTask.placement_id == pid).order_by(WorkTask.start_date)
    )
    notes = session.scalars(
        select(PerformanceNote)
        .where(PerformanceNote.placement_id == pid)
        .order_by(PerformanceNote.day.desc(), PerformanceNote.id.desc())
    )
    return WorkFile(
        placement=placement,
        months=months(placement),
        attendance={a.month: a for a in attendance},
        payments={p.month: p for p in payments},
        tasks=list(tasks),
        notes=list(notes),
        evaluation=evaluation_of(session, placement),
    )


def kept_placement(session: Session, application_id: int) -> Placement | None:
    """The placement whose work file the intern sees: the one with a signed agreement."""
    return session.scalar(
        select(Placement)
        .where(Placement.application_id == application_id, Placement.agreement_date.is_not(None))
        .order_by(Placement.id.desc())
        .limit(1)
    )
