"""Which folder of positions/ a unit's submission writes into, and which of its files change."""

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from site_builder.model.catalogue import SLUG, UNIT_FILE, PositionEntry, UnitEntry, validate_document
from site_builder.model.loader import read_document
from site_builder.model.schema import Position, Unit
from site_builder.model.writer import find_unit_folder

from ..catalogue.positions import Positions
from ..publishing.checks import submission_positions
from .models import Submission


def positions_of(submission: Submission) -> list[tuple[str | None, Position]]:
    return submission_positions(submission.positions_data)


def unit_of(submission: Submission) -> Unit:
    return Unit.model_validate(submission.unit_data)


def existing_unit(positions: Positions, credit_code: str) -> UnitEntry | None:
    """The published unit with this credit code, if the catalogue has one."""
    code = credit_code.strip().upper()
    for entry in positions.catalogue.units.values():
        if entry.unit.credit_code.upper() == code:
            return entry
    return None


def published_positions(positions: Positions, unit_slug: str) -> dict[str, PositionEntry]:
    """The unit's published positions by file name (slug)."""
    return {e.slug: e for e in positions.of_unit(unit_slug)}


def new_unit_slug(unit: Unit, taken: Iterable[str]) -> str:
    """A folder name for a unit not yet in the catalogue: its website's host, else its credit code.

    Names are Chinese, so they give no ASCII name; the credit code is unique by law.
    """
    used = set(taken)
    if unit.website:
        host = (urlsplit(unit.website).hostname or "").removeprefix("www.")
        candidate = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")
        if candidate and SLUG.fullmatch(candidate) and candidate not in used and len(candidate) <= 60:
            return candidate
    return f"unit-{unit.credit_code.lower()}"


def folder_for(positions: Positions, root: Path, unit: Unit) -> tuple[str, bool]:
    """The folder a unit's submission writes into, and whether that folder already exists."""
    entry = existing_unit(positions, unit.credit_code)
    if entry is not None:
        return entry.slug, True
    folders = {p.name for p in (root / "positions").iterdir()} if (root / "positions").is_dir() else set()
    return new_unit_slug(unit, folders | set(positions.catalogue.units)), False


def _unchanged(repo: Path, unit_slug: str, slug: str, position: Position) -> bool:
    path = repo / "positions" / unit_slug / f"{slug}.yaml"
    if not path.is_file():
        return False
    published, _ = validate_document(read_document(str(path), path.read_bytes()), Position)
    return published == position


def to_write(repo: Path, unit_slug: str, submission: Submission) -> list[tuple[str | None, Position]]:
    """The positions that change something: a unit that edited one of its loaded positions does not
    rewrite the others."""
    return [
        (slug, p)
        for slug, p in positions_of(submission)
        if not (slug and _unchanged(repo, unit_slug, slug, p))
    ]


def target_folder(repo: Path, submission: Submission, unit: Unit) -> str:
    """The stored folder, unless it has meanwhile gone to another unit or the code found its own folder."""
    owner = find_unit_folder(repo, unit.credit_code.upper())
    if owner is not None:
        return owner
    existing = repo / "positions" / submission.unit_slug / UNIT_FILE
    if not existing.is_file():
        return submission.unit_slug
    taken = {p.name for p in (repo / "positions").iterdir()}
    return new_unit_slug(unit, taken)
