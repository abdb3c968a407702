"""Chongqing time: stored naive-UTC times shown in Beijing time, Beijing days as UTC bounds, and a
clock that the form worker and the benchmarks can import without MkDocs."""

import datetime as dt
import subprocess
import sys

from site_builder.clock import CHONGQING, beijing_time, local_time, today_in_chongqing, utc_start_of


def test_importing_the_clock_does_not_load_mkdocs() -> None:
    code = "import sys, site_builder.clock; assert 'mkdocs' not in sys.modules, 'mkdocs was imported'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_local_time_shows_a_stored_utc_time_in_beijing_time() -> None:
    assert local_time(dt.datetime(2026, 6, 30, 16, 30)) == "2026-07-01 00:30"
    assert local_time(dt.datetime(2026, 6, 30, 3, 5, 9)) == "2026-06-30 11:05"
    assert local_time(dt.datetime(2026, 6, 30, 3, 5, 9), seconds=True) == "2026-06-30 11:05:09"
    assert local_time(dt.datetime(2026, 12, 31, 23, 59, 59), seconds=True) == "2027-01-01 07:59:59"
    assert local_time(None) == "" and local_time(None, seconds=True) == ""


def test_local_time_converts_an_aware_time_from_its_own_zone() -> None:
    aware = dt.datetime(2026, 6, 30, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    assert local_time(aware) == "2026-06-30 20:00"


def test_utc_start_of_a_beijing_day_is_16_00_utc_the_day_before() -> None:
    start = utc_start_of(dt.date(2026, 7, 1))
    assert start == dt.datetime(2026, 6, 30, 16, 0) and start.tzinfo is None
    assert utc_start_of(dt.date(2027, 1, 1)) == dt.datetime(2026, 12, 31, 16, 0)
    # A stored time belongs to the Beijing day whose bounds enclose it.
    stored = dt.datetime(2026, 6, 30, 16, 30)
    assert utc_start_of(dt.date(2026, 7, 1)) <= stored < utc_start_of(dt.date(2026, 7, 2))
    assert local_time(stored).startswith("2026-07-01")


def test_today_is_the_date_in_chongqing() -> None:
    before = dt.datetime.now(CHONGQING).date()
    today = today_in_chongqing()
    assert before <= today <= dt.datetime.now(CHONGQING).date()
    assert CHONGQING.utcoffset(None) == dt.timedelta(hours=8)


def test_beijing_time_is_the_one_conversion_of_a_stored_time() -> None:
    shown = beijing_time(dt.datetime(2026, 6, 30, 16, 30))
    assert shown == dt.datetime(2026, 7, 1, 0, 30, tzinfo=CHONGQING) and shown.utcoffset() == dt.timedelta(
        hours=8
    )
    aware = dt.datetime(2026, 6, 30, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    assert beijing_time(aware).hour == 20
