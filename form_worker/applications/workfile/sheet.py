"""A month's attendance for all of a unit's interns as one spreadsheet: the template to download,
filled with the interns of that month (and what is already recorded), and its upload.

The upload goes through the same archive check as the 岗位征集表 (site_builder.spreadsheet.archive)
before openpyxl unpacks it, and reports problems the same way, one line per row (`第 N 行：…`);
if any row is wrong nothing is saved, so a clerk fixes the sheet and uploads it again whole.
"""

import datetime as dt
import warnings
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from openpyxl import load_workbook

from site_builder.spreadsheet.archive import TOO_LARGE, Unsafe, check_archive
from site_builder.spreadsheet.reader import NOT_A_WORKBOOK, UNREADABLE_ERRORS

from ...core.downloads import write_xlsx
from ..models import Attendance, Placement
from .rules import month_label
from .services import Days, attendance_problems

COLUMNS = ("报名编号", "姓名", "岗位", "应出勤天数", "出勤天数", "事假天数", "病假天数", "缺勤天数", "备注")
NUMBERS = {
    "应出勤天数": "expected",
    "出勤天数": "present",
    "事假天数": "personal_leave",
    "病假天数": "sick_leave",
}
NUMBERS["缺勤天数"] = "absent"
FIELD_LABELS = {name: label for label, name in NUMBERS.items()} | {"note": "备注", "month": "月份"}
MAX_ROWS = 2000


@dataclass(frozen=True)
class Intern:
    """One row of the sheet: who, where, and what is recorded for the month already."""

    reference: str
    name: str
    position: str
    placement: Placement
    recorded: Attendance | None


def sheet_title(month: dt.date) -> str:
    return f"{month_label(month)}考勤"


def template(month: dt.date, interns: list[Intern]) -> bytes:
    """The sheet for one month: one row per intern, the recorded days filled in where there are any."""
    rows: list[list[str | int | None]] = []
    for intern in interns:
        days = intern.recorded
        counts: list[str | int | None] = (
            [days.expected, days.present, days.personal_leave, days.sick_leave, days.absent, days.note]
            if days is not None
            else [None, None, 0, 0, 0, ""]
        )
        rows.append([intern.reference, intern.name, intern.position, *counts])
    return write_xlsx([(sheet_title(month), list(COLUMNS), rows)])


def _number(value: Any) -> int | None:
    """A whole number of days as a cell holds it (1, 1.0 or "1"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and len(text) <= 4 and text.lstrip("-").isdigit():  # "31", not "٣١" or 5,000 digits
        return int(text)
    return None


def _rows(data: bytes) -> tuple[list[tuple[Any, ...]] | None, str | None]:
    try:
        check_archive(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = []
        # A cell far to the right would make openpyxl pad every row to it.
        for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2, max_col=len(COLUMNS) + 10):
            rows.append(tuple(row))
        workbook.close()
        return rows, None
    except Unsafe:
        return None, TOO_LARGE
    except UNREADABLE_ERRORS:
        return None, NOT_A_WORKBOOK
    except IndexError:
        return None, "文件里没有工作表"


def read(
    data: bytes, month: dt.date, interns: list[Intern], today: dt.date
) -> tuple[list[tuple[Placement, Days]], list[str]]:
    """The rows to save, or the problems (then no rows): `第 N 行（报名编号）：字段：说明`."""
    rows, problem = _rows(data)
    if rows is None:
        return [], [problem or NOT_A_WORKBOOK]
    if not rows:
        return [], ["表格是空的：请下载本月模板填写后再上传"]
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    missing = [name for name in ("报名编号", *NUMBERS) if name not in header]
    if missing:
        return [], [f"第 1 行：缺少列“{'”“'.join(missing)}”。请下载本月模板填写，不要改动表头"]
    if len(rows) > MAX_ROWS + 1:
        return [], [f"行数过多：一张考勤表最多 {MAX_ROWS} 行"]
    where = {name: header.index(name) for name in header if name}
    by_reference = {i.reference: i for i in interns}
    found: list[tuple[Placement, Days]] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = {name: row[index] if index < len(row) else None for name, index in where.items()}
        if all(value in (None, "") for value in cells.values()):
            continue
        reference = str(cells.get("报名编号") or "").strip().upper()
        label = f"第 {number} 行（{reference}）" if reference else f"第 {number} 行"
        intern = by_reference.get(reference)
        if intern is None:
            why = (
                "缺少报名编号" if not reference else f"{reference} 不是本单位{month_label(month)}在岗的见习生"
            )
            problems.append(f"{label}：{why}")
            continue
        if reference in seen:
            problems.append(f"{label}：与第 {seen[reference]} 行重复")
            continue
        seen[reference] = number
        values: dict[str, int] = {}
        for column, name in NUMBERS.items():
            value = _number(cells.get(column))
            if value is None:
                problems.append(f"{label}：{column}：请填写整数天数（没有填 0）")
            else:
                values[name] = value
        if len(values) < len(NUMBERS):
            continue
        note = str(cells.get("备注") or "").strip()
        days = Days(note=note, **values)
        for name, message in attendance_problems(intern.placement, month, days, today).items():
            problems.append(f"{label}：{FIELD_LABELS[name]}：{message}")
        found.append((intern.placement, days))
    if not problems and not found:
        problems.append("表格里没有填写任何见习生的考勤")
    return ([] if problems else found), problems
