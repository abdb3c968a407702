"""What scopes every statistic: the year and the filters a page asks for, and the SQL conditions
they become (applications of the year, placements of the year).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from site_builder.model.catalogue import PositionEntry
from site_builder.model.vocab import DISTRICTS, POSITION_TYPES

from ..applications.models import Application, Choice, Placement
from ..catalogue.positions import Positions

# A placement counts as filling its position from the signed agreement on (an offer may still be
# declined or lapse); an early end still filled it.
FILLED_STATES = ("agreement_signed", "active", "completed")
ON_SITE_STATES = ("agreement_signed", "active")
LEFT_STATES = ("withdrawn", "rejected")
YEARS = range(2000, 2101)


@dataclass(frozen=True)
class Filters:
    """What the figures are restricted to: a programme year, and optionally a position type and a
    workplace district (applications through their choices, placements through their position)."""

    year: int
    type: str = ""
    district: str = ""
    # A district account's own scope: the positions of the units in its district (`units`), as its
    # units and interns pages count them, whatever the workplace.
    unit_district: str = ""
    units: frozenset[str] = frozenset()

    @property
    def narrows_positions(self) -> bool:
        return bool(self.type or self.district or self.unit_district)

    def matches(self, entry: PositionEntry) -> bool:
        position = entry.position
        return (
            (not self.type or position.type == self.type)
            and (not self.district or position.workplace.district == self.district)
            and (not self.unit_district or entry.unit_slug in self.units)
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
        words += [f"单位所在 {self.unit_district}"] if self.unit_district else []
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


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def in_year(filters: Filters, positions: Positions) -> list[ColumnElement[bool]]:
    """Applications of the year; with a position filter, those choosing a matching position."""
    where = [Application.programme_year == filters.year]
    ids = filters.position_ids(positions)
    if ids is not None:
        where.append(Application.choices.any(Choice.position_id.in_(ids)))
    return where


def placed(filters: Filters, positions: Positions) -> list[ColumnElement[bool]]:
    """Placements of the year with a signed agreement; with a position filter, at matching positions."""
    where = [Application.programme_year == filters.year, Placement.agreement_date.is_not(None)]
    ids = filters.position_ids(positions)
    if ids is not None:
        where.append(Placement.position_id.in_(ids))
    return where


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
