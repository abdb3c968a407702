"""Positions and units written as YAML files: a unit's approved submission, the daily expiry.

Both commit through publishing.git under the publishing lock, validated first (checks.py holds the
same checks as a dry run, for the approving request).
"""

import datetime as dt
import logging
from pathlib import Path

from site_builder.model.catalogue import UNIT_FILE, PositionEntry, load_catalogue
from site_builder.model.schema import Position, Unit
from site_builder.model.writer import position_yaml, read_unit, unit_files, unit_yaml

from .checks import PublishError, ownership_problems
from .forge import Forge, shared_commit
from .git import DEFAULT_AUTHOR, commit_files, git
from .lock import repo_lock

logger = logging.getLogger(__name__)

# The commit trailer naming the submission a commit published (Submission.publish_id).
TRAILER = "Jianxi-Submission"


def write_submission(
    repo: Path,
    unit_slug: str,
    unit: Unit,
    positions: list[tuple[str | None, Position]],
    reference: str,
    staff_name: str,
    now: dt.datetime,
    author: str = DEFAULT_AUTHOR,
    *,
    publish_id: str,
    forge: Forge | None = None,
) -> str:
    """Write a unit and its positions into repo, validated, as one commit; return the commit's sha.

    A slug names the file positions/<unit_slug>/<slug>.yaml (an edit overwrites it); None asks for a
    new file named after the position type, chosen under the lock so two approvals cannot pick the
    same name. `publish_id` is the submission's unguessable id: the commit carries it as its
    `Jianxi-Submission` trailer, by which a rerun recognises the commit (`reference` is for people).
    With a `forge`, the commit is made on the remote branch as just pulled and pushed (forge.py).
    Raises PublishError, with nothing written, when validation fails or the forge refuses.
    """
    folder = f"positions/{unit_slug}"

    def commit() -> str | None:
        # A run that committed and then died before recording it: new positions would otherwise
        # get fresh file names and be written a second time.
        earlier = commit_of(repo, publish_id, folder)
        if earlier:
            return earlier
        problems = ownership_problems(repo, unit_slug, unit)
        if problems:
            raise PublishError(problems)
        files = unit_files(repo, unit_slug, unit, positions)
        written = [
            f"{unit_slug}/{Path(relative).stem}" for relative in files if not relative.endswith(UNIT_FILE)
        ]
        plural = "s" if len(positions) != 1 else ""
        message = (
            f"Publish {_line(reference)}: {_line(unit.name)} ({len(positions)} position{plural})\n\n"
            + "".join(f"- {position_id}\n" for position_id in written)
            + f"\nApproved-by: {_line(staff_name)}\n{TRAILER}: {_line(publish_id)}\n"
        )
        return commit_files(repo, git_dir, files, [folder], message, now, author)

    with repo_lock(repo) as git_dir:
        sha = shared_commit(repo, forge, commit) or git(repo, "rev-parse", "HEAD").strip()
    logger.info("published %s as %s", reference, sha[:10])
    return sha


def _line(text: str) -> str:
    """Text as one line of a commit message: whatever it holds cannot start a line (a trailer) of its own."""
    return " ".join(text.split())


def commit_of(repo: Path, publish_id: str, folder: str) -> str:
    """The commit that published the submission with this id into folder, or "".

    It is the newest commit whose trailer (parsed by git: nothing in a subject or a body line a unit
    typed can be one) names exactly this id and which changed files, all of them in folder. A
    commit naming it that wrote nothing there, or wrote elsewhere, is not this submission's.
    """
    if not publish_id:
        return ""
    log = git(repo, "log", f"--format=%H %(trailers:key={TRAILER},valueonly,separator=%x20)", "--", folder)
    for line in log.splitlines():
        sha, *ids = line.split()
        if publish_id in ids:
            changed = git(repo, "show", "--name-only", "--format=", sha).split()
            if changed and all(path.startswith(folder + "/") for path in changed):
                return sha
    return ""


def close_expired(
    repo: Path,
    today: dt.date,
    actor: str,
    now: dt.datetime,
    author: str = DEFAULT_AUTHOR,
    forge: Forge | None = None,
) -> list[str]:
    """Set status: closed on open positions whose deadline is before today, in one commit (on the
    forge's branch as just pulled, when there is one); return their ids."""
    ids: list[str] = []

    def commit() -> str | None:
        catalogue = load_catalogue(repo)
        expired = [
            entry
            for entry in catalogue.positions
            if entry.position.status == "open" and entry.position.deadline < today
        ]
        if not expired:
            return None
        files = _with_status(expired, "closed")
        ids[:] = [entry.id for entry in expired]
        message = (
            f"Close {len(ids)} expired position{'s' if len(ids) != 1 else ''}\n\n"
            f"Deadline before {today.isoformat()}:\n"
            + "".join(f"- {position_id}\n" for position_id in ids)
            + f"\nClosed-by: {_line(actor)}\n"
        )
        return commit_files(repo, git_dir, files, sorted(files), message, now, author)

    with repo_lock(repo) as git_dir:
        shared_commit(repo, forge, commit)
    logger.info("closed %s expired positions", len(ids))
    return ids


# The trailer of a commit by which the worker set positions' status from the programme's records.
STATUS_TRAILER = "Jianxi-Status"


def set_statuses(
    repo: Path,
    changes: list[tuple[str, str, str]],
    now: dt.datetime,
    author: str = DEFAULT_AUTHOR,
    forge: Forge | None = None,
) -> list[str]:
    """Write each (position id, status, reason) into its file, one commit per status (its message
    gives each reason; its trailer says the worker set it); return the ids changed.

    A position gone from the files, or already holding that status, is skipped; a filled position
    goes back to open only when the worker marked it filled (a unit's own 已招满 stays).
    """
    changed: list[str] = []
    for status in sorted({status for _, status, _ in changes}):
        wanted = {position_id: reason for position_id, s, reason in changes if s == status}

        def commit(status: str = status, wanted: dict[str, str] = wanted) -> str | None:
            entries = [
                e for e in load_catalogue(repo).positions if e.id in wanted and e.position.status != status
            ]
            if status == "open":
                entries = [e for e in entries if marked_filled_by_worker(repo, e.path)]
            if not entries:
                return None
            files = _with_status(entries, status)
            ids = [e.id for e in entries]
            changed.extend(ids)
            subject = "Mark positions filled" if status == "filled" else "Open positions again"
            message = (
                f"{subject}\n\n"
                + "".join(f"- {position_id}: {_line(wanted[position_id])}\n" for position_id in ids)
                + f"\n{STATUS_TRAILER}: {status}\n"
            )
            return commit_files(repo, git_dir, files, sorted(files), message, now, author)

        with repo_lock(repo) as git_dir:
            shared_commit(repo, forge, commit)
    if changed:
        logger.info("set the status of %s", ", ".join(changed))
    return changed


def _with_status(entries: list[PositionEntry], status: str) -> dict[str, str]:
    """The files of these positions, each rewritten with `status` (path -> YAML)."""
    return {e.path: position_yaml(e.position.model_copy(update={"status": status})) for e in entries}


def marked_filled_by_worker(repo: Path, path: str) -> bool:
    """Whether the last commit that changed this file is the worker's marking it filled."""
    trailer = git(repo, "log", "-1", f"--format=%(trailers:key={STATUS_TRAILER},valueonly)", "--", path)
    return trailer.strip() == "filled"


# The trailer of a commit that wrote a bureau's confirmation into a unit.yaml (units.confirmations).
CONFIRMATION_TRAILER = "Jianxi-Unit-Confirmation"


def confirm_unit(
    repo: Path,
    unit_slug: str,
    decided_on: dt.date,
    document: str,
    confirmation_id: int,
    now: dt.datetime,
    author: str = DEFAULT_AUTHOR,
    forge: Forge | None = None,
) -> str:
    """Write a bureau's confirmation into positions/<unit_slug>/unit.yaml (approved, with its date
    and document number) as one validated commit; return its sha, or "" when the file already says
    approved (the unit's own edit, or a rerun) or is gone."""
    path = f"positions/{unit_slug}/{UNIT_FILE}"

    def commit() -> str | None:
        unit = read_unit(repo / path)
        if unit is None or unit.hr_approval.status == "approved":
            return None
        approval = unit.hr_approval.model_copy(
            update={"status": "approved", "date": decided_on, "document": document}
        )
        files = {path: unit_yaml(unit.model_copy(update={"hr_approval": approval}))}
        message = (
            f"Confirm {unit_slug} as 就业见习单位\n\n"
            f"{_line(unit.hr_approval.bureau)}: {_line(document)}, {decided_on.isoformat()}\n\n"
            f"{CONFIRMATION_TRAILER}: {confirmation_id}\n"
        )
        return commit_files(repo, git_dir, files, [path], message, now, author)

    with repo_lock(repo) as git_dir:
        sha = shared_commit(repo, forge, commit)
    if sha:
        logger.info("wrote the confirmation of %s as %s", unit_slug, sha[:10])
    return sha or ""
