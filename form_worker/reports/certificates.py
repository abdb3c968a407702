"""The internship certificate (见习证明): what the unit prints, stamps and gives the intern at the end.

A certificate states a finished internship, so it exists only for a placement with an agreement
whose application is `completed` and whose mentor submitted the evaluation (its grade is printed).
The query takes the unit's scope like every other unit page: a unit asking for another unit's
placement gets None, as for one that does not exist.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..applications.models import Application, Evaluation, Placement
from ..applications.scope import unit_position_ids
from ..applications.states import STATE_LABELS
from ..applications.workfile.logs import approved_weeks
from ..catalogue.positions import Positions
from .subsidy import unit_name, unit_slug_of


@dataclass(frozen=True)
class Certificate:
    """What the certificate prints."""

    placement_id: int
    reference: str
    name: str
    unit_name: str
    position_title: str
    start: dt.date
    end: dt.date
    ended_early: bool
    mentor: str
    grade: str
    programme_year: int | None
    approved_weeks: int  # weeks of the intern's own log the mentor approved


def chinese_date(day: dt.date) -> str:
    """A date as a certificate writes it (2026年7月1日), not as the staff lists do."""
    return f"{day.year}年{day.month}月{day.day}日"


class NotReady(Exception):
    """The placement is in scope but no certificate can be given yet; `missing` says what is
    still to come, in words the unit can act on."""

    def __init__(self, reference: str, name: str, missing: list[str]) -> None:
        super().__init__(missing)
        self.reference, self.name, self.missing = reference, name, missing


def certificate(
    session: Session, placement_id: int, positions: Positions, unit: str | None
) -> Certificate | None:
    """The certificate of one placement, None when it is not there for this party (the view answers
    404); raises NotReady when the internship is not finished and evaluated. `unit` is the unit
    account's folder, None for the office."""
    query = (
        select(Placement, Application, Evaluation)
        .join(Application, Application.id == Placement.application_id)
        .outerjoin(Evaluation, Evaluation.placement_id == Placement.id)
        .where(Placement.id == placement_id)
    )
    if unit is not None:
        query = query.where(Placement.position_id.in_(unit_position_ids(positions, unit)))
    found = session.execute(query).first()
    if found is None:
        return None
    placement, application, evaluation = found
    missing = []
    if placement.agreement_date is None or placement.start_date is None or placement.end_date is None:
        missing.append("见习协议（这条录用没有登记协议和见习期）")
    if application.state != "completed":
        label = STATE_LABELS.get(application.state, application.state)
        missing.append(f"见习结束登记（报名当前状态：{label}）")
    if evaluation is None:
        missing.append("导师的见习评价")
    reference = application.reference or ""
    if missing:
        raise NotReady(reference, application.name, missing)
    assert placement.start_date is not None and placement.end_date is not None  # nosec B101  # checked above
    entry = positions.by_id.get(placement.position_id)
    end = placement.finished_on or placement.end_date
    return Certificate(
        placement_id=placement.id,
        reference=reference,
        name=application.name,
        unit_name=unit_name(positions, unit_slug_of(positions, placement.position_id)),
        position_title=entry.position.title if entry is not None else placement.position_id,
        start=placement.start_date,
        end=end,
        ended_early=end < placement.end_date,
        mentor=placement.mentor,
        grade=evaluation.grade,
        programme_year=application.programme_year,
        approved_weeks=approved_weeks(session, placement),
    )
