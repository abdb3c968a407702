"""The office's statistics for one programme year: the application funnel, the positions, who
applied, how internships ended, and (for admins only) the priority groups.

Every figure is a SQL aggregate (COUNT / SUM over GROUP BY): no function here loads application
rows, so a page costs the same dozen statements at 200 applications as at 20,000. Positions live
in the YAML catalogue, not in the database, so figures per position come back as one row per
position (bounded by the catalogue, not by the applications) and are folded by type, track,
district and unit category here. The functions take a session and return small frozen dataclasses;
stat_tables.py turns them into the captioned tables the page, the workbook and the summary share.
"""

import heapq
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Text, and_, case, cast, func, not_, or_, select
from sqlalchemy.orm import Session

from site_builder.model.catalogue import PositionEntry
from site_builder.model.vocab import DISTRICTS, EDUCATION_LEVELS, POSITION_TYPES, TRACKS, UNIT_CATEGORIES

from ..applications.forms import MAJOR_GROUPS, PRIORITY_GROUPS
from ..applications.models import Application, Choice, Evaluation, Placement, Transition
from ..applications.states import ALLOWED, CHAIN
from ..applications.workfile import GRADES
from ..catalogue.positions import Positions
from ..core.downloads import Cell

# The funnel's steps in the programme's words (the state labels are sentences for applicants).
STEP_LABELS = {
    "submitted": "提交报名",
    "checked": "通过初步核验",
    "recommended_by_university": "高校遴选推荐",
    "approved_by_city_office": "市项目办审核通过",
    "filed": "全国备案",
    "offered": "单位录用",
    "agreement_signed": "签订见习协议",
    "active": "上岗见习",
    "completed": "见习结束",
}
# A placement counts as filling its position from the signed agreement on (an offer may still be
# declined or lapse); an early end still filled it.
FILLED_STATES = ("agreement_signed", "active", "completed")
ON_SITE_STATES = ("agreement_signed", "active")
LEFT_STATES = ("withdrawn", "rejected")
NOT_GIVEN = "未填写"
# Priority-group cells from 1 to 4 are shown as this: a small count can point at a person.
SMALL = "<5"
SMALL_BELOW = 5
TOP = 10
YEARS = range(2000, 2101)


@dataclass(frozen=True)
class Filters:
    """What the figures are restricted to: a programme year, and optionally a position type and a
    workplace district (applications through their choices, placements through their position)."""

    year: int
    type: str = ""
    district: str = ""

    @property
    def narrows_positions(self) -> bool:
        return bool(self.type or self.district)

    def matches(self, entry: PositionEntry) -> bool:
        position = entry.position
        return (not self.type or position.type == self.type) and (
            not self.district or position.workplace.district == self.district
        )

    def position_ids(self, positions: Positions) -> list[str] | None:
        """The matching positions' ids, or None when no position filter is set (every position)."""
        if not self.narrows_positions:
            return None
        return sorted(e.id for e in positions.by_id.values() if self.matches(e))

    def query(self) -> dict[str, str]:
        """The filters as query-string values (for links, the download form and the audit log)."""
        found = {"year": str(self.year)}
        return found | {k: v for k, v in (("type", self.type), ("district", self.district)) if v}

    def describe(self) -> str:
        words = [f"{self.year} 年度"]
        words += [w for w in (self.type, self.district and f"工作地点 {self.district}") if w]
        return "，".join(words)


def parse_filters(args: Mapping[str, str], default_year: int) -> tuple[Filters, list[str]]:
    """The filters of a query string, and a Chinese note for each value that was ignored.

    A bad value never fails the page: it is dropped and the page says so, which is kinder to a link
    pasted with a typo than a 400 page, and as safe (only known words ever reach a query).
    """
    ignored = []
    year = default_year
    raw_year = (args.get("year") or "").strip()
    if raw_year:
        if raw_year.isascii() and raw_year.isdigit() and int(raw_year) in YEARS:
            year = int(raw_year)
        else:
            ignored.append(f"年度“{raw_year[:20]}”无效，已按 {default_year} 年度统计")
    chosen = {}
    for name, label, known in (("type", "岗位类型", POSITION_TYPES), ("district", "工作地点", DISTRICTS)):
        value = (args.get(name) or "").strip()
        if value and value not in known:
            ignored.append(f"{label}“{value[:20]}”不在可选范围内，已忽略")
            value = ""
        chosen[name] = value
    return Filters(year, chosen["type"], chosen["district"]), ignored


def years(session: Session, *also: int) -> list[int]:
    """The programme years applications were made for, and `also` (the configured one, the one
    asked for), newest first: the choices of the year filter."""
    found = session.scalars(
        select(Application.programme_year).where(Application.programme_year.is_not(None)).distinct()
    )
    return sorted({*also, *found}, reverse=True)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _in_year(filters: Filters, positions: Positions) -> list[ColumnElement[bool]]:
    """Applications of the year; with a position filter, those choosing a matching position."""
    where = [Application.programme_year == filters.year]
    ids = filters.position_ids(positions)
    if ids is not None:
        where.append(Application.choices.any(Choice.position_id.in_(ids)))
    return where


def _placed(filters: Filters, positions: Positions) -> list[ColumnElement[bool]]:
    """Placements of the year with a signed agreement; with a position filter, at matching positions."""
    where = [Application.programme_year == filters.year, Placement.agreement_date.is_not(None)]
    ids = filters.position_ids(positions)
    if ids is not None:
        where.append(Placement.position_id.in_(ids))
    return where


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


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
    scope = _in_year(filters, positions)
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


def position_stats(session: Session, positions: Positions, filters: Filters) -> PositionStats:
    """Positions and headcount from the catalogue; applications and filled places per position from
    two GROUP BY statements, folded by the catalogue's type, track, district and unit category in
    one pass (5,000 positions: a few ms), the most and least wanted picked without a full sort."""
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
            .where(*_placed(filters, positions), Application.state.in_(FILLED_STATES))
            .group_by(Placement.position_id)
        ).all()
    )
    entries = [e for e in positions.by_id.values() if filters.matches(e)]
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
        select(column, func.count(), _count_if(Application.state.in_(FILLED_STATES)))
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
    scope = _in_year(filters, positions)
    return ApplicantStats(
        by_university=_counts(session, Application.university, scope),
        by_degree=_counts(session, Application.degree, scope, list(EDUCATION_LEVELS)),
        by_major_group=_counts(session, Application.major_group, scope, [*MAJOR_GROUPS, NOT_GIVEN]),
    )


# ---------------------------------------------------------------- (d) how internships ended


@dataclass(frozen=True)
class Outcome:
    """How the placements with a signed agreement went, and the mentors' grades."""

    placements: int
    on_site: int  # agreement signed or on site now
    completed: int  # completed on the agreed end date
    ended_early: int  # completed before it (提前结束), or withdrawn or rejected after the agreement
    grades: dict[str, int] = field(default_factory=dict)

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
        _count_if(Application.state.in_(ON_SITE_STATES)),
        _count_if(and_(completed, not_(early))),
        _count_if(or_(and_(completed, early), Application.state.in_(LEFT_STATES))),
        *(_count_if(Evaluation.grade == grade) for grade in GRADES),
    ]


def outcome_of(row: Sequence[int]) -> Outcome:
    placements, on_site, completed, early, *grades = (int(n) for n in row)
    return Outcome(placements, on_site, completed, early, dict(zip(GRADES, grades, strict=True)))


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
    return outcome_of(session.execute(outcome_query().where(*_placed(filters, positions))).one())


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
        select(func.count(), *(_count_if(_mentions(g)) for g in PRIORITY_GROUPS)).where(
            *_in_year(filters, positions), Application.priority_consent.is_(True)
        )
    ).one()
    consented, *counts = (int(n) for n in row)
    return PriorityStats(
        suppressed(consented), [(g, suppressed(n)) for g, n in zip(PRIORITY_GROUPS, counts, strict=True)]
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


def gather(session: Session, positions: Positions, filters: Filters, sensitive: bool) -> Statistics:
    """Every figure of the statistics page; the priority groups only when `sensitive` (an admin)."""
    return Statistics(
        filters,
        funnel(session, positions, filters),
        position_stats(session, positions, filters),
        applicant_stats(session, positions, filters),
        outcome(session, positions, filters),
        priority_stats(session, positions, filters) if sensitive else None,
    )
