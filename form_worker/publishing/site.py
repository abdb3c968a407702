"""The public site is a symlink, `SITE_DIR`, to one complete build in `<SITE_DIR>.builds/`.

A new build goes into a fresh folder there; the link is switched with one rename, so a reader sees
either the old site or the new one, never a half-built one; a failed build leaves the link alone.
Build folders are named by the wall clock (core.clock.utcnow), not the configured one: the names
must stay unique and in order even while a test pins the time.
"""

import datetime as dt
import fcntl
import logging
import os
import shutil
import threading
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from site_builder.model.catalogue import load_catalogue

from ..core.clock import utcnow

logger = logging.getLogger(__name__)


class BuildError(RuntimeError):
    """The catalogue could not be built; the site online was left as it was."""


def builds_folder(site_link: Path) -> Path:
    return site_link.with_name(site_link.name + ".builds")


def apply_base(worker_url: str, catalogue_url: str) -> str:
    """How the catalogue's 立即报名 links reach the worker: root-relative when both share an origin.

    Relative links follow whatever address the visitor used; a catalogue hosted apart from the
    worker needs the worker's absolute address.
    """
    origin = urlsplit(worker_url)[:2]
    return "" if origin == urlsplit(catalogue_url)[:2] else worker_url


def build_and_swap(
    repo: Path,
    site_link: Path,
    today: dt.date,
    worker_url: str | None = None,
    places_held: Mapping[str, int] | None = None,
) -> Path:
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
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
        target = builds / stamp
        # Imported here, not at the top: it loads MkDocs, which only the consumer's builds need,
        # and every web worker imports this module through the tasks it queues.
        from site_builder.build import build_site

        try:
            build_site(catalogue, repo, target, today=today, worker_url=worker_url, places_held=places_held)
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
