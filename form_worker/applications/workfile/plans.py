"""The training plan (培养计划, issue 22): the notice has the unit write one for every intern.

The unit writes the goals, a milestone for each month the internship touches, what the mentor will
teach and how the intern is assessed; the mentor confirms it (a dated sign-off the unit records for
the mentor, who has no account); the intern reads it on /status and confirms reading it. Changing a
confirmed plan asks for both again. The office's overview of placements lists the interns who lack
a confirmed plan a month after their start; a task can name the month it works towards.

Each function checks, writes and stages an audit entry in the caller's transaction; none commits.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from site_builder.clock import add_months

from ..models import Placement, TrainingPlan
from .rules import Refused, audit_entry, month_label, months

TEXTS = {"goals": "培养目标", "teaching": "导师传授的内容", "assessment": "考核方式"}
TEXT_MAX = 1000
MILESTONE_MAX = 200
# The office expects a confirmed plan from this many months after the start on.
DUE_AFTER_MONTHS = 1


@dataclass(frozen=True)
class Plan:
    goals: str
    teaching: str
    assessment: str
    milestones: dict[dt.date, str]  # the first day of each month → what the intern should reach


def milestone_name(month: dt.date) -> str:
    """The form field of one month's milestone."""
    return f"m{month:%Y%m}"


def plan_of(session: Session, placement: Placement) -> TrainingPlan | None:
    return session.scalar(select(TrainingPlan).where(TrainingPlan.placement_id == placement.id))


def milestones_of(plan: TrainingPlan | None) -> dict[dt.date, str]:
    return {dt.date.fromisoformat(day): text for day, text in (plan.milestones if plan else {}).items()}


def plan_problems(plan: Plan, internship_months: list[dt.date]) -> dict[str, str]:
    """Every part written, within its length, and a milestone for every month of the internship."""
    found: dict[str, str] = {}
    for name, label in TEXTS.items():
        text = getattr(plan, name).strip()
        if not text:
            found[name] = f"请填写{label}"
        elif len(text) > TEXT_MAX:
            found[name] = f"{label}最多 {TEXT_MAX} 个字"
    for month in internship_months:
        text = plan.milestones.get(month, "").strip()
        if not text:
            found[milestone_name(month)] = f"请填写{month_label(month)}的目标"
        elif len(text) > MILESTONE_MAX:
            found[milestone_name(month)] = f"每月目标最多 {MILESTONE_MAX} 个字"
    return found


def save(session: Session, placement: Placement, plan: Plan, actor: str) -> TrainingPlan:
    """Write the plan. A change to what it says asks for the mentor's sign-off and the intern's
    reading again; saving it unchanged keeps both."""
    internship_months = months(placement)
    found = plan_problems(plan, internship_months)
    if found:
        raise Refused(found)
    values = {name: getattr(plan, name).strip() for name in TEXTS} | {
        "milestones": {m.isoformat(): plan.milestones[m].strip() for m in internship_months}
    }
    row = plan_of(session, placement)
    if row is None:
        row = TrainingPlan(placement_id=placement.id)
        session.add(row)
    if any(getattr(row, name) != value for name, value in values.items()):
        row.signed_off_by = row.signed_off_at = row.read_at = None
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by = actor
    audit_entry(session, actor, "workfile_plan", placement)
    return row


def sign_off(session: Session, placement: Placement, actor: str, now: dt.datetime) -> TrainingPlan:
    """Record the mentor's confirmation of the plan as it stands, dated now."""
    row = plan_of(session, placement)
    if row is None:
        raise Refused({"goals": "请先填写并保存培养计划，再请导师确认"})
    if row.signed_off_at is None:
        row.signed_off_by, row.signed_off_at = placement.mentor, now
        audit_entry(session, actor, "workfile_plan_signed", placement)
    return row


def confirm_read(session: Session, placement: Placement, now: dt.datetime) -> bool:
    """The intern read the confirmed plan; False when there is no confirmed plan to read."""
    row = plan_of(session, placement)
    if row is None or row.signed_off_at is None:
        return False
    if row.read_at is None:
        row.read_at = now
        audit_entry(session, "申请人", "plan_read", placement)
    return True


def plan_gap(placement: Placement, plan: TrainingPlan | None, today: dt.date) -> str | None:
    """What the placements' overviews list while the internship runs, once the plan is due: none
    written, or not confirmed by the mentor."""
    if placement.ended or placement.start_date is None:
        return None
    if today < add_months(placement.start_date, DUE_AFTER_MONTHS):
        return None
    if plan is None:
        return "培养计划"
    if plan.signed_off_at is None:
        return "培养计划的导师确认"
    return None


def plan_gaps(session: Session, placements: Sequence[Placement], today: dt.date) -> dict[int, list[str]]:
    """Per placement, the plan's gap once it is due, else nothing (one statement for a page)."""
    ids = [p.id for p in placements]
    found = {
        row.placement_id: row
        for row in session.scalars(select(TrainingPlan).where(TrainingPlan.placement_id.in_(ids)))
    }
    gaps = {p.id: plan_gap(p, found.get(p.id), today) for p in placements}
    return {placement_id: [gap] if gap else [] for placement_id, gap in gaps.items()}


def milestone_choices(plan: TrainingPlan | None, placement: Placement) -> list[tuple[str, str]]:
    """The months a task may work towards, with the plan's milestone where there is one."""
    written = milestones_of(plan)
    choices = [("", "不对应具体月份")]
    for month in months(placement):
        text = written.get(month, "")
        choices.append((month.isoformat(), f"{month_label(month)}：{text}" if text else month_label(month)))
    return choices
