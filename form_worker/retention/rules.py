"""The retention rules as data: for each kind of record, how long it is kept and what happens then.

Built from the settings the README documents (RETAIN_UNPLACED_MONTHS, RETAIN_PLACED_YEARS,
RETAIN_EMAIL_DAYS, RETAIN_FEEDBACK_DAYS, DRAFT_DAYS), so the daily purge, the personal-data page
and the README say the same thing. The date arithmetic lives here too: a deadline is one date, and
"due" means today is on or after it.
"""

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from site_builder.clock import add_months, beijing_time, utc_start_of

UNITS = {"days": "天", "months": "个月", "years": "年"}
THEN = {
    "anonymise": "匿名化",
    "clear": "清除正文、隐去收件人",
    "clear_contact": "删除反馈人的联系方式",
    "clear_file": "清除名单文件",
    "delete": "删除",
    "keep": "长期保存",
}


@dataclass(frozen=True)
class Rule:
    """One kind of record: kept `period` `unit` after `counted_from`, then `then`.

    `kind` names its count in a purge report and in the retention_purge audit entry.
    """

    kind: str
    records: str
    counted_from: str
    period: int
    unit: str  # days, months, years; "" for a record that is kept
    then: str  # anonymise, clear, delete or keep (THEN)
    enforced_by: str

    @property
    def summary(self) -> str:
        """The rule in one Chinese sentence, as the personal-data page shows it."""
        if self.then == "keep":
            return f"{self.records}：{THEN['keep']}"
        if not self.unit:  # follows another rule rather than a period of its own
            return f"{self.records}：{self.counted_from}后{THEN[self.then]}"
        return f"{self.records}：{self.counted_from}后 {self.period} {UNITS[self.unit]}{THEN[self.then]}"


def add_years(day: dt.date, years: int) -> dt.date:
    """The same date `years` later; 29 February becomes 1 March, so the period is never short."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def years_before(day: dt.date, years: int) -> dt.date:
    """The latest date whose add_years(…, years) is on or before `day` (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return dt.date(day.year - years, 2, 28)


@dataclass(frozen=True)
class Rules:
    """Every rule, by the kind of record it covers, with the deadlines the purge asks for."""

    unplaced: Rule
    placed: Rule
    email: Rule
    filing: Rule
    drafts: Rule
    audit: Rule
    feedback: Rule

    def __iter__(self) -> Iterator[Rule]:
        rules = (self.unplaced, self.placed, self.email, self.filing, self.feedback, self.drafts, self.audit)
        return iter(rules)

    def unplaced_deadline(self, programme_year: int) -> dt.date:
        """When an application of this year that was never placed is anonymised."""
        return add_months(dt.date(programme_year, 12, 31), self.unplaced.period)

    def unplaced_due_through(self, today: dt.date) -> int:
        """The latest programme year whose never-placed applications are due today."""
        year = today.year
        while self.unplaced_deadline(year) > today:
            year -= 1
        return year

    def placed_deadline(self, ended: dt.date) -> dt.date:
        """When a placement that ended on `ended` is anonymised with its work file and application."""
        return add_years(ended, self.placed.period)

    def placed_cutoff(self, today: dt.date) -> dt.date:
        """The latest end of an internship that is due today: ended <= cutoff ⇔ deadline <= today."""
        return years_before(today, self.placed.period)

    def email_cutoff(self, now: dt.datetime) -> dt.datetime:
        """Emails sent (or failed) at or before this moment are due."""
        return now - dt.timedelta(days=self.email.period)

    def feedback_cutoff(self, now: dt.datetime) -> dt.datetime:
        """Position reports received at or before this moment lose their contact."""
        return now - dt.timedelta(days=self.feedback.period)


def created_before_year_end(year: int) -> dt.datetime:
    """The UTC moment a Chongqing year ends: a row created before it belongs to `year` or earlier
    (for the oldest rows, which have no programme_year)."""
    return utc_start_of(dt.date(year + 1, 1, 1))


def chongqing_year(moment: dt.datetime) -> int:
    """The Chongqing year of a stored naive-UTC moment (the fallback for rows without programme_year)."""
    return beijing_time(moment).year


def from_config(config: Mapping[str, Any]) -> Rules:
    """The rules with the periods this installation is configured for."""

    def setting(name: str) -> int:
        return int(config[name])

    return Rules(
        unplaced=Rule(
            "unplaced",
            "从未签订见习协议的报名",
            "所属计划年度结束（12 月 31 日）",
            setting("RETAIN_UNPLACED_MONTHS"),
            "months",
            "anonymise",
            "retention.tasks.purge_personal_data",
        ),
        placed=Rule(
            "placed",
            "已签订见习协议的报名及其见习档案",
            "见习结束",
            setting("RETAIN_PLACED_YEARS"),
            "years",
            "anonymise",
            "retention.tasks.purge_personal_data",
        ),
        email=Rule(
            "email",
            "已发送的邮件",
            "发送",
            setting("RETAIN_EMAIL_DAYS"),
            "days",
            "clear",
            "retention.tasks.purge_personal_data",
        ),
        # A national filing batch's file lists every applicant in it with their contacts; it is kept
        # as long as any of them is, so the office can download the batch again until then.
        filing=Rule(
            "filing",
            "全国备案批次的名单文件",
            "批次内的报名全部匿名化",
            0,
            "",
            "clear_file",
            "retention.tasks.purge_personal_data",
        ),
        drafts=Rule(
            "drafts",
            "岗位申报草稿",
            "最后一次保存",
            setting("DRAFT_DAYS"),
            "days",
            "delete",
            "submissions.tasks.purge_drafts",
        ),
        audit=Rule("audit", "操作日志", "", 0, "", "keep", ""),
        # A reader's contact on a report about a position (form_worker.feedback) is held only to
        # answer the report; the report itself names nobody and stays.
        feedback=Rule(
            "feedback",
            "岗位问题反馈中留下的联系方式",
            "收到反馈",
            setting("RETAIN_FEEDBACK_DAYS"),
            "days",
            "clear_contact",
            "retention.tasks.purge_personal_data",
        ),
    )
