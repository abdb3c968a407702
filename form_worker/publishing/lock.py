"""The publishing lock: one writer of the positions repository at a time, across threads and
processes, found without running git.

flock locks belong to an open file description, so two threads that each open the file exclude
each other just as two processes do, and the kernel drops the lock with its holder: a killed
worker blocks nobody. git's own index.lock is a plain file that a `git commit` killed with its
worker leaves behind, refusing every later commit; every git command of publishing runs under this
lock, so one found on entry is such a leftover and is removed.

A request (the approve button's dry run) only reads, sharing the lock with other readers and never
waiting: a publisher at work answers "busy" at once instead of holding the request until its commit
is done.
"""

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..catalogue.version import NotAWorkingCopy, git_dirs

logger = logging.getLogger(__name__)

LOCK_NAME = "jianxi-publish.lock"


class RepositoryUnavailable(Exception):
    """The positions folder is not inside a git working copy: nothing can be checked or written."""


class PublisherBusy(Exception):
    """Another writer holds the lock right now; asked without waiting."""


def git_dir(repo: Path) -> Path:
    """The git directory shared by the working copy that holds repo (`git rev-parse
    --git-common-dir`): `.git` in repo or a folder above it, or, for a linked worktree, the main
    repository's."""
    try:
        return git_dirs(repo)[1]
    except NotAWorkingCopy as missing:
        raise RepositoryUnavailable(str(missing)) from None


@contextmanager
def repo_lock(repo: Path) -> Iterator[Path]:
    """Hold the publishing lock of repo to write it, waiting for another writer; yield its git
    directory."""
    directory = git_dir(repo)
    with open(directory / LOCK_NAME, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            _remove_stale_index_lock(directory)
            yield directory
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def read_lock(repo: Path) -> Iterator[None]:
    """Read repo's files with no writer half-way through a commit; never wait.

    Readers share the lock with each other (two staff approving at once both read), and raise
    PublisherBusy at once while a writer holds it.
    """
    with open(git_dir(repo) / LOCK_NAME, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublisherBusy(str(repo)) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_index_lock(directory: Path) -> None:
    stale = directory / "index.lock"
    if stale.exists():
        logger.warning("removing %s left by a git command that did not finish", stale)
        stale.unlink(missing_ok=True)
