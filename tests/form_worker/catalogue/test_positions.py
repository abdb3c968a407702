"""The positions the forms offer: what is worked out once per catalogue and day (issue 24)."""

import datetime as dt

from form_worker.catalogue.positions import PositionSource
from tests.conftest import ROOT


def test_the_open_positions_of_a_day_are_worked_out_once() -> None:
    """A form offering positions does not sort the catalogue on every request: the day's open
    positions, types and districts are kept with the catalogue they came from."""
    positions = PositionSource(ROOT).get()
    day = dt.date(2026, 11, 27)
    today = positions.open_today(day)
    assert positions.open_today(day) is today and positions.open_entries(day) is today.entries
    expected = sorted(
        (e for e in positions.by_id.values() if e.position.state(day) == "open"),
        key=lambda e: (e.position.published, e.id),
        reverse=True,
    )
    assert list(today.entries) == expected and 0 < len(expected) < len(positions.by_id)
    assert today.types == tuple(sorted({e.position.type for e in expected}))
    assert today.districts == tuple(sorted({e.position.workplace.district for e in expected}))
    later = positions.open_today(dt.date(2027, 7, 1))  # another day: worked out again
    assert later is not today and len(later.entries) < len(today.entries)


def test_a_units_positions_are_looked_up_not_scanned_for() -> None:
    """The pages of one unit (its confirmation, its national export, its submissions) ask an
    index by unit, built once per catalogue, for every position of the unit in every state."""
    positions = PositionSource(ROOT).get()
    slug = next(iter(positions.by_id.values())).unit_slug
    expected = sorted((e for e in positions.by_id.values() if e.unit_slug == slug), key=lambda e: e.id)
    assert list(positions.of_unit(slug)) == expected and expected
    assert positions.of_unit(slug) is positions.of_unit(slug)
    assert positions.of_unit("no-such-unit") == ()
    assert sum(len(positions.of_unit(s)) for s in positions.catalogue.units) == len(positions.by_id)
