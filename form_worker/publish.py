"""Publishing: approved positions become YAML files and a git commit; the site is rebuilt and swapped.

Writes go through a staging folder inside the repository's git directory: the files are written
there next to a copy of the unit folder, validated with the same loader as `jianxi validate`, and
only then moved into place and committed. So a submission that fails validation changes nothing.
A lock file in the git directory (fcntl.flock) serialises writers across threads and processes.

The public site is a symlink, `SITE_DIR`, to one complete build in `<SITE_DIR>.builds/`. A new build
goes into a fresh folder there; the link is switched with one rename, so a reader sees either the old
site or the new one, never a half-built one; a failed build leaves the link alone.
"""

import datetime as dt
import fcntl
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import parseaddr
from pathlib import Path

from site_builder.build import build_site
from site_builder.model.catalogue import SLUG, UNIT_FILE, load_catalogue
from site_builder.model.loader import read_document
from site_builder.model.schema import Position, Unit
from site_builder.model.writer import find_unit_folder, position_yaml, unit_files

logger = logging.getLogger(__name__)

DEFAULT_AUTHOR = "jianxi <jianxi@localhost>"
LOCK_NAME = "jianxi-publish.lock"
GIT_RETRIES = 25  # times 0.2 s: how long to wait for an index.lock held by someone else's git


class PublishError(Exception):
    """Validation refused the files; problems are Chinese lines (path:line:column: field: message)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class GitError(RuntimeError):
    """A git command failed; the message carries its output."""


class BuildError(RuntimeError):
    """The catalogue could not be built; the site online was left as it was."""


# --- git -----------------------------------------------------------------------------------------


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run git in repo and return its stdout; wait a little while another git holds index.lock."""
    command = ["git", "-C", str(repo), "-c", "commit.gpgsign=false", *args]
    for attempt in range(GIT_RETRIES + 1):
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        if result.returncode == 0:
            return result.stdout
        if "index.lock" not in result.stderr or attempt == GIT_RETRIES:
            break
        time.sleep(0.2)
    raise GitError(f"git {' '.join(args[:2])} failed ({result.returncode}): {result.stderr.strip()}")


def _git_dir(repo: Path) -> Path:
    return (repo / git(repo, "rev-parse", "--git-common-dir").strip()).resolve()


@contextmanager
def repo_lock(repo: Path) -> Iterator[Path]:
    """Hold the publishing lock of repo (threads and processes alike); yield its git directory.

    flock locks belong to an open file description, so two threads that each open the file exclude
    each other just as two processes do.
    """
    git_dir = _git_dir(repo)
    with open(git_dir / LOCK_NAME, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield git_dir
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _commit_env(now: dt.datetime, author: str) -> dict[str, str]:
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


# --- writing and committing ----------------------------------------------------------------------


def _apply(
    repo: Path,
    git_dir: Path,
    files: dict[str, str],
    check: list[str],
    message: str,
    now: dt.datetime,
    author: str,
) -> str | None:
    """Validate files (relative path -> text) in a staging copy, move them in, commit; the lock is held.

    check names the relative files or folders to validate in the stage. Returns the new commit's sha,
    or None when the files already held exactly this text (a second run of the same approval).
    """
    if not files:
        return None
    with tempfile.TemporaryDirectory(prefix="jianxi-stage-", dir=git_dir) as staging:
        stage = Path(staging)
        for folder in sorted({Path(relative).parent for relative in files}):
            if (repo / folder).is_dir():
                shutil.copytree(repo / folder, stage / folder)
            else:
                (stage / folder).mkdir(parents=True)
        for relative, text in files.items():
            (stage / relative).write_text(text, encoding="utf-8", newline="\n")
        problems = load_catalogue(stage, [stage / relative for relative in check]).problems
        if problems:
            raise PublishError([str(problem) for problem in problems])
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
            env = _commit_env(now, author)
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


def _ownership_problems(repo: Path, unit_slug: str, unit: Unit) -> list[str]:
    """A unit folder belongs to one credit code, and a credit code to one folder."""
    shown = f"positions/{unit_slug}/{UNIT_FILE}"
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
        problems = _ownership_problems(repo, unit_slug, unit)
        if problems:
            raise PublishError(problems)
        files = unit_files(repo, unit_slug, unit, positions)
        written = [
            f"{unit_slug}/{Path(relative).stem}" for relative in files if not relative.endswith(UNIT_FILE)
        ]
        count = len(positions)
        message = (
            f"Publish {reference}: {unit.name} ({count} position{'s' if count != 1 else ''})\n\n"
            + "".join(f"- {position_id}\n" for position_id in written)
            + f"\nApproved-by: {staff_name}\n"
        )
        sha = _apply(repo, git_dir, files, [folder], message, now, author)
        if sha is None:  # already published: name the commit that did it
            found = git(repo, "log", "-1", "--format=%H", "--fixed-strings", f"--grep=Publish {reference}:")
            return found.strip() or git(repo, "rev-parse", "HEAD").strip()
    logger.info("published %s as %s (%s)", reference, sha[:10], ", ".join(written))
    return sha


def close_expired(
    repo: Path, today: dt.date, actor: str, now: dt.datetime | None = None, author: str = DEFAULT_AUTHOR
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
            + f"\nClosed-by: {actor}\n"
        )
        _apply(repo, git_dir, files, sorted(files), message, now or dt.datetime.now(dt.UTC), author)
    logger.info("closed %s expired positions", len(ids))
    return ids


# --- building and swapping -----------------------------------------------------------------------


def builds_folder(site_link: Path) -> Path:
    return site_link.with_name(site_link.name + ".builds")


def build_and_swap(repo: Path, site_link: Path, today: dt.date, worker_url: str | None = None) -> Path:
    """Build the catalogue into a new folder beside site_link, then point site_link at it atomically.

    Keeps the new build and the one it replaced (requests may still be reading it) and removes the
    rest. A failed build raises and leaves site_link untouched. A real folder at site_link (made by
    `jianxi build`) is moved into the builds folder when the new build is ready.
    """
    site_link = Path(os.path.abspath(site_link))
    if site_link.parent.name.endswith(".builds"):
        raise ValueError(f"{site_link} is a build, not the site link: was SITE_DIR resolved?")
    builds = builds_folder(site_link)
    builds.mkdir(parents=True, exist_ok=True)
    with open(builds / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        catalogue = load_catalogue(repo)
        if catalogue.problems:
            lines = [str(problem) for problem in catalogue.problems]
            raise BuildError("岗位文件有错误，未重建网站：\n" + "\n".join(lines[:50]))
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = builds / stamp
        try:
            build_site(catalogue, repo, target, today=today, worker_url=worker_url)
            if not (target / "index.html").is_file():
                raise BuildError("构建结果缺少 index.html")
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        previous = _switch(site_link, builds, target)
        _prune(builds, keep={target.name, previous})
    logger.info("catalogue built into %s and now served", target)
    return target


def _switch(site_link: Path, builds: Path, target: Path) -> str | None:
    """Point site_link at target with one rename; return the name of the build it pointed at."""
    previous = None
    if site_link.is_symlink():
        previous = Path(os.readlink(site_link)).name
    elif site_link.is_dir():
        # First run after `jianxi build`: the real folder becomes the previous build. Between the
        # two renames the site is missing for an instant (the worker answers 503), once.
        previous = "initial-" + target.name
        os.rename(site_link, builds / previous)
    temporary = site_link.with_name(f".{site_link.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, site_link.parent), temporary)
    os.replace(temporary, site_link)
    return previous


def _prune(builds: Path, keep: set[str | None]) -> None:
    for path in builds.iterdir():
        if path.name not in keep and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
