"""The positions the forms offer, read through the same model and loader as the catalogue build.

The tree is reloaded (in the background, within seconds) when a file under positions/ changes, so an
approved position can be chosen without restarting the worker.
"""

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from site_builder.model.catalogue import Catalogue, PositionEntry, load_catalogue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Positions:
    """What the forms need: every position by id, and which are open today."""

    catalogue: Catalogue
    by_id: dict[str, PositionEntry]

    def is_open(self, position_id: str, today: dt.date) -> bool:
        entry = self.by_id.get(position_id)
        return entry is not None and entry.position.state(today) == "open"

    def open_entries(self, today: dt.date) -> list[PositionEntry]:
        return sorted(
            (e for e in self.by_id.values() if e.position.state(today) == "open"),
            key=lambda e: (e.position.type, e.id),
        )

    def unit_of(self, entry: PositionEntry):
        return self.catalogue.units[entry.unit_slug].unit


class PositionSource:
    """Loads the positions tree once, then looks again every few seconds in the background.

    Looking means stat-ing every file under positions/ (some 60 ms at 5,000 positions), so no
    request waits for it: a request past the interval starts one background look and is answered
    with the tree it has; the next requests get the new tree once it is loaded. Only the first
    request of a process loads the tree itself.
    """

    def __init__(self, root: Path, recheck_seconds: float = 5.0) -> None:
        self.root = root
        self.recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._stamp: tuple[float, int] | None = None
        self._checked = 0.0
        self._looking = False
        self._offer: Positions | None = None

    def _fingerprint(self) -> tuple[float, int]:
        folder = self.root / "positions"
        paths = list(folder.rglob("*")) if folder.exists() else []
        return max((p.stat().st_mtime for p in paths), default=0.0), len(paths)

    def _load(self) -> Positions:
        catalogue = load_catalogue(self.root)
        return Positions(catalogue, {e.id: e for e in catalogue.positions})

    def get(self) -> Positions:
        with self._lock:
            if self._offer is None:
                stamp = self._fingerprint()
                self._offer, self._stamp, self._checked = self._load(), stamp, time.monotonic()
            elif not self._looking and time.monotonic() - self._checked >= self.recheck_seconds:
                self._looking = True
                threading.Thread(target=self._look, name="positions-recheck", daemon=True).start()
            return self._offer

    def _look(self) -> None:
        """Reload the tree if its files changed since the last load (in the background)."""
        try:
            stamp = self._fingerprint()
            if stamp != self._stamp:
                offer = self._load()
                with self._lock:
                    self._offer, self._stamp = offer, stamp
        except Exception:  # the thread must end cleanly; requests keep the tree they have
            logger.exception("could not look at %s for changed positions", self.root)
        finally:
            with self._lock:
                self._checked, self._looking = time.monotonic(), False


def current_positions() -> Positions:
    """The positions of the running app (its PositionSource), for views and tasks."""
    return current_app.extensions["jianxi.positions"].get()
