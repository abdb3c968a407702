"""The commit the positions tree stands at, read from git's own files without running git: cheap
enough (a few small reads) for every request and task to ask whether publishing moved it.

Publishing commits into POSITIONS_ROOT, and following the forge moves it too; either way the working
copy's HEAD names the catalogue's version. publishing.lock finds the shared git directory here.
"""

from pathlib import Path

NO_VERSION = ""  # not a git working copy (a folder of positions copied by hand)


class NotAWorkingCopy(Exception):
    """The folder is inside no git working copy."""


def git_dirs(repo: Path) -> tuple[Path, Path]:
    """The git directories of the working copy that holds repo: its own (HEAD lives there) and the
    one shared by all its worktrees (refs and objects; `git rev-parse --git-common-dir`), the
    same folder unless repo is in a linked worktree."""
    for folder in (repo.resolve(), *repo.resolve().parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git, dot_git
        if dot_git.is_file():
            first = dot_git.read_text(encoding="utf-8").strip()
            if not first.startswith("gitdir:"):
                break
            private = (folder / first.removeprefix("gitdir:").strip()).resolve()
            common = private / "commondir"
            if common.is_file():
                return private, (private / common.read_text(encoding="utf-8").strip()).resolve()
            return private, private
    raise NotAWorkingCopy(f"{repo} is not inside a git working copy")


def head_commit(repo: Path) -> str:
    """The sha HEAD names, or NO_VERSION outside a working copy or before the first commit."""
    try:
        private, common = git_dirs(repo)
        head = (private / "HEAD").read_text(encoding="utf-8").strip()
    except (NotAWorkingCopy, OSError):
        return NO_VERSION
    if not head.startswith("ref:"):
        return head
    ref = head.removeprefix("ref:").strip()
    for folder in (private, common):
        try:
            return (folder / ref).read_text(encoding="utf-8").strip()
        except OSError:
            continue
    return _packed(common, ref)


def _packed(common: Path, ref: str) -> str:
    """The sha of ref in packed-refs (where `git gc` and `git pack-refs` move refs)."""
    try:
        lines = (common / "packed-refs").read_text(encoding="utf-8").splitlines()
    except OSError:
        return NO_VERSION
    for line in lines:
        sha, _, name = line.partition(" ")
        if name == ref:
            return sha
    return NO_VERSION
