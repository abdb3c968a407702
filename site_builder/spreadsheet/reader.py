"""Read a filled-in 岗位征集表, or an export of one unit, back into a unit and its positions.

On any problem nothing is returned but the problems, all of them at once, so a clerk fixes the
workbook in one go. A file that is not a workbook, or a damaged one, is named as such.
"""

import datetime as dt
import warnings
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from xml.parsers.expat import ExpatError

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..clock import today_in_chongqing
from ..model.catalogue import SLUG
from ..model.problem import Problem
from ..model.schema import Position, Unit
from .archive import TOO_LARGE, Unsafe, check_archive
from .columns import (
    ID_COLUMN,
    ID_HEADER,
    MAX_ROWS,
    MENTOR_HEADER,
    MENTOR_SLOTS_AT_MOST,
    POSITION_SHEET,
    SCAN_COLUMNS,
    SCAN_ROWS,
    UNIT_COLUMNS,
    UNIT_SHEET,
    Column,
    position_columns,
    value_at,
)
from .records import Record, SheetProblem, as_text, cell_value, clean, fill, fill_mentors, validate

# A row of the 岗位 sheet: its number, the position's cells, the unit's cells (in an export) and
# the 岗位编号 of the file it replaces.
Row = tuple[int, Record, Record, str | None]


@dataclass
class WorkbookImport:
    """What a workbook holds: one unit and its positions, each with the file it replaces, if named."""

    unit: Unit | None = None
    positions: list[Position] = field(default_factory=list)
    position_ids: list[str | None] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _known_column(header: str, known: dict[str, Column]) -> Column | None:
    if header in known:
        return known[header]
    match = MENTOR_HEADER.fullmatch(header)
    if match and 1 <= int(match.group(1)) <= MENTOR_SLOTS_AT_MOST:
        slot = int(match.group(1)) - 1
        return Column(header, ("mentors", slot, "name" if match.group(2) == "姓名" else "title"))
    return None


def _read_unit_sheet(sheet: Any, path: str) -> tuple[Unit | None, list[Problem]]:
    known = {c.header: c for c in UNIT_COLUMNS}
    record = Record(data={"hr_approval": {}, "contact": {}})
    layout: list[Problem] = []  # rows that are not where the template puts them
    problems: list[Problem] = []  # formulas and error values
    seen: dict[str, int] = {}
    for row_number, row in enumerate(sheet.iter_rows(max_row=SCAN_ROWS, max_col=2), start=1):
        if len(row) < 2:
            continue
        label = clean(row[0].value)
        value, trouble = cell_value(row[1])
        if label is None or (row_number == 1 and label == "字段"):
            continue
        label = as_text(label)
        column = known.get(label)
        if column is None:
            if value is not None or trouble:
                message = "不认识的字段名，请使用模板中的字段名"
                layout.append(SheetProblem(path, row_number, 1, label, message))
            continue
        if label in seen:
            message = f"字段重复出现（第 {seen[label]} 行已有），同一字段只能填一次"
            layout.append(SheetProblem(path, row_number, 1, label, message))
            continue
        seen[label] = row_number
        if trouble:
            problems.append(SheetProblem(path, row_number, 2, label, trouble))
        fill(record, column, value, row_number, 2, reported=trouble is not None)
    for column in UNIT_COLUMNS:
        if column.header not in seen and not column.optional:
            message = f"缺少“{column.header}”一行，请使用最新的岗位征集表模板"
            layout.append(SheetProblem(path, 0, 0, "-", message))
    if layout:
        return None, layout + problems
    unit, unit_problems = validate(record, Unit, path, known)
    problems += unit_problems
    return (None if problems else unit), problems


def _header(sheet: Any, path: str, known: dict[str, Column]) -> tuple[dict[int, Column], list[Problem]]:
    """Map column numbers to columns by the header row; name unknown, repeated and missing headers."""
    problems: list[Problem] = []
    columns: dict[int, Column] = {}
    first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=SCAN_COLUMNS), ())
    seen: set[str] = set()
    for number, cell in enumerate(first, start=1):
        header = clean(cell.value)
        if header is None:
            continue
        header = as_text(header)
        column = _known_column(header, known)
        if column is None:
            problems.append(SheetProblem(path, 1, number, header, "不认识的列名，请使用模板中的列名"))
        elif header in seen:
            problems.append(SheetProblem(path, 1, number, header, "列名重复，同一列只能出现一次"))
        else:
            seen.add(header)
            columns[number] = column
    missing = [c.header for c in known.values() if not c.optional and c.header not in seen]
    if missing:
        message = "缺少这些列：" + "、".join(missing) + "，请使用最新的岗位征集表模板"
        problems.append(SheetProblem(path, 1, 0, "-", message))
    return columns, problems


def _headers(sheet: Any) -> set[str]:
    first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=SCAN_COLUMNS, values_only=True), ())
    return {as_text(v) for v in map(clean, first) if v is not None}


def _read_position_sheet(
    sheet: Any, path: str, with_units: bool, today: dt.date
) -> tuple[list[Row], list[Problem]]:
    """Read every non-blank row into a position record (and a unit record in an export)."""
    known = {c.header: c for c in position_columns() if c.loc[0] != "mentors"}
    known[ID_HEADER] = ID_COLUMN
    if with_units:
        known.update({c.header: c for c in UNIT_COLUMNS})
    columns, problems = _header(sheet, path, known)
    if problems:
        return [], problems
    unit_headers = {c.header for c in UNIT_COLUMNS} if with_units else set()
    rows: list[Row] = []
    scanned = sheet.iter_rows(min_row=2, max_row=SCAN_ROWS + 1, max_col=max(columns))
    for row_number, row in enumerate(scanned, start=2):
        position, unit = Record(), Record(data={"hr_approval": {}, "contact": {}})
        mentors: list[tuple[Column, int, Any]] = []
        position_id = None
        blank = True
        for number, cell in enumerate(row, start=1):
            column = columns.get(number)
            if column is None:
                continue
            value, trouble = cell_value(cell)
            blank = blank and value is None and trouble is None
            if trouble:
                problems.append(SheetProblem(path, row_number, number, column.header, trouble))
                value = None
                position.reported.add((row_number, number))
                unit.reported.add((row_number, number))
            if column.header == ID_HEADER:
                position_id = None if value is None else as_text(value)
                position.cells[("id",)] = (row_number, number, ID_HEADER)
            elif column.loc[0] == "mentors":
                mentors.append((column, number, value))
            elif column.header in unit_headers:
                fill(unit, column, value, row_number, number)
            else:
                fill(position, column, value, row_number, number)
        if blank:
            continue
        if row_number > SCAN_ROWS:
            message = f"表格超过 {SCAN_ROWS} 行：请删除多余的行，一次最多导入 {MAX_ROWS} 个岗位"
            problems.append(SheetProblem(path, row_number, 0, "-", message))
            break
        if len(rows) >= MAX_ROWS:
            problems.append(SheetProblem(path, row_number, 0, "-", f"岗位太多：一次最多导入 {MAX_ROWS} 个"))
            break
        fill_mentors(position, row_number, mentors)
        position.data.setdefault("published", today)
        rows.append((row_number, position, unit, position_id))
    return rows, problems


def _same_unit(rows: list[Row], path: str) -> list[Problem]:
    """In an export, every row must carry the same unit: a workbook is imported into one folder."""
    problems: list[Problem] = []
    first_row, _, first, _ = rows[0]
    for row_number, _, unit, _ in rows[1:]:
        if unit.data == first.data:
            continue
        differing = [
            loc for loc, cell in unit.cells.items() if value_at(unit.data, loc) != value_at(first.data, loc)
        ]
        _, number, header = unit.cells[differing[0]] if differing else (row_number, 0, "-")
        message = f"与第 {first_row} 行的单位信息不同：一次只能导入同一家单位的岗位"
        problems.append(SheetProblem(path, row_number, number, header, message))
    return problems


def _check_ids(rows: list[Row], path: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for row_number, position, _, position_id in rows:
        if position_id is None:
            continue
        _, number, header = position.cells[("id",)]
        parts = position_id.split("/")
        if len(parts) != 2 or not all(SLUG.fullmatch(p) for p in parts):
            message = "岗位编号应为“单位目录/文件名”（小写英文字母、数字和连字符），新岗位留空"
            problems.append(SheetProblem(path, row_number, number, header, message))
        elif position_id in seen:
            message = f"岗位编号与第 {seen[position_id]} 行重复"
            problems.append(SheetProblem(path, row_number, number, header, message))
        else:
            seen[position_id] = row_number
    return problems


def _open(data: bytes, filename: str) -> tuple[Workbook | None, list[Problem]]:
    try:
        check_archive(data)
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (extensions, styles); only values are read here.
            warnings.simplefilter("ignore")
            return load_workbook(BytesIO(data), read_only=True, data_only=False), []
    except Unsafe:
        return None, [SheetProblem(filename, 0, 0, "-", TOO_LARGE)]
    except UNREADABLE_ERRORS:
        return None, [_unreadable(filename)]


# What zipfile and openpyxl raise on a file that is not a workbook, or a damaged one (XML errors are
# SyntaxErrors, an encrypted part a RuntimeError, an unknown compression a NotImplementedError).
NOT_A_WORKBOOK = "无法读取：不是有效的 .xlsx 文件（请用 Excel 或 WPS 另存为“Excel 工作簿 (.xlsx)”）"
UNREADABLE_ERRORS = (
    zipfile.BadZipFile,
    EOFError,
    RuntimeError,
    NotImplementedError,
    ExpatError,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    OSError,
    SyntaxError,
)


def _unreadable(filename: str) -> Problem:
    message = NOT_A_WORKBOOK
    return SheetProblem(filename, 0, 0, "-", message)


def read_import(data: bytes, filename: str, *, today: dt.date | None = None) -> WorkbookImport:
    """Read a filled-in 岗位征集表 or an export of one unit; on any problem nothing is returned but them.

    Positions without a 发布日期 are published `today` (default: today in Chongqing).
    """
    if today is None:
        today = today_in_chongqing()
    workbook, problems = _open(data, filename)
    if workbook is None:
        return WorkbookImport(problems=problems)
    try:
        # Read-only workbooks parse each sheet lazily, so a damaged sheet fails here.
        return _read(workbook, filename, today)
    except UNREADABLE_ERRORS:
        return WorkbookImport(problems=[_unreadable(filename)])
    finally:
        workbook.close()


def _read(workbook: Workbook, filename: str, today: dt.date) -> WorkbookImport:
    if POSITION_SHEET not in workbook.sheetnames:
        message = f"找不到“{POSITION_SHEET}”工作表，请使用岗位征集表模板"
        return WorkbookImport(problems=[SheetProblem(filename, 0, 0, "-", message)])
    with_units = UNIT_SHEET not in workbook.sheetnames
    position_path = f"{filename}:{POSITION_SHEET}"
    if with_units and UNIT_COLUMNS[1].header not in _headers(workbook[POSITION_SHEET]):
        message = f"找不到“{UNIT_SHEET}”工作表，请使用岗位征集表模板"
        return WorkbookImport(problems=[SheetProblem(filename, 0, 0, "-", message)])
    rows, problems = _read_position_sheet(workbook[POSITION_SHEET], position_path, with_units, today)
    if not rows and not problems:
        message = "没有填写任何岗位：每个岗位填一行"
        problems.append(SheetProblem(position_path, 0, 0, "-", message))
    unit = None
    if with_units:
        if not problems:
            problems += _same_unit(rows, position_path)
            if not problems:
                unit, unit_problems = validate(
                    rows[0][2], Unit, position_path, {c.header: c for c in UNIT_COLUMNS}
                )
                problems += unit_problems
    else:
        unit, unit_problems = _read_unit_sheet(workbook[UNIT_SHEET], f"{filename}:{UNIT_SHEET}")
        problems = unit_problems + problems
    problems += _check_ids(rows, position_path)
    positions: list[Position] = []
    columns = {c.header: c for c in position_columns()}
    for _, record, _, _ in rows:
        position, row_problems = validate(record, Position, position_path, columns)
        problems += row_problems
        if position is not None:
            positions.append(position)
    if problems:
        return WorkbookImport(problems=sorted(problems))
    return WorkbookImport(unit, positions, [position_id for *_, position_id in rows], [])


def read_workbook(
    data: bytes, filename: str, *, today: dt.date | None = None
) -> tuple[Unit | None, list[Position], list[Problem]]:
    """Read a workbook into a unit and positions; any problem means no unit and no positions."""
    result = read_import(data, filename, today=today)
    return result.unit, result.positions, result.problems
