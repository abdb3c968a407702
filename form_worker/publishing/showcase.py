"""The showcase (成果展示) written as YAML files under showcase/, through the same git path as positions.

The worker's cases are `showcase/<year>/jianxi-<placement id>.yaml` and a year's approved figures
`showcase/<year>/figures.yaml`. `write_showcase` makes the working copy hold exactly the cases the
caller wants (writing, rewriting, removing the worker's own case files; a case a unit sent by pull
request, under any other name, is never touched) and the figures given, in one validated commit
under the publishing lock, through the forge as every publishing commit. A rerun with nothing to
change commits nothing.
"""

import datetime as dt
import logging
from pathlib import Path

from site_builder.model.showcase import FIGURES_FILE, FOLDER, WORKER_CASE, check_file

from .checks import PublishError
from .forge import Forge, shared_commit
from .git import DEFAULT_AUTHOR, GitError, commit_env, git
from .lock import repo_lock

logger = logging.getLogger(__name__)

# The trailer by which a commit says the worker wrote the showcase from the office's approvals.
TRAILER = "Jianxi-Showcase"


def pending(repo: Path, cases: dict[str, str], figures: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """What differs in the working copy: the files to write (path -> text) and the worker's case
    files (tracked) no longer wanted."""
    wanted = cases | figures
    write = {path: text for path, text in wanted.items() if _text(repo / path) != text}
    tracked = git(repo, "ls-files", "-z", "--", FOLDER).split("\0") if (repo / FOLDER).is_dir() else []
    remove = sorted(p for p in tracked if WORKER_CASE.fullmatch(p) and p not in cases)
    return write, remove


def _text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def write_showcase(
    repo: Path,
    cases: dict[str, str],
    figures: dict[str, str],
    actor: str,
    now: dt.datetime,
    author: str = DEFAULT_AUTHOR,
    forge: Forge | None = None,
) -> str | None:
    """Make showcase/ hold these cases (path -> YAML; the worker's other case files go) and
    figures, as one commit; return its sha, or None when there was nothing to change.

    Raises PublishError, with nothing written, when a file fails the showcase's validation.
    """
    for path in [*cases, *figures]:
        if not (WORKER_CASE.fullmatch(path) or path.endswith(f"/{FIGURES_FILE}")):
            raise ValueError(f"not a file the worker writes: {path}")

    def commit() -> str | None:
        write, remove = pending(repo, cases, figures)
        if not write and not remove:
            return None
        problems = [str(p) for path, text in write.items() for p in check_file(path, text.encode("utf-8"))]
        if problems:
            raise PublishError(problems)
        message = (
            f"Update the showcase: {len(write)} written, {len(remove)} removed\n\n"
            + "".join(f"- {path}\n" for path in sorted(write))
            + "".join(f"- {path} (removed)\n" for path in remove)
            + f"\nRequested-by: {' '.join(actor.split())}\n{TRAILER}: update\n"
        )
        return _commit(repo, write, remove, message, now, author)

    with repo_lock(repo):
        sha = shared_commit(repo, forge, commit)
    if sha:
        logger.info("showcase updated as %s", sha[:10])
    return sha


def _commit(
    repo: Path, write: dict[str, str], remove: list[str], message: str, now: dt.datetime, author: str
) -> str:
    """Write and remove the files and commit only them; put everything back if git fails."""
    before = {
        path: (repo / path).read_bytes() if (repo / path).is_file() else None for path in [*write, *remove]
    }
    try:
        for path, text in write.items():
            (repo / path).parent.mkdir(parents=True, exist_ok=True)
            (repo / path).write_text(text, encoding="utf-8", newline="\n")
        if write:
            git(repo, "add", "--", *sorted(write))
        if remove:
            git(repo, "rm", "-q", "--", *remove)
        env = commit_env(now, author)
        git(repo, "commit", "-q", "--no-verify", "-m", message, "--", *sorted([*write, *remove]), env=env)
    except BaseException:
        for path, content in before.items():
            if content is None:
                (repo / path).unlink(missing_ok=True)
            else:
                (repo / path).write_bytes(content)
        try:
            git(repo, "reset", "-q", "--", *sorted(before))
        except GitError:
            logger.exception("could not unstage the showcase files after a failed commit")
        raise
    return git(repo, "rev-parse", "HEAD").strip()
