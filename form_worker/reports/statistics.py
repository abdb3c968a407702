"""The office's statistics for one programme year: the application funnel, the positions, who
applied, how internships ended, and (for admins only) the priority groups.

Every figure is a SQL aggregate (COUNT / SUM over GROUP BY): no function here loads application
rows, so a page costs the same dozen statements at 200 applications as at 20,000. Positions live
in the YAML catalogue, not in the database, so figures per position come back as one row per
position (bounded by the catalogue, not by the applications) and are folded by type, track,
district and unit category here. The functions take a session and return small frozen dataclasses;
filters.py holds what scopes every figure, outcomes.py how internships ended and the priority
groups; tables.py turns them into the captioned tables the page, the workbook and the summary share.
"""

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from site_builder.model.catalogue import PositionEntry
from site_builder.model.vocab import DISTRICTS, EDUCATION_LEVELS, POSITION_TYPES, TRACKS, UNIT_CATEGORIES

from ..applications.intake.forms import MAJOR_GROUPS
from ..applications.models import Application, Choice, Placement, Transition
from ..applications.states import ALLOWED, CHAIN
from ..catalogue.positions import Positions
from .filters import FILLED_STATES, LEFT_STATES, Filters, count_if, in_year, percent, placed
from .outcomes import Outcome, PriorityStats, outcome, priority_stats
from .records import Records, records

# The funnel's steps in the programme's words (the state labels are sentences for applicants).
STEP_LABELS = {
    "submitted": "提交报名",
    "checked": "通过初步核验",
    "recommended_by_university": "高校遴选推荐",
    "approved_by_city_office": "市项目办审核通过",
    "filed": "全国备案",
    "proposed": "单位拟录用",
    "confirmed": "拟录用名单确认",
    "offered": "单位录用",
    "agreement_signed": "签订见习协议",
    "active": "上岗见习",
    "completed": "见习结束",
}
NOT_GIVEN = "未填写"
TOP = 10


# ---------------------------------------------------------------- (a) the funnel


@dataclass(frozen=True)
class Step:
    state: str
    label: str
    now: int  # applications in this state today
    reached: int  # applications whose history reached this step or a later one
    conversion: float | None  # reached here ÷ reached at the step before, in %


@dataclass(frozen=True)
class Funnel:
    steps: list[Step]
    withdrawn: int
    rejected: int
    total: int


# An application now in one of these states may have been further along the chain before: it was
# withdrawn, rejected, or moved back (ALLOWED's one backward move, 推荐 → 核验). In any other state,
# the furthest step it reached is where it is.
MOVED_BACK = {
    target
    for state, targets in ALLOWED.items()
    if state in CHAIN
    for target in targets
    if target in CHAIN and CHAIN.index(target) < CHAIN.index(state)
}
NEEDS_HISTORY = (*LEFT_STATES, *sorted(MOVED_BACK))


def funnel(session: Session, positions: Positions, filters: Filters) -> Funnel:
    """Where the year's applications are, and how far each got.

    "Reached a step": the step is the application's furthest in the chain, or before it. For an
    application withdrawn, rejected or sent back (NEEDS_HISTORY) that is the furthest step among
    its Transition rows (each state it passed through has one), so one withdrawn after the
    university's recommendation has reached 提交, 核验 and 推荐; for any other it is its current
    state, since the chain only moves forward. Every application counts as submitted. Two
    statements; the second reads the transitions of the applications in NEEDS_HISTORY only.
    """
    scope = in_year(filters, positions)
    now: dict[str, int] = dict(
        session.execute(
            select(Application.state, func.count()).where(*scope).group_by(Application.state)
        ).all()
    )
    looked_up = select(Application.id).where(*scope, Application.state.in_(NEEDS_HISTORY))
    step = case({state: i for i, state in enumerate(CHAIN)}, value=Transition.to_state)
    furthest = (
        select(func.max(step).label("furthest"))
        .where(Transition.application_id.in_(looked_up))
        .group_by(Transition.application_id)
        .subquery()
    )
    at: dict[int | None, int] = dict(
        session.execute(select(furthest.c.furthest, func.count()).group_by(furthest.c.furthest)).all()
    )
    for i, state in enumerate(CHAIN):
        if state not in NEEDS_HISTORY:
            at[i] = at.get(i, 0) + now.get(state, 0)
    total = sum(now.values())
    steps: list[Step] = []
    reached_before: int | None = None
    for i, state in enumerate(CHAIN):
        reached = total if i == 0 else sum(n for index, n in at.items() if index is not None and index >= i)
        conversion = None if reached_before is None else percent(reached, reached_before)
        steps.append(Step(state, STEP_LABELS[state], now.get(state, 0), reached, conversion))
        reached_before = reached
    return Funnel(steps, now.get("withdrawn", 0), now.get("rejected", 0), total)


# ---------------------------------------------------------------- (b) positions


@dataclass(frozen=True)
class PositionFigures:
    id: str
    unit: str
    title: str
    type: str
    track: str
    district: str
    category: str
    headcount: int
    applications: int  # applications of the year naming it among their choices
    filled: int  # placements with a signed agreement (FILLED_STATES)


@dataclass(frozen=True)
class Group:
    key: str
    positions: int
    headcount: int
    filled: int
    applications: int

    @property
    def per_position(self) -> float | None:
        return round(self.applications / self.positions, 1) if self.positions else None

    @property
    def fill_rate(self) -> float | None:
        return percent(self.filled, self.headcount)


@dataclass(frozen=True)
class PositionStats:
    by_type: list[Group]
    by_track: list[Group]
    by_district: list[Group]
    by_category: list[Group]
    most_wanted: list[PositionFigures]
    least_wanted: list[PositionFigures]
    unwanted: int  # positions no application of the year named
    unlisted: int  # choices of positions no longer in the catalogue


DIMENSIONS = (
    ("type", POSITION_TYPES),
    ("track", TRACKS),
    ("district", DISTRICTS),
    ("category", UNIT_CATEGORIES),
)


def _groups(totals: dict[str, list[int]], order: Iterable[str]) -> list[Group]:
    ranked = {name: i for i, name in enumerate(order)}
    keys = sorted(totals, key=lambda key: (ranked.get(key, len(ranked)), key))
    return [Group(key, *totals[key]) for key in keys]


def _per_position(
    session: Session, positions: Positions, filters: Filters
) -> tuple[dict[str, int], dict[str, int]]:
    """Applications and filled places per position id, in two GROUP BY statements."""
    ids = filters.position_ids(positions)
    chosen = select(Choice.position_id, func.count()).join(
        Application, Application.id == Choice.application_id
    )
    chosen = chosen.where(Application.programme_year == filters.year)
    if ids is not None:
        chosen = chosen.where(Choice.position_id.in_(ids))
    applications: dict[str, int] = dict(session.execute(chosen.group_by(Choice.position_id)).all())
    filled: dict[str, int] = dict(
        session.execute(
            select(Placement.position_id, func.count())
            .join(Application, Application.id == Placement.application_id)
            .where(*placed(filters, positions), Application.state.in_(FILLED_STATES))
            .group_by(Placement.position_id)
        ).all()
    )
    return applications, filled


def _fold(
    positions: Positions, entries: list[PositionEntry], applications: dict[str, int], filled: dict[str, int]
) -> dict[str, dict[str, list[int]]]:
    """Per dimension and value: positions, headcount, filled places and applications."""
    # Positions sharing type, track, district and unit category first (a few hundred), then each
    # dimension from those: a quarter of the work of adding every position to four groups.
    combined: dict[tuple[str, str, str, str], list[int]] = {}
    for e in entries:
        p = e.position
        key = (p.type, p.track, p.workplace.district, positions.unit_of(e).category)
        row = combined.get(key)
        if row is None:
            row = combined[key] = [0, 0, 0, 0]
        row[0] += 1
        row[1] += p.headcount
        row[2] += filled.get(e.id, 0)
        row[3] += applications.get(e.id, 0)
    totals: dict[str, dict[str, list[int]]] = {name: {} for name, _ in DIMENSIONS}
    for key, row in combined.items():
        for (name, _), value in zip(DIMENSIONS, key, strict=True):
            total = totals[name].setdefault(value, [0, 0, 0, 0])
            for column, figure in enumerate(row):
                total[column] += figure
    return totals


def position_stats(session: Session, positions: Positions, filters: Filters) -> PositionStats:
    """Positions and headcount from the catalogue; applications and filled places per position from
    two GROUP BY statements, folded by the catalogue's type, track, district and unit category in
    one pass (5,000 positions: a few ms), the most and least wanted picked without a full sort."""
    applications, filled = _per_position(session, positions, filters)
    entries = [e for e in positions.by_id.values() if filters.matches(e)]
    totals = _fold(positions, entries, applications, filled)

    def figures(e: PositionEntry) -> PositionFigures:
        unit, p = positions.unit_of(e), e.position
        return PositionFigures(
            e.id,
            unit.name,
            p.title,
            p.type,
            p.track,
            p.workplace.district,
            unit.category,
            p.headcount,
            applications.get(e.id, 0),
            filled.get(e.id, 0),
        )

    most = heapq.nsmallest(TOP, entries, key=lambda e: (-applications.get(e.id, 0), e.id))
    least = heapq.nsmallest(TOP, entries, key=lambda e: (applications.get(e.id, 0), e.id))
    by = {name: _groups(totals[name], order) for name, order in DIMENSIONS}
    return PositionStats(
        by_type=by["type"],
        by_track=by["track"],
        by_district=by["district"],
        by_category=by["category"],
        most_wanted=[figures(e) for e in most],
        least_wanted=[figures(e) for e in least],
        unwanted=sum(1 for e in entries if e.id not in applications),
        unlisted=sum(n for pid, n in applications.items() if pid not in positions.by_id),
    )


# ---------------------------------------------------------------- (c) who applied


@dataclass(frozen=True)
class Count:
    key: str
    applications: int
    interns: int  # of them, now with a signed agreement, on site or completed


@dataclass(frozen=True)
class ApplicantStats:
    by_university: list[Count]
    by_degree: list[Count]
    by_major_group: list[Count]


def _counts(session: Session, column, scope: list[ColumnElement[bool]], order: Sequence[str] = ()):
    rows = session.execute(
        select(column, func.count(), count_if(Application.state.in_(FILLED_STATES)))
        .where(*scope)
        .group_by(column)
    ).all()
    ranked = {name: i for i, name in enumerate(order)}
    counts = [Count(key or NOT_GIVEN, int(n), int(interns)) for key, n, interns in rows]
    if order:
        return sorted(counts, key=lambda c: (ranked.get(c.key, len(ranked)), -c.applications, c.key))
    return sorted(counts, key=lambda c: (-c.applications, c.key))


def applicant_stats(session: Session, positions: Positions, filters: Filters) -> ApplicantStats:
    """Applications by university, degree and discipline (学科门类; none given shows as 未填写)."""
    scope = in_year(filters, positions)
    return ApplicantStats(
        by_university=_counts(session, Application.university, scope),
        by_degree=_counts(session, Application.degree, scope, list(EDUCATION_LEVELS)),
        by_major_group=_counts(session, Application.major_group, scope, [*MAJOR_GROUPS, NOT_GIVEN]),
    )


# ---------------------------------------------------------------- all of them


@dataclass(frozen=True)
class Statistics:
    filters: Filters
    funnel: Funnel
    positions: PositionStats
    applicants: ApplicantStats
    outcome: Outcome
    priority: PriorityStats | None  # None unless the viewer is an admin
    records: Records


def gather(session: Session, positions: Positions, filters: Filters, sensitive: bool) -> Statistics:
    """Every figure of the statistics page; the priority groups only when `sensitive` (an admin)."""
    return Statistics(
        filters,
        funnel(session, positions, filters),
        position_stats(session, positions, filters),
        applicant_stats(session, positions, filters),
        outcome(session, positions, filters),
        priority_stats(session, positions, filters) if sensitive else None,
        records(session, positions, filters),
    )
