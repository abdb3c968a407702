"""What staff see before approving: each position as the catalogue would show it, and the diff."""

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from site_builder.model.catalogue import UNIT_FILE, Catalogue, PositionEntry, UnitEntry
from site_builder.model.writer import unit_files
from site_builder.pages import PageRenderer, Site

from .folders import positions_of, target_folder, to_write, unit_of
from .models import Submission


def preview(
    submission: Submission, site_url: str, worker_url: str, today: dt.date
) -> list[tuple[str, Markup]]:
    """Each position rendered with the catalogue's own page template, as it would be published.

    The template autoescapes every field, so the HTML can go into the staff page as it is.
    """
    unit = unit_of(submission)
    slug = submission.unit_slug
    catalogue = Catalogue(units={slug: UnitEntry(slug, f"positions/{slug}/{UNIT_FILE}", unit)})
    for number, (file_slug, position) in enumerate(positions_of(submission), start=1):
        name = file_slug or f"new-{number}"
        catalogue.positions.append(
            PositionEntry(f"{slug}/{name}", name, slug, f"positions/{slug}/{name}.yaml", position)
        )
    renderer = PageRenderer(catalogue, Site(site_url=site_url, worker_url=worker_url, today=today))
    # Rendered by the catalogue's autoescaping page template (see the docstring).
    pages = [(e.position.title, renderer.position(e).body) for e in catalogue.positions]
    return [(title, Markup(body)) for title, body in pages]  # nosec B704


@dataclass(frozen=True)
class FileDiff:
    path: str
    new: bool
    lines: list[str]


def diff(submission: Submission, repo: Path) -> list[FileDiff]:
    """What approving would change in the repository: a unified diff per file it would write."""
    unit = unit_of(submission)
    unit_slug = target_folder(repo, submission, unit)
    files = unit_files(repo, unit_slug, unit, to_write(repo, unit_slug, submission))
    result = []
    for relative, text in files.items():
        current = repo / relative
        old = current.read_text(encoding="utf-8") if current.is_file() else ""
        lines = list(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"a/{relative}" if current.is_file() else "/dev/null",
                tofile=f"b/{relative}",
            )
        )
        if lines:
            result.append(FileDiff(relative, not current.is_file(), [line.rstrip("\n") for line in lines]))
    return result
