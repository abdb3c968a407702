"""Chongqing time: the one clock of the catalogue, the forms and the benchmarks.

The programme runs in Chongqing, so "today" (a deadline passing, a position's 发布日期) is the date
there, not on the server. The database stores naive UTC datetimes; `beijing_time` is the one place
that turns them into Beijing time (for staff, emails and exports, here and in the form worker), and
`utc_start_of` turns a Beijing day into the UTC range a query needs. The form worker reads "now" and
"today" through its configured clock (form_worker.core.clock), whose default is this module's. It imports only
the standard library, so asking the time never loads MkDocs, Flask or SQLAlchemy.
"""

import datetime as dt

# China has kept one offset, without daylight saving, since 1991: a fixed zone needs no tzdata.
CHONGQING = dt.timezone(dt.timedelta(hours=8))


def today_in_chongqing() -> dt.date:
    """The date in Chongqing now, which is the day deadlines and publication dates count in."""
    return dt.datetime.now(CHONGQING).date()


def beijing_time(moment: dt.datetime) -> dt.datetime:
    """A stored naive-UTC time (or an aware one, from its own zone) as an aware Beijing time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHONGQING)


def local_time(moment: dt.datetime | None, seconds: bool = False) -> str:
    """A stored naive-UTC time as staff read it everywhere: Beijing time, to the minute ('' for None)."""
    if moment is None:
        return ""
    return beijing_time(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def utc_start_of(day: dt.date) -> dt.datetime:
    """00:00 Beijing time on `day` as a naive UTC datetime, to compare with stored times."""
    return dt.datetime.combine(day, dt.time(), CHONGQING).astimezone(dt.UTC).replace(tzinfo=None)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), or that month's last day when it is shorter
    (31 December + 2 months = 28 February): agreements' longest period, retention deadlines and
    claim months all count this way."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover  # every month has a 28th


def after_today(day: dt.date, today: dt.date, what: str = "") -> str | None:
    """The one rule for a date that records what has happened (an agreement signed, a day worked, a
    payment made, a last day): not after today in Beijing time. The Chinese message, or None."""
    return f"{what}不能晚于今天（{today.isoformat()}）" if day > today else None
