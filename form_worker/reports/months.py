"""The month range of a subsidy list: parsed from `?from=2026-07&to=2026-12`, at most 13 months."""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from site_builder.clock import add_months

# An internship lasts at most 12 months (agreements.MAX_MONTHS) and so touches at most 13 calendar
# months: one list can hold a whole internship, and a wider table is no longer readable.
MAX_MONTHS = 13
DEFAULT_MONTHS = 6
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


@dataclass(frozen=True)
class MonthRange:
    """The months from `first` to `last`, each given by its first day."""

    first: dt.date
    last: dt.date

    @property
    def months(self) -> list[dt.date]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
        return [add_months(self.first, n) for n in range(count)]

    @property
    def end(self) -> dt.date:
        """The range's last day."""
        return month_end(self.last)

    @property
    def label(self) -> str:
        if self.first == self.last:
            return month_label(self.first)
        return f"{month_label(self.first)}至{month_label(self.last)}"

    def args(self) -> dict[str, str]:
        """The query string that asks for this range again (links, the download form)."""
        return {"from": self.first.strftime("%Y-%m"), "to": self.last.strftime("%Y-%m")}


def default_range(today: dt.date) -> MonthRange:
    """The last six months that have ended: a claim is made for months behind the unit."""
    last = add_months(today.replace(day=1), -1)
    return MonthRange(add_months(last, 1 - DEFAULT_MONTHS), last)


def _month(text: str) -> dt.date | None:
    found = _MONTH.fullmatch(text.strip())
    if found is None:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    return dt.date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def parse_range(args: Mapping[str, str], today: dt.date) -> tuple[MonthRange | None, dict[str, str]]:
    """The range asked for by `from` and `to` (YYYY-MM), the default when both are empty; else
    None and the errors by field name, in Chinese, for the form to show beside each field."""
    given = {name: (args.get(name) or "").strip() for name in ("from", "to")}
    if not any(given.values()):
        return default_range(today), {}
    errors: dict[str, str] = {}
    months: dict[str, dt.date] = {}
    for name, what in (("from", "开始月份"), ("to", "结束月份")):
        month = _month(given[name])
        if not given[name]:
            errors[name] = f"请填写{what}，如 2026-07"
        elif month is None:
            errors[name] = "请按“年-月”填写，如 2026-07"
        else:
            months[name] = month
    if errors:
        return None, errors
    first, last = months["from"], months["to"]
    this_month = today.replace(day=1)
    if last < first:
        errors["to"] = "结束月份不能早于开始月份"
    elif last > this_month:
        errors["to"] = f"结束月份不能晚于本月（{month_label(this_month)}）"
    elif len(MonthRange(first, last).months) > MAX_MONTHS:
        errors["to"] = f"一次最多列 {MAX_MONTHS} 个月，请缩短月份范围"
    return (None, errors) if errors else (MonthRange(first, last), {})
