"""The positions the forms offer, read through the same model and loader as the catalogue build.

The tree is reloaded when a file under positions/ changes, so an approved position can be chosen
without restarting the worker.
"""

import datetime as dt
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from site_builder.model.catalogue import Catalogue, PositionEntry, load_catalogue


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
    """Loads the positions tree lazily and again when its files change (looked at every few seconds)."""

    def __init__(self, root: Path, recheck_seconds: float = 5.0) -> None:
        self.root = root
        self.recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._stamp: tuple[float, int] | None = None
        self._checked = 0.0
        self._offer: Positions | None = None

    def _fingerprint(self) -> tuple[float, int]:
        folder = self.root / "positions"
        paths = list(folder.rglob("*")) if folder.exists() else []
        return max((p.stat().st_mtime for p in paths), default=0.0), len(paths)

    def get(self) -> Positions:
        with self._lock:
            if self._offer is not None and time.monotonic() - self._checked < self.recheck_seconds:
                return self._offer
            stamp = self._fingerprint()
            self._checked = time.monotonic()
            if self._offer is None or stamp != self._stamp:
                catalogue = load_catalogue(self.root)
                self._offer = Positions(catalogue, {e.id: e for e in catalogue.positions})
                self._stamp = stamp
            return self._offer


def current_positions() -> Positions:
    """The positions of the running app (its PositionSource), for views and tasks."""
    return current_app.extensions["jianxi.positions"].get()
