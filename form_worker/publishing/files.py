"""Positions and units written as YAML files: a unit's approved submission, the daily expiry.

Both commit through publishing.git, validated first; a submission can also be checked without
writing (a dry run) so staff see a validation problem in their request.
"""

import datetime as dt
import logging
import os
from pathlib import Path

from site_builder.model.catalogue import SLUG, SYMLINK_MESSAGE, UNIT_FILE, load_catalogue, symlink_on_the_way
from site_builder.model.loader import read_document
from site_builder.model.schema import Position, Unit
from site_builder.model.writer import find_unit_folder, position_yaml, unit_files

from .git import DEFAULT_AUTHOR, PublishError, commit_files, git, repo_lock, stage_problems

logger = logging.getLogger(__name__)


def _ownership_problems(repo: Path, unit_slug: str, unit: Unit) -> list[str]:
    """A unit folder belongs to one credit code, and a credit code to one folder; neither is a link."""
    shown = f"positions/{unit_slug}/{UNIT_FILE}"
    link = symlink_on_the_way(repo / shown, repo)
    if link is not None:
        return [f"{os.path.relpath(link, os.path.abspath(repo))}:1:1: -: {SYMLINK_MESSAGE}"]
    if not SLUG.fullmatch(unit_slug):
        return [f"{shown}:1:1: -: 单位目录名“{unit_slug}”不合规：只能用小写英文字母、数字和连字符（-）"]
    code = unit.credit_code.strip().upper()
    problems = []
    other = find_unit_folder(repo, code)
    if other is not None and other != unit_slug:
        problems.append(
            f"{shown}:1:1: credit_code: 统一社会信用代码 {code} 已属于单位目录 {other}，"
            "应作为对该单位的修改提交"
        )
    existing = repo / shown
    if existing.is_file():
        data = read_document(shown, existing.read_bytes()).data
        if not isinstance(data, dict) or str(data.get("credit_code", "")).strip().upper() != code:
            problems.append(f"{shown}:1:1: -: 单位目录 {unit_slug} 已属于另一家单位，请换一个目录名")
    return problems


SLUG_KEY = "_slug"


def submission_positions(positions_data: list[dict]) -> list[tuple[str | None, Position]]:
    """The positions of a stored submission, each with the file it replaces.

    Each dict of Submission.positions_data is Position data; an edit of a published position also
    carries SLUG_KEY ("_slug"), the name of its file without .yaml. Without it the position is new.
    """
    result = []
    for data in positions_data:
        fields = {key: value for key, value in data.items() if key != SLUG_KEY}
        result.append((data.get(SLUG_KEY) or None, Position.model_validate(fields)))
    return result


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
        problems = _ownership_problems(repo, unit_slug, unit)
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


def check_submission(
    repo: Path, unit_slug: str, unit: Unit, positions: list[tuple[str | None, Position]]
) -> list[str]:
    """The problems write_submission would refuse these files for, found without writing anything.

    Staff approving see them at once; the publishing task checks again under the lock, since the
    repository may change in between.
    """
    with repo_lock(repo) as git_dir:
        problems = _ownership_problems(repo, unit_slug, unit)
        if problems:
            return problems
        files = unit_files(repo, unit_slug, unit, positions)
        return stage_problems(repo, git_dir, files, [f"positions/{unit_slug}"]) if files else []


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
