"""The statistics kept per process until the data they were computed from changes.

A report's figures are a function of three things: the catalogue (a reload makes a new Positions),
the applications' data (applications.version: a counter the database moves in the same transaction
as any change to the tables the reports read), and the request's own arguments, which make the key:
which report, its Filters (the year, the type and workplace asked for, and a district account's own
units) and whether the priority groups are included (admins only). Since the key holds every
argument the figures are computed from, one scope's figures cannot answer another's request.

A repeated request with unchanged data costs one small SELECT. Each gunicorn process keeps its own
entries, at most ENTRIES of them (the least recently used go first); the counter is the truth they
all read, so none serves figures older than the data. Whatever must happen on every view (the audit
entry of the priority groups) stays with the view, cached or not.
"""

import threading
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from cachetools import LRUCache
from flask import current_app
from sqlalchemy.orm import Session

from ..applications.version import data_version
from ..catalogue.positions import Positions

ENTRIES = 64
T = TypeVar("T")


@dataclass(frozen=True)
class Kept:
    version: int
    value: Any


class FiguresCache:
    """Results by key, each valid for the data version it was computed at and the catalogue now loaded."""

    def __init__(self, entries: int = ENTRIES) -> None:
        self._kept: LRUCache[Hashable, Kept] = LRUCache(entries)
        self._lock = threading.Lock()
        self._catalogue: weakref.ref[Positions] | None = None

    def get(self, session: Session, positions: Positions, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept under key if the data has not changed since, else compute() (kept)."""
        version = data_version(session)  # before the data: a change committed later moves it again
        with self._lock:
            if self._catalogue is None or self._catalogue() is not positions:
                self._kept.clear()  # another catalogue: every figure per position may differ
                self._catalogue = weakref.ref(positions)
            kept = self._kept.get(key)
        if kept is not None and kept.version == version:
            return cast(T, kept.value)
        value = compute()
        with self._lock:
            if self._catalogue() is positions:
                self._kept[key] = Kept(version, value)
        return value

    def __len__(self) -> int:
        return len(self._kept)


def figures_cache() -> FiguresCache:
    """The running app's cache (one per process and app)."""
    return current_app.extensions.setdefault("jianxi.figures", FiguresCache())


def cached(session: Session, positions: Positions, key: Hashable, compute: Callable[[], T]) -> T:
    return figures_cache().get(session, positions, key, compute)
