"""The work file's rules that every part of it (and the state machine) asks: which states keep a
work file, the months an internship touches, the vocabularies of tasks and evaluations, and
whether an internship may complete (the evaluation, the intern's approved report, the last day and
the destination).

Only models are read here, so the state machine can ask without importing the work file's services.
"""

import calendar
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts import audit
from ..models import Application, Evaluation, FinalReport, Placement
from ..placements import placement_of

TASK_STATUSES = {"todo": "未开始", "doing": "进行中", "done": "已完成"}
CRITERIA = {"attitude": "工作态度", "skill": "专业能力", "teamwork": "沟通协作", "delivery": "任务完成"}
SCORES = range(1, 6)
GRADES = ("优秀", "良好", "合格", "不合格")
# States in which a unit keeps the work file: from the signed agreement on.
KEPT_IN = ("agreement_signed", "active", "completed")


class Refused(Exception):
    """The entry breaks a rule; `fields` maps each field name to its Chinese message."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(fields)
        self.fields = fields


def score_problems(scores: dict[str, int | None], labels: dict[str, str]) -> dict[str, str]:
    """Each labelled score not given as 1–5, by name: the mentor's evaluation, the intern's rating."""
    return {
        name: f"请为“{label}”打分（1–5 分）"
        for name, label in labels.items()
        if scores.get(name) not in SCORES
    }


def first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_day(placement: Placement) -> dt.date | None:
    """The internship's last day: when it really ended, else the agreed end."""
    return placement.finished_on or placement.end_date


def months(placement: Placement) -> list[dt.date]:
    """The first day of every month the internship touches, in order."""
    end = last_day(placement)
    if placement.start_date is None or end is None:
        return []
    found, month = [], first_of(placement.start_date)
    while month <= end:
        found.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return found


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def days_in(month: dt.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def internship_days_in(placement: Placement, month: dt.date) -> int:
    """Calendar days of this month within the internship (a first or last month is partial)."""
    end = last_day(placement)
    if placement.start_date is None or end is None:
        return 0
    start = max(placement.start_date, month)
    stop = min(end, month.replace(day=days_in(month)))
    return max((stop - start).days + 1, 0)


def audit_entry(session: Session, actor: str, action: str, placement: Placement, **detail: object) -> None:
    """One entry per change, targeted at the application's reference (never a name)."""
    application = session.get(Application, placement.application_id)
    target = application.reference if application is not None and application.reference else ""
    detail.pop("note", None)
    audit.record(
        session, actor, action, target or f"placement:{placement.id}", placement=placement.id, **detail
    )


def evaluation_of(session: Session, placement: Placement) -> Evaluation | None:
    return session.scalar(select(Evaluation).where(Evaluation.placement_id == placement.id))


REPORT_MISSING = "学生的见习总结尚未经导师通过：请学生在查询页提交见习总结，导师审阅通过后再登记见习结束"


def report_approved(session: Session, placement: Placement) -> bool:
    """The intern's end-of-internship report was approved by the mentor (logs.py)."""
    state = session.scalar(select(FinalReport.state).where(FinalReport.placement_id == placement.id))
    return state == "approved"


def completion_problem(session: Session, application: Application) -> str | None:
    """Why the internship may not yet complete, or None: the mentor's evaluation and the recorded
    last day are both needed (they decide the certificate, the claim's months and the statistics)."""
    placement = placement_of(session, application.id)
    if placement is None or evaluation_of(session, placement) is None:
        return "导师尚未提交见习评价：请单位在工作档案中提交导师评价后，再登记见习结束"
    if not report_approved(session, placement):
        return REPORT_MISSING
    if placement.finished_on is None or placement.destination is None:
        # Only the work file's 登记见习结束 records the last day (and why, when early) and the
        # destination (去向).
        return "请由单位在工作档案中登记见习结束：实际结束日期、学生去向，提前结束的须写明原因"
    return None
