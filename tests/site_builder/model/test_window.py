"""The collection window (issue 23): COLLECTION_CLOSES, default 30 June of PROGRAMME_YEAR, ends at
24:00 Beijing time; the last two weeks count down. One parser serves the worker and the build."""

import datetime as dt

import pytest

from site_builder.clock import CHONGQING
from site_builder.model.window import (
    Window,
    closing_moment,
    collection_closes,
    collection_sentence,
    countdown,
    is_late,
    programme_year,
)

CLOSES = dt.date(2026, 6, 30)


def beijing(*when: int) -> dt.datetime:
    """A moment in Beijing time as the database stores it: naive UTC."""
    return dt.datetime(*when, tzinfo=CHONGQING).astimezone(dt.UTC).replace(tzinfo=None)


def test_the_window_closes_at_midnight_beijing_time() -> None:
    assert closing_moment(CLOSES) == dt.datetime(2026, 6, 30, 16, 0)
    assert not is_late(beijing(2026, 6, 30, 23, 59, 59), CLOSES)
    assert is_late(beijing(2026, 7, 1, 0, 0, 0), CLOSES)
    assert is_late(dt.datetime(2026, 6, 30, 16, 0), CLOSES)  # the same moment, in UTC
    # Still 30 June in UTC, already 1 July in Chongqing: late.
    assert is_late(dt.datetime(2026, 6, 30, 20, 0), CLOSES)


def test_the_default_is_30_june_of_the_programme_year() -> None:
    assert collection_closes({}) == dt.date(2026, 6, 30)
    assert collection_closes({"PROGRAMME_YEAR": "2027"}) == dt.date(2027, 6, 30)
    assert collection_closes({"PROGRAMME_YEAR": "2027", "COLLECTION_CLOSES": ""}) == dt.date(2027, 6, 30)
    assert programme_year({}) == 2026


def test_a_configured_date_wins() -> None:
    assert collection_closes({"COLLECTION_CLOSES": "2026-07-15"}) == dt.date(2026, 7, 15)
    assert collection_closes({"PROGRAMME_YEAR": "2027", "COLLECTION_CLOSES": " 2027-05-31 "}) == dt.date(
        2027, 5, 31
    )


@pytest.mark.parametrize("value", ["30/06/2026", "2026-6-30", "2026-02-30", "20260630", "6月30日", "soon"])
def test_a_bad_date_names_the_setting(value: str) -> None:
    with pytest.raises(ValueError, match="COLLECTION_CLOSES must be a date written YYYY-MM-DD"):
        collection_closes({"COLLECTION_CLOSES": value})


@pytest.mark.parametrize("value", ["26", "二〇二六", "2026.0"])
def test_a_bad_year_names_the_setting(value: str) -> None:
    with pytest.raises(ValueError, match="PROGRAMME_YEAR"):
        collection_closes({"PROGRAMME_YEAR": value})


@pytest.mark.parametrize(
    ("today", "shown"),
    [
        (dt.date(2026, 6, 1), ""),
        (dt.date(2026, 6, 15), ""),
        (dt.date(2026, 6, 16), "距岗位征集截止还有 14 天"),
        (dt.date(2026, 6, 29), "距岗位征集截止还有 1 天"),
        (dt.date(2026, 6, 30), "岗位征集今天 24:00 截止"),
        (dt.date(2026, 7, 1), ""),
    ],
)
def test_the_countdown_runs_only_in_the_last_two_weeks(today: dt.date, shown: str) -> None:
    assert countdown(today, CLOSES) == shown


def test_the_window_at_a_moment() -> None:
    last = Window.at(beijing(2026, 6, 30, 23, 59, 59), CLOSES)
    assert not last.closed and last.countdown == "岗位征集今天 24:00 截止"
    assert last.deadline == "2026 年 6 月 30 日 24:00（北京时间）"
    after = Window.at(beijing(2026, 7, 1, 0, 0, 0), CLOSES)
    assert after.closed and after.countdown == ""
    # 00:30 Beijing on 16 June is still 15 June in UTC: the day counted is Beijing's.
    assert Window.at(beijing(2026, 6, 16, 0, 30, 0), CLOSES).countdown == "距岗位征集截止还有 14 天"


def test_the_sentence_of_the_guide_and_the_template() -> None:
    assert collection_sentence(dt.date(2026, 5, 1), CLOSES) == (
        "岗位征集工作请于 2026 年 6 月 30 日 24:00（北京时间）前完成。"
    )
    assert collection_sentence(dt.date(2026, 6, 27), CLOSES).endswith("前完成。距岗位征集截止还有 3 天。")
    closed = collection_sentence(dt.date(2026, 7, 1), CLOSES)
    assert closed.startswith("岗位征集已于 2026 年 6 月 30 日 24:00（北京时间）截止。")
    assert "由市项目办决定是否接收" in closed
