"""The intern's own log (见习周志) and end-of-internship report (见习总结), issue 22.

The intern writes a week at a time from /status, on a phone: a draft can be saved and finished on
another visit, then submitted. The mentor (through the unit's account) approves it or returns it
with a comment; a returned week is edited and submitted again. The work file and the certificate
count approved weeks. The report is written and reviewed the same way, and its approval is part of
completing the internship (rules.completion_problem).

Each function checks, writes and stages an audit entry in the caller's transaction; none commits.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import FinalReport, LogEntry, Placement
from .rules import Refused, audit_entry, last_day

STATES = {"draft": "草稿", "submitted": "待导师审阅", "approved": "导师已通过", "returned": "导师退回修改"}
# The intern may change a week or the report only in these states.
WRITABLE = ("draft", "returned")
TEXT_MAX = 1000
REPORT_MAX = 3000
INTERN = "申请人"


@dataclass(frozen=True)
class Week:
    did: str
    learned: str
    problems: str


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_label(week: dt.date) -> str:
    end = week + dt.timedelta(days=6)
    return f"{week.month}月{week.day}日—{end.month}月{end.day}日"


def weeks(placement: Placement, today: dt.date) -> list[dt.date]:
    """The Mondays of the internship's weeks that have begun, latest first."""
    end = last_day(placement)
    if placement.start_date is None or end is None:
        return []
    found, week = [], monday(placement.start_date)
    while week <= min(today, end):
        found.append(week)
        week += dt.timedelta(days=7)
    return found[::-1]


def entries(session: Session, placement: Placement) -> dict[dt.date, LogEntry]:
    rows = session.scalars(select(LogEntry).where(LogEntry.placement_id == placement.id))
    return {row.week: row for row in rows}


def approved_weeks(session: Session, placement: Placement) -> int:
    query = select(func.count()).where(LogEntry.placement_id == placement.id, LogEntry.state == "approved")
    return session.scalar(query) or 0


def _text_problems(texts: dict[str, tuple[str, str, int]], submit: bool) -> dict[str, str]:
    """Each text within its length, and the required ones written when submitting.
    texts: field name → (label, text, maximum); a label of "" marks an optional text."""
    found: dict[str, str] = {}
    for name, (label, text, most) in texts.items():
        if len(text) > most:
            found[name] = f"最多 {most} 个字"
        elif submit and label and not text.strip():
            found[name] = f"提交前请填写{label}"
    return found


def save_week(
    session: Session,
    placement: Placement,
    week: dt.date | None,
    written: Week,
    submit: bool,
    today: dt.date,
    now: dt.datetime,
) -> LogEntry:
    """Save the week as a draft, or submit it to the mentor."""
    if week is None or week not in weeks(placement, today):
        raise Refused({"week": "请选择见习期内、已经开始的一周"})
    row = entries(session, placement).get(week)
    if row is not None and row.state not in WRITABLE:
        raise Refused({"week": f"{week_label(week)}这一周{STATES[row.state]}，不能再修改"})
    found = _text_problems(
        {
            "did": ("本周做了什么", written.did, TEXT_MAX),
            "learned": ("学到了什么", written.learned, TEXT_MAX),
            "problems": ("", written.problems, TEXT_MAX),
        },
        submit,
    )
    if found:
        raise Refused(found)
    if row is None:
        row = LogEntry(placement_id=placement.id, week=week)
        session.add(row)
    row.did, row.learned, row.problems = (
        written.did.strip(),
        written.learned.strip(),
        written.problems.strip(),
    )
    _submit_or_keep(row, submit, now)
    audit_entry(session, INTERN, "log_submitted" if submit else "log_saved", placement, week=week)
    return row


def save_report(
    session: Session, placement: Placement, text: str, submit: bool, now: dt.datetime
) -> FinalReport:
    """Save the end-of-internship report as a draft, or submit it to the mentor."""
    row = session.scalar(select(FinalReport).where(FinalReport.placement_id == placement.id))
    if row is not None and row.state not in WRITABLE:
        raise Refused({"text": f"见习总结{STATES[row.state]}，不能再修改"})
    found = _text_problems({"text": ("见习总结", text, REPORT_MAX)}, submit)
    if found:
        raise Refused(found)
    if row is None:
        row = FinalReport(placement_id=placement.id)
        session.add(row)
    row.text = text.strip()
    _submit_or_keep(row, submit, now)
    audit_entry(session, INTERN, "report_submitted" if submit else "report_saved", placement)
    return row


def _submit_or_keep(row: LogEntry | FinalReport, submit: bool, now: dt.datetime) -> None:
    """A submitted row waits for the mentor; a saved one stays a draft (a returned one keeps its
    state and comment until it is submitted again)."""
    if submit:
        row.state, row.submitted_at = "submitted", now
    elif row.state != "returned":
        row.state = "draft"


def review(
    session: Session,
    placement: Placement,
    row: LogEntry | FinalReport,
    approve: bool,
    comment: str,
    actor: str,
    now: dt.datetime,
) -> None:
    """The mentor approves a submitted week or report, or returns it with what to change."""
    if row.state != "submitted":
        raise Refused({"comment": f"只能审阅已提交的内容（现在是“{STATES[row.state]}”）"})
    if not approve and not comment.strip():
        raise Refused({"comment": "退回时请写明需要修改的地方"})
    if len(comment) > TEXT_MAX:
        raise Refused({"comment": f"意见最多 {TEXT_MAX} 个字"})
    row.state = "approved" if approve else "returned"
    row.comment, row.reviewed_by, row.reviewed_at = comment.strip(), actor, now
    what = "week" if isinstance(row, LogEntry) else "report"
    audit_entry(session, actor, "log_reviewed", placement, what=what, approved=approve)


def report_of(session: Session, placement: Placement) -> FinalReport | None:
    return session.scalar(select(FinalReport).where(FinalReport.placement_id == placement.id))
