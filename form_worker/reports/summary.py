"""The summary evaluation (总结评估) of one programme year: the statistics, how internships went
and where interns went next (去向, with each unit's 留用率) per host unit, university, position type
and district, and the cases units put forward as typical (典型案例).

Per unit and per university the figures are one GROUP BY statement each (per position, folded by
the position's unit, since units live in the catalogue); the typical cases are the one list of rows,
bounded by MAX_CASES.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..applications.models import Application, InternRating, Placement
from ..applications.workfile.ratings import ASPECTS, MIN_SHOWN
from ..catalogue.positions import Positions
from ..core.downloads import Cell
from .filters import Filters
from .outcomes import Outcome, outcome_of, outcome_query
from .statistics import Statistics, gather
from .tables import OUTCOME_HEADERS, OUTCOME_NOTE, Section, Table, outcome_cells, tables

MAX_CASES = 300
RATINGS_NOTE = (
    f"见习结束后学生本人在查询页的评价，1 分最低，5 分最高。只列出至少 {MIN_SHOWN} 名学生评价过的单位，"
    "不显示评价人，单位看不到评价。"
)


@dataclass(frozen=True)
class OutcomeRow:
    key: str
    outcome: Outcome


@dataclass(frozen=True)
class TypicalCase:
    unit: str
    position: str
    intern: str
    story: str


@dataclass(frozen=True)
class RatingRow:
    """A unit's interns' ratings of their internships: how many, and each aspect's average."""

    unit: str
    count: int
    averages: dict[str, float]


@dataclass(frozen=True)
class Summary:
    stats: Statistics
    by_unit: list[OutcomeRow]
    by_university: list[OutcomeRow]
    by_type: list[OutcomeRow]
    by_district: list[OutcomeRow]
    cases: list[TypicalCase]
    more_cases: bool  # more than MAX_CASES were marked
    ratings: list[RatingRow]  # units with at least MIN_SHOWN ratings only


def _added(a: Outcome, b: Outcome) -> Outcome:
    return Outcome(
        a.placements + b.placements,
        a.on_site + b.on_site,
        a.completed + b.completed,
        a.ended_early + b.ended_early,
        {grade: a.grades[grade] + b.grades[grade] for grade in a.grades},
        {key: a.destinations[key] + b.destinations[key] for key in a.destinations},
    )


def unit_name(positions: Positions, position_id: str) -> str:
    """The unit's name from the catalogue, or its folder when it has left the catalogue."""
    slug = position_id.split("/", 1)[0]
    entry = positions.catalogue.units.get(slug)
    return entry.unit.name if entry is not None else slug


def _in_year(year: int):
    return (Application.programme_year == year, Placement.agreement_date.is_not(None))


def _position_type(positions: Positions, position_id: str) -> str:
    entry = positions.by_id.get(position_id)
    return entry.position.type if entry is not None else "（已下线岗位）"


def _position_district(positions: Positions, position_id: str) -> str:
    entry = positions.by_id.get(position_id)
    return entry.position.workplace.district if entry is not None else "（已下线岗位）"


def by_position(
    session: Session, positions: Positions, year: int, key: Callable[[Positions, str], str]
) -> list[OutcomeRow]:
    """Placements with a signed agreement per what `key` says of their position (its unit, type or
    district: the catalogue knows them, not the database), most interns first."""
    rows = session.execute(
        outcome_query(Placement.position_id).where(*_in_year(year)).group_by(Placement.position_id)
    )
    found: dict[str, Outcome] = {}
    for position_id, *figures in rows:
        name = key(positions, position_id)
        this = outcome_of(figures)
        found[name] = _added(found[name], this) if name in found else this
    return sorted((OutcomeRow(k, v) for k, v in found.items()), key=lambda r: (-r.outcome.placements, r.key))


def by_unit(session: Session, positions: Positions, year: int) -> list[OutcomeRow]:
    """Placements with a signed agreement per host unit, most interns first."""
    return by_position(session, positions, year, unit_name)


def by_university(session: Session, year: int) -> list[OutcomeRow]:
    """Placements with a signed agreement per university the intern named, most interns first."""
    rows = session.execute(
        outcome_query(Application.university).where(*_in_year(year)).group_by(Application.university)
    )
    found = [OutcomeRow(university, outcome_of(figures)) for university, *figures in rows]
    return sorted(found, key=lambda r: (-r.outcome.placements, r.key))


def ratings_by_unit(session: Session, positions: Positions, year: int) -> list[RatingRow]:
    """The interns' ratings per host unit, for units at least MIN_SHOWN interns rated: fewer could
    point at one intern's view. One GROUP BY per position, folded by unit like by_position."""
    sums = [func.sum(getattr(InternRating, aspect)) for aspect in ASPECTS]
    rows = session.execute(
        select(Placement.position_id, func.count(), *sums)
        .select_from(InternRating)
        .join(Placement, Placement.id == InternRating.placement_id)
        .join(Application, Application.id == Placement.application_id)
        .where(Application.programme_year == year)
        .group_by(Placement.position_id)
    )
    totals: dict[str, list[int]] = {}
    for position_id, count, *aspect_sums in rows:
        unit = totals.setdefault(unit_name(positions, position_id), [0] * (1 + len(ASPECTS)))
        for i, value in enumerate((count, *aspect_sums)):
            unit[i] += int(value)
    found = [
        RatingRow(name, count, {a: round(total / count, 1) for a, total in zip(ASPECTS, sums_, strict=True)})
        for name, (count, *sums_) in totals.items()
        if count >= MIN_SHOWN
    ]
    return sorted(found, key=lambda r: (-r.count, r.unit))


def typical_cases(session: Session, positions: Positions, year: int) -> tuple[list[TypicalCase], bool]:
    """The placements units marked 典型案例, by unit and position; at most MAX_CASES of them."""
    rows = session.execute(
        select(Placement.position_id, Application.name, Placement.case_story)
        .join(Application, Application.id == Placement.application_id)
        .where(
            Application.programme_year == year,
            Placement.typical_case.is_(True),
            # A case is published: not one of an intern who left or whose data was erased.
            Application.state.in_(("agreement_signed", "active", "completed")),
            Application.anonymised_at.is_(None),
        )
        .order_by(Placement.position_id, Placement.id)
        .limit(MAX_CASES + 1)
    ).all()
    cases = []
    for position_id, name, story in rows[:MAX_CASES]:
        entry = positions.by_id.get(position_id)
        title = entry.position.title if entry is not None else position_id
        cases.append(TypicalCase(unit_name(positions, position_id), title, name, story))
    return cases, len(rows) > MAX_CASES


def summary(session: Session, positions: Positions, year: int, sensitive: bool) -> Summary:
    """Everything the summary evaluation reports for a programme year (all positions)."""
    cases, more = typical_cases(session, positions, year)
    return Summary(
        gather(session, positions, Filters(year), sensitive),
        by_unit(session, positions, year),
        by_university(session, year),
        by_position(session, positions, year, _position_type),
        by_position(session, positions, year, _position_district),
        cases,
        more,
        ratings_by_unit(session, positions, year),
    )


def _outcome_table(key: str, label: str, rows: list[OutcomeRow], note: str = "") -> Table:
    cells: list[list[Cell]] = [[r.key, *outcome_cells(r.outcome)] for r in rows]
    return Table(key, f"按{label}", [label, *OUTCOME_HEADERS], cells, note, f"见习成效-按{label}")


def summary_tables(report: Summary) -> list[Section]:
    """The statistics' sections, then the results per unit and per university, then the cases."""
    sections = tables(report.stats)
    results = Section(
        "见习成效",
        [
            _outcome_table("results-by-unit", "设岗单位", report.by_unit, OUTCOME_NOTE),
            _outcome_table("results-by-university", "学校", report.by_university),
            _outcome_table("results-by-type", "岗位类型", report.by_type),
            _outcome_table("results-by-district", "工作地点", report.by_district),
        ],
    )
    case_rows: list[list[Cell]] = [[c.unit, c.position, c.intern, c.story] for c in report.cases]
    more = f"仅列出前 {MAX_CASES} 个。" if report.more_cases else ""
    cases = Section(
        "典型案例",
        [
            Table(
                "cases",
                "单位推荐的典型案例",
                ["设岗单位", "岗位", "见习生", "事迹"],
                case_rows,
                more,
                "典型案例",
            )
        ],
    )
    rating_rows: list[list[Cell]] = [
        [r.unit, r.count, *(f"{average:.1f}" for average in r.averages.values())] for r in report.ratings
    ]
    ratings = Section(
        "学生对见习的评价",
        [
            Table(
                "ratings-by-unit",
                "按设岗单位",
                ["设岗单位", "评价人数", *(f"{label}（平均分）" for label in ASPECTS.values())],
                rating_rows,
                RATINGS_NOTE,
                "学生评价-按设岗单位",
            )
        ],
    )
    return [*sections, results, ratings, cases]
