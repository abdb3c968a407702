"""A programme year's figures for the 成果展示 page: computed from the worker's statistics, approved by
the office as they stand, then written as showcase/<year>/figures.yaml by the publishing task."""

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from site_builder.model.showcase import Destinations, figures_path, figures_yaml
from site_builder.model.showcase import ShowcaseFigures as Figures

from ..accounts import audit
from ..catalogue.positions import Positions
from ..reports.filters import Filters
from ..reports.outcomes import outcome
from ..reports.statistics import position_stats
from .models import ShowcaseFigures


def compute(session: Session, positions: Positions, year: int) -> Figures:
    """The year's figures now: positions and headcount of the catalogue, the units offering them,
    the interns with a signed agreement, those who completed as agreed, and where interns went."""
    filters = Filters(year)
    groups = position_stats(session, positions, filters).by_type
    went = outcome(session, positions, filters)
    return Figures(
        year=year,
        positions=sum(g.positions for g in groups),
        headcount=sum(g.headcount for g in groups),
        units=len({entry.unit_slug for entry in positions.by_id.values()}),
        interns=went.placements,
        completed=went.completed,
        destinations=Destinations(**went.destinations),
    )


def approved(session: Session, year: int) -> tuple[ShowcaseFigures, Figures] | None:
    """The year's approved figures (the row, and the figures as they will be published)."""
    row = session.scalar(select(ShowcaseFigures).where(ShowcaseFigures.year == year))
    return (row, Figures.model_validate(json.loads(row.figures))) if row is not None else None


def fingerprint(figures: Figures) -> str:
    """The figures as the office saw them on the page, to approve exactly those."""
    return json.dumps(figures.model_dump(mode="json", exclude={"approved_on"}), sort_keys=True)


def approve(session: Session, figures: Figures, actor: str, now: dt.datetime, today: dt.date) -> None:
    """Record the office's approval of these figures for their year (replacing an earlier one)."""
    published = figures.model_copy(update={"approved_on": today})
    row = session.scalar(select(ShowcaseFigures).where(ShowcaseFigures.year == figures.year))
    if row is None:
        row = ShowcaseFigures(year=figures.year)
        session.add(row)
    row.figures = json.dumps(published.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
    row.approved_by, row.approved_at = actor, now
    audit.record(
        session, actor, "showcase_figures", f"year:{figures.year}", **published.model_dump(mode="json")
    )


def figures_files(session: Session) -> dict[str, str]:
    """Every approved year's figures as its file (path -> YAML)."""
    rows = session.scalars(select(ShowcaseFigures).order_by(ShowcaseFigures.year))
    return {
        figures_path(row.year): figures_yaml(Figures.model_validate(json.loads(row.figures))) for row in rows
    }
