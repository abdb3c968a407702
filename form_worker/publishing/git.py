"""Git for publishing: run a command, commit validated files; the caller holds lock.repo_lock.

Writes go through a staging folder inside the repository's git directory: the files are written
there next to a copy of their folders, validated with the same loader as `jianxi validate`, and only
then moved into place and committed. So files that fail validation change nothing.
"""

import datetime as dt
import logging
import os
import shutil
import subprocess  # nosec B404  # git with argv lists only
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import parseaddr
from pathlib import Path

from site_builder.model.catalogue import SYMLINK_MESSAGE, load_catalogue, symlink_on_the_way

from .checks import PublishError

logger = logging.getLogger(__name__)

DEFAULT_AUTHOR = "jianxi <jianxi@localhost>"
GIT_RETRIES = 25  # times 0.2 s: how long to wait for an index.lock held by someone else's git


class GitError(RuntimeError):
    """A git command failed; the message carries its output."""


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run git in repo and return its stdout; wait a little while another git holds index.lock."""
    command = ["git", "-C", str(repo), "-c", "commit.gpgsign=false", *args]
    for attempt in range(GIT_RETRIES + 1):
        # Git with a list of arguments, no shell.
        result = subprocess.run(command, capture_output=True, text=True, env=env)  # nosec B603
        if result.returncode == 0:
            return result.stdout
        if "index.lock" not in result.stderr or attempt == GIT_RETRIES:
            break
        time.sleep(0.2)
    raise GitError(f"git {' '.join(args[:2])} failed ({result.returncode}): {result.stderr.strip()}")


def git_succeeds(repo: Path, *args: str) -> bool:
    """Whether a git command that answers by its exit status (merge-base --is-ancestor, ...) says yes."""
    command = ["git", "-C", str(repo), *args]
    # Git with a list of arguments, no shell.
    return subprocess.run(command, capture_output=True).returncode == 0  # nosec B603


def commit_env(now: dt.datetime, author: str) -> dict[str, str]:
    """The environment of a commit by author at now (its author and committer, both dates)."""
    name, address = parseaddr(author)
    if not address:
        name, address = parseaddr(DEFAULT_AUTHOR)
    moment = (now if now.tzinfo else now.replace(tzinfo=dt.UTC)).isoformat()
    return os.environ | {
        "GIT_AUTHOR_NAME": name or address,
        "GIT_AUTHOR_EMAIL": address,
        "GIT_COMMITTER_NAME": name or address,
        "GIT_COMMITTER_EMAIL": address,
        "GIT_AUTHOR_DATE": moment,
        "GIT_COMMITTER_DATE": moment,
    }


@contextmanager
def _staged(repo: Path, git_dir: Path, files: dict[str, str]) -> Iterator[Path]:
    """A staging copy of the folders files (relative path -> text) go into, with the files written."""
    links = [relative for relative in sorted(files) if symlink_on_the_way(repo / relative, repo)]
    if links:
        raise PublishError([f"{relative}:1:1: -: {SYMLINK_MESSAGE}" for relative in links])
    with tempfile.TemporaryDirectory(prefix="jianxi-stage-", dir=git_dir) as staging:
        stage = Path(staging)
        for folder in sorted({Path(relative).parent for relative in files}):
            if (repo / folder).is_dir():
                # Links are copied as links: the validator reports them instead of reading through.
                shutil.copytree(repo / folder, stage / folder, symlinks=True)
            else:
                (stage / folder).mkdir(parents=True)
        for relative, text in files.items():
            (stage / relative).write_text(text, encoding="utf-8", newline="\n")
        yield stage


def _problems(stage: Path, check: list[str]) -> list[str]:
    return [
        str(problem) for problem in load_catalogue(stage, [stage / relative for relative in check]).problems
    ]


def commit_files(
    repo: Path,
    git_dir: Path,
    files: dict[str, str],
    check: list[str],
    message: str,
    now: dt.datetime,
    author: str,
) -> str | None:
    """Validate files in a staging copy, move them in, commit; the caller holds repo_lock.

    Returns the new commit's sha, or None when the files already held exactly this text (a second
    run of the same approval). Raises PublishError, with nothing written, when validation fails.
    """
    if not files:
        return None
    with _staged(repo, git_dir, files) as stage:
        problems = _problems(stage, check)
        if problems:
            raise PublishError(problems)
        before = {relative: _read(repo / relative) for relative in files}
        try:
            for relative in files:
                (repo / relative).parent.mkdir(parents=True, exist_ok=True)
                os.replace(stage / relative, repo / relative)
            paths = sorted(files)
            git(repo, "add", "--", *paths)
            staged = git(repo, "diff", "--cached", "--name-only", "--", *paths)
            if not staged.strip():
                return None
            # --no-verify: the files were validated above; a hook needing tools the worker lacks
            # must not block publishing. Naming the paths commits only them, whatever else is staged.
            env = commit_env(now, author)
            git(repo, "commit", "-q", "--no-verify", "-m", message, "--", *paths, env=env)
        except BaseException:
            _restore(repo, before)
            raise
    return git(repo, "rev-parse", "HEAD").strip()


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _restore(repo: Path, before: dict[str, bytes | None]) -> None:
    """Put files back as they were after a failed commit, and unstage them."""
    for relative, content in before.items():
        if content is None:
            (repo / relative).unlink(missing_ok=True)
        else:
            (repo / relative).write_bytes(content)
    try:
        git(repo, "reset", "-q", "--", *sorted(before))
    except GitError:
        logger.exception("could not unstage %s after a failed publish", sorted(before))
