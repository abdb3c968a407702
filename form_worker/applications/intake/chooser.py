"""Choosing positions on /apply by searching instead of three lists of every open position.

At 5,000 positions three <select>s of every open one made the page 1.9 MB; now the page lists
only what a search found (SHOWN at most). The search runs on the form's own post (the answers ride
along, as on the check page), so it works without JavaScript and puts nothing typed into a URL.
"""

import datetime as dt
import functools
import weakref
from dataclasses import dataclass

from site_builder.model.catalogue import PositionEntry
from site_builder.model.pinyin import pinyin_words

from ...catalogue.positions import OpenToday, Positions

SHOWN = 20


@dataclass(frozen=True)
class Found:
    entries: list[PositionEntry]
    total: int


def words(positions: Positions, entry: PositionEntry, pinyin: bool = False) -> str:
    """What a search matches: title, unit, district, type, track and tags; with pinyin, also the
    pinyin the catalogue's search matches (site_builder.model.pinyin), so `kepu` finds 科普助理."""
    p = entry.position
    unit = positions.unit_of(entry).name
    text = " ".join([p.title, unit, p.workplace.district, p.type, p.track, *p.tags]).lower()
    if pinyin:
        text += " " + _pinyin(f"{p.title} {unit} {p.workplace.district} {p.type}")
    return text


@functools.lru_cache(maxsize=20_000)
def _pinyin(text: str) -> str:
    """Cached by the words themselves: about 0.2 ms a position, once per process, not per search."""
    return " ".join(pinyin_words(text))


def search(positions: Positions, day: dt.date, text: str, kind: str = "", district: str = "") -> Found:
    """Open positions matching every word of text and the type and district chosen, newest first.

    A word in Latin letters may be pinyin: then the positions' pinyin is matched too."""
    terms = text.lower().split()
    pinyin = any(term.isascii() for term in terms)
    today = positions.open_today(day)
    found = [
        e
        for e, words_of in zip(today.entries, _texts(positions, today, pinyin), strict=True)
        if (not kind or e.position.type == kind)
        and (not district or e.position.workplace.district == district)
        and all(term in words_of for term in terms)
    ]
    return Found(found[:SHOWN], len(found))


# The search text of every position open on a day, worked out on that day's first search and kept
# beside the day's OpenToday (so a reload or a new day drops it): a search then scans 5,000 short
# strings instead of building them (issue 24).
_TEXTS: "weakref.WeakKeyDictionary[OpenToday, dict[bool, tuple[str, ...]]]" = weakref.WeakKeyDictionary()


def _texts(positions: Positions, today: OpenToday, pinyin: bool) -> tuple[str, ...]:
    kept = _TEXTS.setdefault(today, {})
    if pinyin not in kept:
        kept[pinyin] = tuple(words(positions, e, pinyin) for e in today.entries)
    return kept[pinyin]


def label(positions: Positions, position_id: str) -> str:
    """A chosen position in words, or its id when it left the catalogue."""
    entry = positions.by_id.get(position_id)
    if entry is None:
        return position_id
    p = entry.position
    return f"{p.title} — {positions.unit_of(entry).name}（{p.workplace.district}，{p.track}）"


def pick(chosen: list[str], position_id: str, limit: int) -> tuple[list[str], str]:
    """The choices with position_id added at the end, and a notice when it could not be."""
    if position_id in chosen:
        return chosen, "这个岗位已经选过了"
    if len(chosen) >= limit:
        return chosen, f"最多选 {limit} 个岗位；要换一个，请先移除一个已选的岗位"
    return [*chosen, position_id], ""


def similar(positions: Positions, entry: PositionEntry, day: dt.date, limit: int = 3) -> list[PositionEntry]:
    """Open positions a student who wanted `entry` (filled or closed) may take instead: the same type
    in the same district first, then the same type, then the same district; newest first in each.
    One pass over the day's open positions, newest first, that stops once the first rank is full."""
    wanted = entry.position

    def closeness(e: PositionEntry) -> int:
        same_type = e.position.type == wanted.type
        same_district = e.position.workplace.district == wanted.workplace.district
        return 0 if same_type and same_district else 1 if same_type else 2 if same_district else 3

    ranked: tuple[list[PositionEntry], ...] = ([], [], [])
    for e in positions.open_entries(day):  # newest first
        rank = closeness(e)
        if e.id != entry.id and rank < 3 and len(ranked[rank]) < limit:
            ranked[rank].append(e)
            if len(ranked[0]) == limit:
                break
    return [*ranked[0], *ranked[1], *ranked[2]][:limit]
