"""Positions and units written as YAML files: a unit's approved submission, the daily expiry.

Both commit through publishing.git under the publishing lock, validated first (checks.py holds the
same checks as a dry run, for the approving request).
"""

import datetime as dt
import logging
from pathlib import Path

from site_builder.model.catalogue import UNIT_FILE, load_catalogue
from site_builder.model.schema import Position, Unit
from site_builder.model.writer import position_yaml, unit_files

from .checks import PublishError, ownership_problems
from .git import DEFAULT_AUTHOR, commit_files, git
from .lock import repo_lock

logger = logging.getLogger(__name__)


def write_submission(
    repo: Path,
    unit_slug: str,
    unit: Unit,
    positions: list[tuple[str | None, Position]],
    reference: str,
    staff_name: str,
    now: dt.datetime,
    author: str = DEFAULT_AUTHOR,
) -> str:
    """Write a unit and its positions into repo, validated, as one commit; return the commit's sha.

    A slug names the file positions/<unit_slug>/<slug>.yaml (an edit overwrites it); None asks for a
    new file named after the position type, chosen under the lock so two approvals cannot pick the
    same name.
    Raises PublishError, with nothing written, when validation fails.
    """
    folder = f"positions/{unit_slug}"
    with repo_lock(repo) as git_dir:
        # A run that committed and then died before recording it: new positions would otherwise
        # get fresh file names and be written a second time.
        earlier = _commit_of(repo, reference)
        if earlier:
            return earlier
        problems = ownership_problems(repo, unit_slug, unit)
        if problems:
            raise PublishError(problems)
        files = unit_files(repo, unit_slug, unit, positions)
        written = [
            f"{unit_slug}/{Path(relative).stem}" for relative in files if not relative.endswith(UNIT_FILE)
        ]
        count = len(positions)
        plural = "s" if count != 1 else ""
        message = (
            f"Publish {_line(reference)}: {_line(unit.name)} ({count} position{plural})\n\n"
            + "".join(f"- {position_id}\n" for position_id in written)
            + f"\nApproved-by: {_line(staff_name)}\n"
        )
        sha = commit_files(repo, git_dir, files, [folder], message, now, author)
        if sha is None:  # the files already hold exactly this text
            return git(repo, "rev-parse", "HEAD").strip()
    logger.info("published %s as %s (%s)", reference, sha[:10], ", ".join(written))
    return sha


def _line(text: str) -> str:
    """Text as one line of a commit message: whatever it holds cannot start a line (a trailer) of its own."""
    return " ".join(text.split())


def _commit_of(repo: Path, reference: str) -> str:
    """The commit that published this submission reference, or ""."""
    return git(repo, "log", "-1", "--format=%H", "--fixed-strings", f"--grep=Publish {reference}:").strip()


def close_expired(
    repo: Path, today: dt.date, actor: str, now: dt.datetime, author: str = DEFAULT_AUTHOR
) -> list[str]:
    """Set status: closed on open positions whose deadline is before today, in one commit; return ids."""
    with repo_lock(repo) as git_dir:
        catalogue = load_catalogue(repo)
        expired = [
            entry
            for entry in catalogue.positions
            if entry.position.status == "open" and entry.position.deadline < today
        ]
        if not expired:
            return []
        files = {
            entry.path: position_yaml(entry.position.model_copy(update={"status": "closed"}))
            for entry in expired
        }
        ids = [entry.id for entry in expired]
        message = (
            f"Close {len(ids)} expired position{'s' if len(ids) != 1 else ''}\n\n"
            f"Deadline before {today.isoformat()}:\n"
            + "".join(f"- {position_id}\n" for position_id in ids)
            + f"\nClosed-by: {_line(actor)}\n"
        )
        commit_files(repo, git_dir, files, sorted(files), message, now, author)
    logger.info("closed %s expired positions", len(ids))
    return ids
