"""What the system holds about one applicant: counts for the personal-data page, and the whole of
it as one JSON document for the person (PIPL art. 45, the right to a copy).

Read-only: the view records the export in the audit log. Times are Chongqing time with their
offset, so the person reads them as the pages showed them.
"""

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from site_builder.clock import beijing_time

from ..applications.models import (
    AllowancePayment,
    Application,
    Attendance,
    Claim,
    Evaluation,
    FinalReport,
    InternRating,
    LogEntry,
    PerformanceNote,
    Placement,
    TrainingPlan,
    Transition,
    WorkTask,
)
from ..outbox.models import Outbox

# Each kind of record the page counts, in the order it lists them.
HELD_LABELS = {
    "choices": "意向岗位",
    "history": "办理记录",
    "emails": "发给本人的邮件",
    "emails_about": "发给单位或他人、涉及本人的邮件",
    "claims": "防重复报名的手机号和邮箱记录",
    "placements": "录用与见习协议",
    "attendance": "月度考勤",
    "tasks": "见习任务",
    "notes": "导师的表现记录",
    "payments": "生活费发放",
    "evaluations": "导师评价",
    "ratings": "本人对见习的评价",
    "plans": "培养计划",
    "log": "本人的见习周志",
    "reports": "本人的见习总结",
}
APPLICATION_FIELDS = (
    "reference",
    "state",
    "programme_year",
    "created_at",
    "name",
    "phone",
    "email",
    "university",
    "major",
    "major_group",
    "degree",
    "graduation",
    "current_status",
    "registered",
    "registry_account",
    "society_post",
    "society_post_detail",
    "volunteering",
    "volunteering_detail",
    "priority_consent",
    "priority_mark_consent",
    "priority_groups",
    "statement",
    "anonymised_at",
)
PLACEMENT_FIELDS = (
    "position_id",
    "mentor",
    "created_at",
    "deadline",
    "accepted_at",
    "agreement_date",
    "start_date",
    "end_date",
    "allowance",
    "insurer",
    "policy_number",
    "cover_start",
    "cover_end",
    "finished_on",
    "early_end_reason",
    "destination",
    "destination_detail",
    "destination_by",
    "destination_confirmed_at",
    "typical_case",
    "case_story",
    "case_consent",
    "case_consent_at",
    "case_title",
    "case_text",
    "case_approved_at",
)


# What a week of the log and the report both record of their review.
REVIEWED = ("state", "comment", "submitted_at", "reviewed_at")


def _to_them(application: Application):
    """The application's emails addressed to the applicant (not the ones to units about them)."""
    return Outbox.application_id == application.id, func.lower(Outbox.recipient) == application.email.lower()


def held(session: Session, application: Application) -> dict[str, int]:
    """How many records of each kind (HELD_LABELS) the system holds about this applicant."""

    def count(model: Any, *where: Any) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    placements = select(Placement.id).where(Placement.application_id == application.id).scalar_subquery()
    to_them = _to_them(application)
    return {
        "choices": len(application.choices),
        "history": count(Transition, Transition.application_id == application.id),
        "emails": count(Outbox, *to_them),
        "emails_about": count(Outbox, to_them[0]) - count(Outbox, *to_them),
        "claims": count(Claim, Claim.application_id == application.id),
        "placements": count(Placement, Placement.application_id == application.id),
        "attendance": count(Attendance, Attendance.placement_id.in_(placements)),
        "tasks": count(WorkTask, WorkTask.placement_id.in_(placements)),
        "notes": count(PerformanceNote, PerformanceNote.placement_id.in_(placements)),
        "payments": count(AllowancePayment, AllowancePayment.placement_id.in_(placements)),
        "evaluations": count(Evaluation, Evaluation.placement_id.in_(placements)),
        "ratings": count(InternRating, InternRating.placement_id.in_(placements)),
        "plans": count(TrainingPlan, TrainingPlan.placement_id.in_(placements)),
        "log": count(LogEntry, LogEntry.placement_id.in_(placements)),
        "reports": count(FinalReport, FinalReport.placement_id.in_(placements)),
    }


def _value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return beijing_time(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _row(row: object, names: tuple[str, ...]) -> dict[str, object]:
    return {name: _value(getattr(row, name)) for name in names}


def _table(
    session: Session, model: Any, placement_id: int, names: tuple[str, ...]
) -> list[dict[str, object]]:
    rows = session.scalars(select(model).where(model.placement_id == placement_id).order_by(model.id))
    return [_row(r, names) for r in rows]


def _placement(session: Session, placement: Placement) -> dict[str, object]:
    evaluation = session.scalar(select(Evaluation).where(Evaluation.placement_id == placement.id))
    return _row(placement, PLACEMENT_FIELDS) | {
        "attendance": _table(
            session,
            Attendance,
            placement.id,
            ("month", "expected", "present", "personal_leave", "sick_leave", "absent", "note"),
        ),
        "tasks": _table(
            session,
            WorkTask,
            placement.id,
            ("title", "start_date", "end_date", "delivered", "status", "percent"),
        ),
        "notes": _table(session, PerformanceNote, placement.id, ("day", "text", "author")),
        "allowance_payments": _table(session, AllowancePayment, placement.id, ("month", "amount", "paid_on")),
        "evaluation": _row(evaluation, ("scores", "comment", "grade", "author", "submitted_at"))
        if evaluation is not None
        else None,
        "rating": _table(
            session, InternRating, placement.id, ("mentor", "tasks", "learning", "comment", "created_at")
        ),
        "training_plan": _table(
            session,
            TrainingPlan,
            placement.id,
            ("goals", "milestones", "teaching", "assessment", "signed_off_by", "signed_off_at", "read_at"),
        ),
        "log": _table(session, LogEntry, placement.id, ("week", "did", "learned", "problems", *REVIEWED)),
        "report": _table(session, FinalReport, placement.id, ("text", *REVIEWED)),
    }


def export(session: Session, application: Application, now: dt.datetime) -> dict[str, object]:
    """Everything held about the applicant: the application and its choices, its history, the
    emails sent to them, and each placement with its work file."""
    history = session.scalars(
        select(Transition).where(Transition.application_id == application.id).order_by(Transition.id)
    )
    emails = session.scalars(select(Outbox).where(*_to_them(application)).order_by(Outbox.id))
    placements = session.scalars(
        select(Placement).where(Placement.application_id == application.id).order_by(Placement.id)
    )
    return {
        "说明": "重庆市大学生科技见习计划管理系统中保存的本人个人信息（应本人请求导出）。",
        "exported_at": _value(now),
        "application": _row(application, APPLICATION_FIELDS),
        "choices": [_row(c, ("rank", "position_id", "shortlisted", "outcome")) for c in application.choices],
        "history": [_row(t, ("at", "from_state", "to_state", "actor", "reason")) for t in history],
        "emails": [
            _row(e, ("created_at", "sent_at", "status", "recipient", "subject", "body_text")) for e in emails
        ],
        "placements": [_placement(session, p) for p in placements],
    }


def export_bytes(document: dict[str, object]) -> bytes:
    """The export as UTF-8 JSON, indented for a person to read."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
