"""The positions the forms offer, read through the same model and loader as the catalogue build.

Every request and task asks whether the working copy's commit moved (catalogue.version: a few small
reads) and reloads at once when it did, so an application made the moment a position is published
is checked against it. Files changed without a commit (edited by hand) are found by a look in the
background within seconds.
"""

import datetime as dt
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from site_builder.model.catalogue import Catalogue, PositionEntry, load_catalogue

from .version import head_commit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Positions:
    """What the forms need: every position by id, and which are open today.

    The open positions of a day, and their types and districts, are worked out once per day and
    kept: a reload makes a new Positions, so they never outlive the catalogue they came from, and a
    form offering positions does not sort the whole catalogue per request (issue 24).
    """

    catalogue: Catalogue
    by_id: dict[str, PositionEntry]
    _open: dict[dt.date, "OpenToday"] = field(default_factory=dict, compare=False, repr=False)
    _by_unit: dict[str, tuple[PositionEntry, ...]] = field(default_factory=dict, compare=False, repr=False)

    def is_open(self, position_id: str, today: dt.date) -> bool:
        entry = self.by_id.get(position_id)
        return entry is not None and entry.position.state(today) == "open"

    def open_today(self, today: dt.date) -> "OpenToday":
        found = self._open.get(today)
        if found is None:
            entries = tuple(
                sorted(
                    (e for e in self.by_id.values() if e.position.state(today) == "open"),
                    key=lambda e: (e.position.published, e.id),
                    reverse=True,
                )
            )
            found = OpenToday(
                entries,
                tuple(sorted({e.position.type for e in entries})),
                tuple(sorted({e.position.workplace.district for e in entries})),
            )
            self._open.clear()  # only today's is ever asked for again
            self._open[today] = found
        return found

    def open_entries(self, today: dt.date) -> tuple[PositionEntry, ...]:
        return self.open_today(today).entries

    def of_unit(self, unit_slug: str) -> tuple[PositionEntry, ...]:
        """A unit's positions (every state), by id: looked up, not found by scanning the catalogue."""
        if not self._by_unit:
            grouped: dict[str, list[PositionEntry]] = {}
            for entry in sorted(self.by_id.values(), key=lambda e: e.id):
                grouped.setdefault(entry.unit_slug, []).append(entry)
            self._by_unit.update((slug, tuple(entries)) for slug, entries in grouped.items())
        return self._by_unit.get(unit_slug, ())

    def unit_of(self, entry: PositionEntry):
        return self.catalogue.units[entry.unit_slug].unit


@dataclass(frozen=True, eq=False)
class OpenToday:
    """The positions open on a day (newest first, then by id, descending), and the types and
    districts among them. Compared by identity: a day's is worked out once (the chooser keeps its
    search texts beside it)."""

    entries: tuple[PositionEntry, ...]
    types: tuple[str, ...]
    districts: tuple[str, ...]


class PositionSource:
    """Loads the positions tree once, then again whenever the working copy's commit moves (at once,
    the caller waiting for the load) or its files change without a commit (in the background).

    The commit is compared on every get(). For files changed by hand, no request waits: a request
    past the interval starts one background look and is answered with the tree it has. A look is
    cheap, the folders' mtimes and git's index (some 3 ms at 5,000 positions: adding or removing a
    file changes its folder); every `FULL_EVERY`-th look (once a minute) also stats every file (some
    30 ms), which catches a file edited in place.
    """

    FULL_EVERY = 12

    def __init__(self, root: Path, recheck_seconds: float = 5.0) -> None:
        self.root = root
        self.recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._stamps: tuple[object, object] | None = None
        self._checked = 0.0
        self._looks = 0
        self._looking = False
        self._offer: Positions | None = None
        self._version: str | None = None
        self._loading = threading.Lock()  # one load at a time when the commit moves

    def _quick(self) -> tuple[float, ...]:
        folder = self.root / "positions"
        index = self.root / ".git" / "index"
        stamps = [index.stat().st_mtime if index.exists() else 0.0]
        if folder.exists():
            stamps.append(folder.stat().st_mtime)
            with os.scandir(folder) as entries:
                stamps += sorted(e.stat().st_mtime for e in entries if e.is_dir())
        return tuple(stamps)

    def _full(self) -> tuple[float, int]:
        """The newest mtime and the number of entries under positions/ (os.scandir: half the cost
        of Path.rglob)."""
        newest, count = 0.0, 0
        folders = [str(self.root / "positions")] if (self.root / "positions").exists() else []
        while folders:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    count += 1
                    newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
        return newest, count

    def _load(self) -> Positions:
        catalogue = load_catalogue(self.root)
        return Positions(catalogue, {e.id: e for e in catalogue.positions})

    def get(self) -> Positions:
        version = head_commit(self.root)
        if version != self._version:
            self._reload(version)
        with self._lock:
            assert self._offer is not None  # nosec B101  # loaded above, before any look
            if not self._looking and time.monotonic() - self._checked >= self.recheck_seconds:
                self._looking = True
                threading.Thread(target=self._look, name="positions-recheck", daemon=True).start()
            return self._offer

    def _reload(self, version: str) -> None:
        """Load the tree at `version` (the caller waits); concurrent callers wait for one load."""
        with self._loading:
            if version == self._version:  # another caller loaded it meanwhile
                return
            stamps = (self._quick(), self._full())
            offer = self._load()
            with self._lock:
                self._offer, self._stamps, self._version = offer, stamps, version
                self._checked = time.monotonic()

    def _look(self) -> None:
        """Reload the tree if its files changed since the last load (in the background)."""
        try:
            assert self._stamps is not None  # nosec B101  # set by the first get(), before any look
            self._looks += 1
            quick, full = self._quick(), self._stamps[1]
            if self._looks % self.FULL_EVERY == 0 or quick != self._stamps[0]:
                full = self._full()
            if (quick, full) != self._stamps:
                offer = self._load()
                with self._lock:
                    self._offer, self._stamps = offer, (quick, full)
        except Exception:  # the thread must end cleanly; requests keep the tree they have
            logger.exception("could not look at %s for changed positions", self.root)
        finally:
            with self._lock:
                self._checked, self._looking = time.monotonic(), False


def current_positions() -> Positions:
    """The positions of the running app (its PositionSource), for views and tasks."""
    return current_app.extensions["jianxi.positions"].get()
