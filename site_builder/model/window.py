"""The collection window: the notice has units offer positions until 30 June (岗位征集工作请于6月30日前
完成), read as the end of that day, 24:00 Beijing time.

One parser for the setting, like min_internship_months: the worker's configuration
(form_worker.core.config) calls `collection_closes` with its environment, the catalogue build with
the process's own, so the /submit form, the YAML template and the unit guide name the same day.
After the window a unit may still send new positions: the worker marks them late (逾期) and the
office decides; edits of published positions are outside the window altogether.
"""

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..clock import CHONGQING, beijing_time

DEFAULT_PROGRAMME_YEAR = 2026
# The notice's day, in the programme year unless COLLECTION_CLOSES names another.
DEFAULT_CLOSES = (6, 30)
# The countdown shows in the window's last two weeks.
COUNTDOWN_DAYS = 14


def programme_year(environ: Mapping[str, str] = os.environ) -> int:
    """PROGRAMME_YEAR, default 2026: the worker's setting, and the default collection's year."""
    value = environ.get("PROGRAMME_YEAR", "") or str(DEFAULT_PROGRAMME_YEAR)
    if not (len(value) == 4 and value.isascii() and value.isdigit()):
        raise ValueError(f"PROGRAMME_YEAR must be a year such as 2026, not {value!r}")
    return int(value)


def collection_closes(environ: Mapping[str, str] = os.environ) -> dt.date:
    """COLLECTION_CLOSES as a date (YYYY-MM-DD), default 30 June of PROGRAMME_YEAR. A bad value
    raises ValueError naming the setting, so the worker and the build refuse to start with it."""
    value = environ.get("COLLECTION_CLOSES", "").strip()
    if not value:
        return dt.date(programme_year(environ), *DEFAULT_CLOSES)
    try:
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        message = f"COLLECTION_CLOSES must be a date written YYYY-MM-DD, such as 2026-06-30, not {value!r}"
        raise ValueError(message) from None


def closing_moment(closes: dt.date) -> dt.datetime:
    """24:00 Beijing time on `closes` (00:00 the next day) as naive UTC, as the database stores times."""
    end = dt.datetime.combine(closes + dt.timedelta(days=1), dt.time(), CHONGQING)
    return end.astimezone(dt.UTC).replace(tzinfo=None)


def is_late(arrival: dt.datetime, closes: dt.date) -> bool:
    """Whether a submission that arrived at `arrival` (naive UTC) came after the window closed."""
    return arrival >= closing_moment(closes)


def closes_text(closes: dt.date) -> str:
    """The deadline as pages and emails write it: 2026 年 6 月 30 日 24:00（北京时间）."""
    return f"{closes.year} 年 {closes.month} 月 {closes.day} 日 24:00（北京时间）"


def countdown(today: dt.date, closes: dt.date) -> str:
    """What the last two weeks say (on the last day: 今天 24:00 截止); '' before them and after."""
    left = (closes - today).days
    if left == 0:
        return "岗位征集今天 24:00 截止"
    if 0 < left <= COUNTDOWN_DAYS:
        return f"距岗位征集截止还有 {left} 天"
    return ""


def collection_sentence(today: dt.date, closes: dt.date) -> str:
    """The window in one sentence for pages built on `today` (the guide, the YAML template): the
    deadline with its countdown, or, once it has passed, that late positions are the office's call."""
    deadline = closes_text(closes)
    if today > closes:
        return (
            f"岗位征集已于 {deadline}截止。之后提交的新岗位仍会收下，标记为逾期，由市项目办决定是否接收；"
            "修改已发布的岗位不受影响。"
        )
    left = countdown(today, closes)
    return f"岗位征集工作请于 {deadline}前完成。" + (f"{left}。" if left else "")


@dataclass(frozen=True)
class Window:
    """The window as one moment sees it: what /submit shows and whether a new position is late."""

    closes: dt.date
    today: dt.date
    closed: bool

    @classmethod
    def at(cls, now: dt.datetime, closes: dt.date) -> "Window":
        """The window at `now` (naive UTC); its day is that moment's date in Beijing."""
        return cls(closes, beijing_time(now).date(), is_late(now, closes))

    @property
    def deadline(self) -> str:
        return closes_text(self.closes)

    @property
    def countdown(self) -> str:
        return "" if self.closed else countdown(self.today, self.closes)
