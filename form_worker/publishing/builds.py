"""The builds behind the site link: switched in with one rename, changed in place when not served.

`SITE_DIR` is a symlink to one complete build in `<SITE_DIR>.builds/`. A full build writes a new
folder there, and a mirror of it (hard links: no file is copied) becomes the spare. A live update
(site_builder.live) writes a few files into the spare, which is not served, and the link is switched
to it: the build served until then becomes the spare, one update behind, and the next update brings
it up to date first. A reader follows the link to one build and sees it whole, old or new.

Files of a build are only ever replaced by a rename, never written through: a hard link shares them
with the other build.
"""

import os
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # MkDocs stays out of the web workers, which import this through the tasks
    from site_builder.live import Update


# Inside the builds folder, what full builds keep for the next one (site_builder.build_site's cache:
# QR codes, `.gz` copies): builds go to new folders, the cache stays.
CACHE = ".cache"


def builds_folder(site_link: Path) -> Path:
    return site_link.with_name(site_link.name + ".builds")


def served(site_link: Path) -> str | None:
    """The name of the build site_link points at, None for a real folder or no site."""
    return Path(os.readlink(site_link)).name if site_link.is_symlink() else None


def mirror(source: Path, target: Path) -> None:
    """target, a copy of the build source made of hard links to its files."""
    for folder, _, names in os.walk(source):
        here = target / os.path.relpath(folder, source)
        here.mkdir(parents=True, exist_ok=True)
        for name in names:
            os.link(os.path.join(folder, name), here / name)


def apply(build: Path, update: "Update") -> None:
    """Lay update over build (not served): its removals, then its files, each put by a rename."""
    for path in update.removed:
        place = build / path
        if place.is_dir() and not place.is_symlink():
            shutil.rmtree(place)
        else:
            place.unlink(missing_ok=True)
    for path in update.written:
        place = build / path
        place.parent.mkdir(parents=True, exist_ok=True)
        temporary = place.with_name(f".jianxi-{os.getpid()}-{place.name}")
        temporary.unlink(missing_ok=True)
        try:
            # A hard link where the update lies on the same file system: creating files is most
            # of an update's cost here, and a file is never written through, so sharing is safe.
            os.link(update.folder / path, temporary)
        except OSError:
            shutil.copy(update.folder / path, temporary)
        os.replace(temporary, place)


def switch(site_link: Path, builds: Path, target: Path) -> str | None:
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


def prune(builds: Path, keep: set[str | None]) -> None:
    """Remove every build but those kept (the cache is no build)."""
    for path in builds.iterdir():
        if path.is_dir() and not path.is_symlink() and path.name not in keep | {CACHE}:
            shutil.rmtree(path, ignore_errors=True)
