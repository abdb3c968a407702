"""How internships ended (shared by the statistics and the summary report) and, for admins only,
the priority groups with small counts suppressed.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Text, and_, cast, func, not_, or_, select
from sqlalchemy.orm import Session

from ..applications.intake.forms import PRIORITY_GROUPS
from ..applications.models import Application, Evaluation, Placement
from ..applications.workfile.destinations import DESTINATIONS, KEPT
from ..applications.workfile.rules import GRADES
from ..catalogue.positions import Positions
from ..core.downloads import Cell
from .filters import LEFT_STATES, ON_SITE_STATES, Filters, count_if, in_year, percent, placed

# Priority-group cells from 1 to 4 are shown as this: a small count can point at a person.
SMALL = "<5"
SMALL_BELOW = 5


# ---------------------------------------------------------------- (d) how internships ended


@dataclass(frozen=True)
class Outcome:
    """How the placements with a signed agreement went, and the mentors' grades."""

    placements: int
    on_site: int  # agreement signed or on site now
    completed: int  # completed on the agreed end date
    ended_early: int  # completed before it (提前结束), or withdrawn or rejected after the agreement
    grades: dict[str, int] = field(default_factory=dict)
    destinations: dict[str, int] = field(default_factory=dict)  # 去向, by DESTINATIONS key

    @property
    def recorded_destinations(self) -> int:
        return sum(self.destinations.values())

    @property
    def retention_rate(self) -> float | None:
        """留用率: interns kept on by their unit among those whose destination is recorded."""
        return percent(self.destinations.get(KEPT, 0), self.recorded_destinations)

    @property
    def completion_rate(self) -> float | None:
        """Completed as agreed among the placements that have ended."""
        return percent(self.completed, self.completed + self.ended_early)

    @property
    def evaluated(self) -> int:
        return sum(self.grades.values())


def outcome_columns() -> list[ColumnElement[int]]:
    """The aggregate columns of an Outcome over Placement ⋈ Application ⟕ Evaluation, shared by the
    year's figure and the summary's rows per unit and per university."""
    early = or_(
        Placement.early_end_reason.is_not(None),
        and_(
            Placement.finished_on.is_not(None),
            Placement.end_date.is_not(None),
            Placement.finished_on < Placement.end_date,
        ),
    )
    completed = Application.state == "completed"
    return [
        func.count(),
        count_if(Application.state.in_(ON_SITE_STATES)),
        count_if(and_(completed, not_(early))),
        count_if(or_(and_(completed, early), Application.state.in_(LEFT_STATES))),
        *(count_if(Evaluation.grade == grade) for grade in GRADES),
        *(count_if(Placement.destination == key) for key in DESTINATIONS),
    ]


def outcome_of(row: Sequence[int]) -> Outcome:
    placements, on_site, completed, early, *rest = (int(n) for n in row)
    grades, destinations = rest[: len(GRADES)], rest[len(GRADES) :]
    return Outcome(
        placements,
        on_site,
        completed,
        early,
        dict(zip(GRADES, grades, strict=True)),
        dict(zip(DESTINATIONS, destinations, strict=True)),
    )


def outcome_query(*columns):
    """SELECT columns, outcome_columns() FROM placement ⋈ application ⟕ evaluation."""
    return (
        select(*columns, *outcome_columns())
        .select_from(Placement)
        .join(Application, Application.id == Placement.application_id)
        .outerjoin(Evaluation, Evaluation.placement_id == Placement.id)
    )


def outcome(session: Session, positions: Positions, filters: Filters) -> Outcome:
    """One statement: the year's placements with a signed agreement, by how they went."""
    return outcome_of(session.execute(outcome_query().where(*placed(filters, positions))).one())


# ---------------------------------------------------------------- (e) priority groups


def suppressed(count: int) -> Cell:
    """A count fit to show: 1 to 4 become "<5" (a handful in one group can point at a person);
    0 stays 0, since nobody can be recognised in an empty group."""
    return SMALL if 0 < count < SMALL_BELOW else count


@dataclass(frozen=True)
class PriorityStats:
    """Counts already suppressed: no raw small number leaves this module."""

    consented: Cell
    groups: list[tuple[str, Cell]]


def _mentions(group: str) -> ColumnElement[bool]:
    """The JSON list names group, matched on its text as SQLite and PostgreSQL both store it
    (json.dumps escapes Chinese as \\uXXXX; a JSONB or another writer may keep it as is)."""
    text = cast(Application.priority_groups, Text)
    forms = {json.dumps(group), json.dumps(group, ensure_ascii=False)}
    return or_(*(text.contains(form, autoescape=True) for form in sorted(forms)))


def priority_stats(session: Session, positions: Positions, filters: Filters) -> PriorityStats:
    """Applicants who consented to tell, per priority group, in one statement. Admins only."""
    row = session.execute(
        select(func.count(), *(count_if(_mentions(g)) for g in PRIORITY_GROUPS)).where(
            *in_year(filters, positions), Application.priority_consent.is_(True)
        )
    ).one()
    consented, *counts = (int(n) for n in row)
    return PriorityStats(
        suppressed(consented), [(g, suppressed(n)) for g, n in zip(PRIORITY_GROUPS, counts, strict=True)]
    )
