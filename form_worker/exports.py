"""Spreadsheets for staff: tables of applications written as .xlsx or .csv.

The catalogue's 岗位征集表 export is site_builder.spreadsheet.export_workbook, shared with the
template and the import.

Pure functions: rows in, bytes out; the views choose the rows and record the export. Both formats
keep hostile text inert in Excel and WPS: a value that begins like a formula (=, +, -, @, tab, CR)
is written as a string cell in .xlsx and behind a single quote in .csv. CSV starts with a UTF-8 BOM,
without which Excel reads Chinese as GBK and shows mojibake.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .catalogue import Offer
from .models import Application, Placement

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
SENSITIVE_HEADER = "优先考虑情形（敏感个人信息）"
CHONGQING = dt.timezone(dt.timedelta(hours=8))

Cell = str | int | None
Table = tuple[list[str], list[list[Cell]]]


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: Cell) -> str:
    """The text of one CSV field, with a leading quote where a spreadsheet would see a formula."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in headers])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Cell]]]]) -> bytes:
    """A workbook with one sheet per (title, headers, rows); every text cell is a string cell."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(title))
        widths = [len(h) for h in headers]
        for r, row in enumerate([headers, *rows], start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(r, c)
                if isinstance(value, str):
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    # openpyxl reads a leading "=" as a formula; a string cell stays text, and the
                    # quote prefix keeps it text when someone edits the cell in Excel or WPS.
                    cell.data_type = "s"
                    cell.quotePrefix = looks_like_formula(value)
                    widths[c - 1] = max(widths[c - 1], min(len(value), 40))
                else:
                    cell.value = value
                if r == 1:
                    cell.font = Font(bold=True)
        for c, width in enumerate(widths, start=1):
            sheet.column_dimensions[sheet.cell(1, c).column_letter].width = 2 * width + 2
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """Excel refuses sheet names over 31 characters or with []:*?/\\."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet"


def position_label(offer: Offer, position_id: str) -> str:
    entry = offer.by_id.get(position_id)
    if entry is None:
        return position_id
    return f"{offer.unit_of(entry).name} · {entry.position.title}（{position_id}）"


def _yes_no(flag: bool, detail: str) -> str:
    return f"是：{detail}" if flag else "否"


def local_time(moment: dt.datetime | None) -> str:
    """A stored (naive UTC) time as staff read it everywhere: Chongqing time, to the minute."""
    if moment is None:
        return ""
    return moment.replace(tzinfo=dt.UTC).astimezone(CHONGQING).strftime("%Y-%m-%d %H:%M")


APPLICATION_HEADERS = [
    "报名编号",
    "状态",
    "提交时间",
    "姓名",
    "手机号",
    "电子邮箱",
    "毕业（就读）学校",
    "专业",
    "学历",
    "毕业时间",
    "目前状态",
    "科技社团任职经历",
    "科技志愿服务经历",
    "第一意向岗位",
    "第二意向岗位",
    "第三意向岗位",
    "录用岗位",
    "见习导师",
    "核查提示",
    "个人陈述",
]


def application_table(
    applications: Iterable[Application],
    offer: Offer,
    labels: dict[str, str],
    placements: dict[int, Placement],
    sensitive: bool = False,
) -> Table:
    """One row per application. The priority groups appear only with sensitive=True, and only
    for applicants who consented to give them."""
    headers = APPLICATION_HEADERS + ([SENSITIVE_HEADER] if sensitive else [])
    rows: list[list[Cell]] = []
    for a in applications:
        choices = [position_label(offer, c.position_id) for c in a.choices]
        choices += [""] * (3 - len(choices))
        placement = placements.get(a.id)
        row: list[Cell] = [
            a.reference,
            labels.get(a.state, a.state),
            local_time(a.created_at),
            a.name,
            a.phone,
            a.email,
            a.university,
            a.major,
            a.degree,
            a.graduation.strftime("%Y-%m"),
            a.current_status,
            _yes_no(a.society_post, a.society_post_detail),
            _yes_no(a.volunteering, a.volunteering_detail),
            *choices[:3],
            position_label(offer, placement.position_id) if placement else "",
            placement.mentor if placement else "",
            a.flag or "",
            a.statement,
        ]
        if sensitive:
            groups = (a.priority_groups or []) if a.priority_consent else []
            row.append("、".join(groups))
        rows.append(row)
    return headers, rows
