"""How an internship ends in the work file: the mentor's evaluation, the last day (and why, when
early) with the intern's destination (destinations.py), and the typical-case story the summary
report gathers.

Each `*_problems` function returns what breaks a rule by field name; each save checks, writes and
stages an audit entry in the caller's transaction, raising `Refused` with the same mapping.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from site_builder.clock import after_today

from ...catalogue.positions import Positions
from .. import services
from ..models import Application, Evaluation, Placement
from . import destinations
from .rules import (
    CRITERIA,
    GRADES,
    REPORT_MISSING,
    Refused,
    audit_entry,
    evaluation_of,
    report_approved,
    score_problems,
)


def evaluation_problems(scores: dict[str, int | None], grade: str, comment: str) -> dict[str, str]:
    found = score_problems(scores, CRITERIA)
    if grade not in GRADES:
        found["grade"] = "请选择总体评价等级"
    if not comment.strip():
        found["comment"] = "请填写导师评语"
    elif len(comment) > 1000:
        found["comment"] = "评语最多 1000 个字"
    return found


def save_evaluation(
    session: Session,
    placement: Placement,
    scores: dict[str, int | None],
    grade: str,
    comment: str,
    actor: str,
) -> Evaluation:
    """The mentor's evaluation; it may be corrected until the placement is completed."""
    found = evaluation_problems(scores, grade, comment)
    if found:
        raise Refused(found)
    row = evaluation_of(session, placement)
    if row is None:
        row = Evaluation(placement_id=placement.id)
        session.add(row)
    row.scores = {name: int(scores[name] or 0) for name in CRITERIA}
    row.grade, row.comment, row.author = grade, comment.strip(), actor
    audit_entry(session, actor, "workfile_evaluation", placement, grade=grade, **row.scores)
    return row


def finish_problems(
    session: Session, placement: Placement, finished_on: dt.date | None, reason: str, today: dt.date
) -> dict[str, str]:
    """The gate before `completed`: the mentor's evaluation, the intern's report the mentor approved,
    a last day within the internship and not in the future, and a reason when it ends before the
    agreed end (提前结束)."""
    found: dict[str, str] = {}
    if evaluation_of(session, placement) is None:
        found["finished_on"] = "请先提交导师评价，再登记见习结束"
    elif not report_approved(session, placement):
        found["finished_on"] = REPORT_MISSING
    if finished_on is None:
        found["finished_on"] = "请填写见习实际结束日期"
    elif placement.start_date and finished_on < placement.start_date:
        found["finished_on"] = f"不能早于见习开始日期 {placement.start_date.isoformat()}"
    elif placement.end_date and finished_on > placement.end_date:
        found["finished_on"] = f"不能晚于协议约定的结束日期 {placement.end_date.isoformat()}"
    elif late := after_today(finished_on, today):
        found["finished_on"] = late
    elif placement.end_date and finished_on < placement.end_date and not reason.strip():
        found["reason"] = f"早于约定结束日期 {placement.end_date.isoformat()}，属于提前结束，请填写原因"
    if len(reason) > 500:
        found["reason"] = "原因最多 500 个字"
    return found


@dataclass(frozen=True)
class Ending:
    """What the unit enters to register the end: the last day, why when early, and the destination."""

    finished_on: dt.date | None
    reason: str
    destination: str | None
    destination_detail: str = ""


def finish(
    session: Session,
    application: Application,
    placement: Placement,
    ending: Ending,
    today: dt.date,
    actor: str,
    mail_from: str,
    positions: Positions,
) -> None:
    """Move an active internship to completed, with its last day, any early-end reason and where
    the intern goes next; raises Refused (fields) or services.TransitionRefused (the state moved);
    the caller commits."""
    finished_on, reason = ending.finished_on, ending.reason
    found = finish_problems(session, placement, finished_on, reason, today)
    found |= destinations.destination_problems(ending.destination, ending.destination_detail)
    if found or finished_on is None or ending.destination is None:
        raise Refused(found)
    destinations.record_by_unit(session, placement, ending.destination, ending.destination_detail, actor)
    early = placement.end_date is not None and finished_on < placement.end_date
    placement.finished_on = finished_on
    placement.early_end_reason = reason.strip() if early else None
    words = f"见习结束于 {finished_on.isoformat()}"
    if early:
        words = f"提前结束于 {finished_on.isoformat()}，原因：{reason.strip()}"
    services.transition(
        session, application, "completed", actor, words, mail_from, positions=positions, today=today
    )


def case_problems(typical: bool, story: str) -> dict[str, str]:
    if typical and not story.strip():
        return {"case_story": "推荐为典型案例时，请写一段简短的事迹"}
    if len(story) > 800:
        return {"case_story": "事迹最多 800 个字"}
    return {}


def save_case(session: Session, placement: Placement, typical: bool, story: str, actor: str) -> None:
    """Offer the placement to the summary evaluation as a typical case (典型案例), or withdraw it."""
    found = case_problems(typical, story)
    if found:
        raise Refused(found)
    placement.typical_case, placement.case_story = typical, story.strip()
    audit_entry(session, actor, "workfile_case", placement, typical=typical)
