"""The worker's one clock: "now" and "today" come from the app's configuration, never the server.

create_app sets UTCNOW (now in naive UTC, as the database stores it) and CLOCK (the programme's day
in Chongqing); their defaults are `utcnow` below and site_builder.clock.today_in_chongqing, and a
test pins either through test_config. Views and tasks ask `now()` and `today()` here and pass the
time on: services take it as `now=`/`today=` (or a `clock` callable where work in flight must renew
a claim) rather than reading the app. `utcnow` is the wall clock itself, for the configuration's
default and the columns' storage default (core.models) only. Showing a stored time in Beijing time
is site_builder.clock.beijing_time; a daily task at a Chongqing time is core.queue.chongqing_crontab.
"""

import datetime as dt
from collections.abc import Callable

from flask import current_app

from site_builder.clock import CHONGQING


def utcnow() -> dt.datetime:
    """The wall clock in UTC without tzinfo: UTCNOW's default and what DateTime columns default to."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def now() -> dt.datetime:
    """Now in naive UTC, from the app's configured clock (UTCNOW)."""
    moment: dt.datetime = current_app.config["UTCNOW"]()
    return moment


def now_source() -> Callable[[], dt.datetime]:
    """The configured clock itself (UTCNOW), for work that asks the time off the app context, such
    as a heartbeat's thread renewing a claim."""
    source: Callable[[], dt.datetime] = current_app.config["UTCNOW"]
    return source


def today() -> dt.date:
    """The programme's day in Chongqing, from the app's configured clock (CLOCK)."""
    day: dt.date = current_app.config["CLOCK"]()
    return day


def utc_time_of_day(hour: int, minute: int) -> tuple[int, int]:
    """hh:mm in Chongqing as (hour, minute) in UTC, on whichever day that falls: 00:20 in Chongqing
    is 16:20 UTC the day before, 08:30 is 00:30 UTC the same day."""
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"not a time of day: {hour:02}:{minute:02}")
    offset = CHONGQING.utcoffset(None) // dt.timedelta(minutes=1)
    return divmod((hour * 60 + minute - offset) % (24 * 60), 60)
