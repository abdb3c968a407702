"""Publish the catalogue: a full build now and then, and each change in seconds in between.

The public site is a symlink, `SITE_DIR`, to one complete build in `<SITE_DIR>.builds/`
(publishing.builds). `build_and_swap` builds everything into a fresh folder and leaves this
process a warm copy of what it built (site_builder.live); `publish_change` then lays a commit over
the served build from that copy, rendering only the pages the commit touches. Either way the link
is switched with one rename, and a failure leaves it alone. Build folders are named by the wall
clock (core.clock.utcnow), not the configured one: the names must stay unique and in order even
while a test pins the time.
"""

import datetime as dt
import fcntl
import logging
import multiprocessing
import os
import shutil
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from site_builder.model.catalogue import Catalogue, load_catalogue, reload

from ..catalogue.version import head_commit
from ..core.clock import utcnow
from .builds import CACHE, apply, builds_folder, mirror, prune, served, switch
from .git import git

if TYPE_CHECKING:  # MkDocs is loaded only where builds run (the consumer), not in web workers
    from site_builder.live import LiveSite, Update

logger = logging.getLogger(__name__)

POSITIONS = "positions"
SHOWCASE = "showcase"  # the showcase page's files (成果展示), rendered by the fast path too


class BuildError(RuntimeError):
    """The catalogue could not be built; the site online was left as it was."""


def apply_base(worker_url: str, catalogue_url: str) -> str:
    """How the catalogue's 立即报名 links reach the worker: root-relative when both share an origin.

    Relative links follow whatever address the visitor used; a catalogue hosted apart from the
    worker needs the worker's absolute address.
    """
    origin = urlsplit(worker_url)[:2]
    return "" if origin == urlsplit(catalogue_url)[:2] else worker_url


@dataclass
class _Warm:
    """This process's warm copy of the served build: which build, at which commit, for which day
    and worker address (pages show both), the LiveSite that renders its changes, and the spare
    build (not served) with the update it still lacks."""

    live: "LiveSite"
    build: str
    commit: str
    today: dt.date
    worker_url: str | None
    site_url: str | None
    spare: str
    behind: "Update | None" = None


# A full build at the programme's scale keeps every core busy for a minute. From this many
# positions on, it runs in a child process at lower priority, so that the changes published
# meanwhile from the warm copy (in this process, at normal priority) are not slowed by it.
APART_FROM = 500
NICENESS = 10

# One per site link; read and replaced only under the builds lock.
_warm: dict[Path, _Warm] = {}


@contextmanager
def _builds_lock(builds: Path) -> Iterator[None]:
    builds.mkdir(parents=True, exist_ok=True)
    with open(builds / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _link(site_link: Path) -> Path:
    site_link = Path(os.path.abspath(site_link))
    if site_link.parent.name.endswith(".builds"):
        raise ValueError(f"{site_link} is a build, not the site link: was SITE_DIR resolved?")
    return site_link


def _checked(catalogue: Catalogue) -> Catalogue:
    if catalogue.problems:
        lines = [str(problem) for problem in catalogue.problems]
        raise BuildError("岗位文件有错误，未重建网站：\n" + "\n".join(lines[:50]))
    return catalogue


def _stamp() -> str:
    return utcnow().strftime("%Y%m%dT%H%M%S%fZ")


def build_and_swap(
    repo: Path,
    site_link: Path,
    today: dt.date,
    worker_url: str | None = None,
    places_held: Mapping[str, int] | None = None,
    site_url: str | None = None,
) -> Path:
    """Build the catalogue into a new folder beside site_link, then point site_link at it atomically.

    The build runs outside the builds lock, so changes keep being published meanwhile; before the
    switch, the commits that landed since the build read the files are laid over it, so the site
    never goes back. Keeps the new build and the one it replaced (requests may still be reading it)
    and removes the rest. A failed build raises and leaves site_link untouched. A real folder at
    site_link (made by `jianxi build`) is moved into the builds folder when the new build is ready.
    """
    site_link = _link(site_link)
    builds = builds_folder(site_link)
    builds.mkdir(parents=True, exist_ok=True)
    commit = head_commit(repo)
    catalogue = _checked(load_catalogue(repo))
    target = builds / _stamp()
    spare = builds / f"{target.name}-spare" if commit else None
    # Imported here, not at the top: it loads MkDocs, which only the consumer's builds need, and
    # every web worker imports this module through the tasks it queues.
    from site_builder.live import LiveSite

    job = _FullBuild(catalogue, repo, target, spare, today, worker_url, places_held, site_url)
    try:
        job.run_apart() if len(catalogue.positions) >= APART_FROM else job.run()
    except BaseException:
        for folder in (target, spare):
            if folder:
                shutil.rmtree(folder, ignore_errors=True)
        raise
    warm = None
    if spare:
        try:
            live = LiveSite(repo, catalogue, target, today, worker_url, places_held, site_url)
            warm = _Warm(live, target.name, commit, today, worker_url, site_url, spare.name)
        except Exception:  # the build stands; changes then wait for the next full build
            logger.exception("could not keep a warm copy of the build in %s", target)
    _serve(repo, site_link, target, warm, commit, places_held)
    logger.info("catalogue built into %s and now served", target)
    return target


def _serve(
    repo: Path,
    site_link: Path,
    target: Path,
    warm: _Warm | None,
    commit: str,
    places_held: Mapping[str, int] | None,
) -> None:
    """Switch site_link to a full build (with what landed since commit laid over it) and keep
    its warm copy for the fast path."""
    builds = builds_folder(site_link)
    with _builds_lock(builds):
        if warm and head_commit(repo) != commit:
            _catch_up(repo, target, warm, places_held)
        previous = switch(site_link, builds, target)
        for gone in [link for link in _warm if not link.is_symlink()]:
            del _warm[gone]  # a site that no longer exists (a test's) keeps no copy alive
        if warm:
            _warm[site_link] = warm
        else:
            _warm.pop(site_link, None)
    # Outside the lock (removing a whole build takes a second or more): only a full build makes
    # build folders, and the fast path only switches between the two kept here.
    prune(builds, keep={target.name, previous, warm.spare if warm else None})


@dataclass(frozen=True)
class _FullBuild:
    """A full build into target, mirrored into spare (the fast path's other build): run here, or
    sent to a child process (it pickles)."""

    catalogue: Catalogue
    repo: Path
    target: Path
    spare: Path | None
    today: dt.date
    worker_url: str | None
    places_held: Mapping[str, int] | None
    site_url: str | None

    def run(self) -> None:
        from site_builder.build import build_site

        build_site(
            self.catalogue,
            self.repo,
            self.target,
            today=self.today,
            worker_url=self.worker_url,
            places_held=self.places_held,
            site_url=self.site_url,
            cache=self.target.parent / CACHE,
        )
        if not (self.target / "index.html").is_file():
            raise BuildError("构建结果缺少 index.html")
        if self.spare:
            mirror(self.target, self.spare)

    def run_apart(self) -> None:
        """run in a child process at lower priority. Spawned, not forked: the consumer's other
        threads may hold locks that a forked child would inherit locked."""
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=context, initializer=os.nice, initargs=(NICENESS,)) as pool:
            pool.submit(self.run).result()


def publish_change(
    repo: Path,
    site_link: Path,
    today: dt.date,
    worker_url: str | None = None,
    places_held: Mapping[str, int] | None = None,
    site_url: str | None = None,
) -> Path | None:
    """Publish the commits since the served build in seconds, from this process's warm copy of it.

    Returns the new build, or None when there is no warm copy of the served build here (this
    process has not built it, the day turned, the worker moved): the caller's full build then
    does it. A change whose files fail validation raises BuildError and publishes nothing.
    """
    site_link = _link(site_link)
    builds = builds_folder(site_link)
    with _builds_lock(builds):
        warm = _warm.get(site_link)
        if (
            warm is None
            or warm.build != served(site_link)
            or warm.today != today
            or (warm.worker_url, warm.site_url) != (worker_url, site_url)
        ):
            return None
        try:
            final = builds / warm.spare
            if warm.behind is not None:
                apply(final, warm.behind)  # the spare was served until the last update
                shutil.rmtree(warm.behind.folder, ignore_errors=True)
            warm.behind = None
            _catch_up(repo, final, warm, places_held)
        except BaseException:
            # The copy may be half-way through the update: build in full next time instead.
            _warm.pop(site_link, None)
            raise
        previous = switch(site_link, builds, final)
        assert previous is not None  # nosec B101  # warm.build is served, checked above
        warm.build, warm.spare = final.name, previous
    logger.info("change published into %s and now served", final)
    return final


def _catch_up(repo: Path, build: Path, warm: _Warm, places_held: Mapping[str, int] | None) -> None:
    """Lay the commits since warm.commit (and the places held now) over build, not served, and
    keep the update for the spare, which then lacks it; warm then stands at the new commit."""
    commit = head_commit(repo)
    names = ["--name-only", "--relative", "--no-renames", warm.commit, commit, "--", POSITIONS, SHOWCASE]
    changed = git(repo, "diff", *names) if commit != warm.commit else ""
    catalogue = _checked(reload(warm.live.catalogue, repo, changed.splitlines()))
    update = warm.live.update(catalogue, places_held)
    apply(build, update)
    if warm.behind is not None:
        shutil.rmtree(warm.behind.folder, ignore_errors=True)
    warm.behind, warm.commit = update, commit
