"""The 岗位征集表 as an .xlsx workbook: the template units fill, its import, and the catalogue export.

Every row goes through the same pydantic models as the YAML files, so a cell is accepted exactly
when the same value in a YAML file would be; errors name file, sheet, row and column in Chinese.
Text written into a workbook is always a string cell, never a formula, whatever it starts with.
"""

import datetime as dt
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, ValidationError

from .model.catalogue import SLUG, Catalogue
from .model.messages import chinese_message, field_path
from .model.problem import Problem
from .model.schema import MENTOR_LIMIT, Position, Unit
from .model.vocab import DISTRICTS, EDUCATION_LEVELS, POSITION_TYPES, TAGS, TRACKS, UNIT_CATEGORIES

TEMPLATE_NAME = "岗位征集表.xlsx"
EXPORT_NAME = "岗位汇总表.xlsx"
UNIT_SHEET = "单位信息"
POSITION_SHEET = "岗位"
OPTIONS_SHEET = "选项"
ID_HEADER = "岗位编号"
MENTOR_SLOTS = 3
# Rows of the 岗位 sheet that carry drop-downs; more rows than any unit offers in one form.
TEMPLATE_ROWS = 500
# A workbook with more position rows than this is refused rather than read.
MAX_ROWS = 5000
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"

HR_STATUS = {"申报中": "pending", "已认定": "approved"}
POSITION_STATUS = {"招募中": "open", "已关闭": "closed", "已招满": "filled"}
YES_NO = {"是": True, "否": False}

# Drop-down lists, kept on a hidden sheet because the district list is longer than the 255
# characters an inline list may have.
OPTIONS: dict[str, list[str]] = {
    "岗位类型": list(POSITION_TYPES),
    "岗位性质": list(TRACKS),
    "区县": list(DISTRICTS),
    "最低学历": list(EDUCATION_LEVELS),
    "单位类别": list(UNIT_CATEGORIES),
    "认定状态": list(HR_STATUS),
    "岗位状态": list(POSITION_STATUS),
    "是否": list(YES_NO),
    "产业领域标签": list(TAGS),
}

# Characters that make Excel, WPS or a CSV reader start a formula when they lead a typed value.
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r", "\n")
_LIST_SEPARATORS = re.compile(r"[、，,;；\n]+")
TRACK_NOTE = "科技见习面向毕业生；职业体验面向在校生"
_MENTOR_HEADER = re.compile(r"导师(\d{1,2})(姓名|职称)")


@dataclass(frozen=True)
class Column:
    """One field as it appears in the workbook: a header (or a row label) and where it goes in the model."""

    header: str
    loc: tuple[str | int, ...]
    kind: str = "text"  # text | int | date | list
    note: str = ""
    width: int = 16
    options: str | None = None
    labels: dict[str, Any] | None = None
    text_format: bool = False
    optional: bool = False  # may be left empty
    extra: bool = False  # only in exports; accepted on import, absent from the template


UNIT_COLUMNS = (
    Column("单位名称", ("name",), note="与公章一致的单位全称", width=30),
    Column("统一社会信用代码", ("credit_code",), note="18 位，字母大写", width=22, text_format=True),
    Column("单位类别", ("category",), note="从下拉列表选择", width=22, options="单位类别"),
    Column("单位所在区县", ("district",), note="从下拉列表选择", width=16, options="区县"),
    Column("单位地址", ("address",), width=30),
    Column("单位网站", ("website",), note="选填，以 http:// 或 https:// 开头", width=24, optional=True),
    Column(
        "就业见习单位认定状态",
        ("hr_approval", "status"),
        note="参保地区县人力社保部门的认定：申报中或已认定",
        options="认定状态",
        labels=HR_STATUS,
    ),
    Column("认定部门", ("hr_approval", "bureau"), note="如：重庆市渝中区人力资源和社会保障局", width=28),
    Column(
        "认定日期", ("hr_approval", "date"), kind="date", note="已认定时必填，如 2026-05-12", optional=True
    ),
    Column("单位联系人", ("contact", "name")),
    Column("单位联系人电话", ("contact", "phone"), note="手机号或带区号的座机号", text_format=True),
    Column("单位联系人邮箱", ("contact", "email"), width=24),
    Column("单位示例数据", ("sample",), options="是否", labels=YES_NO, optional=True, extra=True),
)


def _mentor_columns(slots: int) -> list[Column]:
    columns = []
    for slot in range(slots):
        note = "每名导师最多同时带教 3 名见习生" + ("" if slot == 0 else "；选填")
        columns.append(Column(f"导师{slot + 1}姓名", ("mentors", slot, "name"), note=note, width=12))
        columns.append(Column(f"导师{slot + 1}职称", ("mentors", slot, "title"), note="职务或职称", width=14))
    return columns


def _position_columns(mentor_slots: int = MENTOR_SLOTS) -> list[Column]:
    return [
        Column("岗位名称", ("title",), width=26),
        Column("岗位类型", ("type",), note="从下拉列表选择", width=12, options="岗位类型"),
        Column("岗位性质", ("track",), note=TRACK_NOTE, width=12, options="岗位性质"),
        Column(
            "招收人数",
            ("headcount",),
            kind="int",
            note=f"1–100 的整数；不超过导师人数×{MENTOR_LIMIT}",
            width=10,
        ),
        *_mentor_columns(mentor_slots),
        Column("岗位职责", ("duties",), note="见习生每天做什么，至少 10 个字", width=40),
        Column("见习收获", ("learning",), note="见习生能学到什么，至少 10 个字", width=40),
        Column("专业要求", ("majors",), kind="list", note="多个专业用“、”或“，”分隔", width=24),
        Column("最低学历", ("education",), note="从下拉列表选择", width=10, options="最低学历"),
        Column("工作地点区县", ("workplace", "district"), note="从下拉列表选择", width=16, options="区县"),
        Column("工作地点详细地址", ("workplace", "address"), width=30),
        Column("每月生活费（元）", ("allowance",), kind="int", note="每月基本生活费，整数", width=14),
        Column("开始日期", ("start_date",), kind="date", note="如 2026-07-01", width=12),
        Column("结束日期", ("end_date",), kind="date", note="晚于开始日期", width=12),
        Column("报名截止日期", ("deadline",), kind="date", note="不晚于结束日期", width=14),
        Column(
            "产业领域标签",
            ("tags",),
            kind="list",
            note="选填，多个用“、”分隔，可选：" + "、".join(TAGS),
            width=20,
            optional=True,
        ),
        Column("岗位联系人", ("contact", "name"), note="选填，不填则用单位联系人", width=12, optional=True),
        Column("岗位联系人电话", ("contact", "phone"), width=16, text_format=True, optional=True),
        Column("岗位联系人邮箱", ("contact", "email"), width=24, optional=True),
        Column(
            "岗位状态",
            ("status",),
            note="招募中、已关闭或已招满",
            width=10,
            options="岗位状态",
            labels=POSITION_STATUS,
            optional=True,
            extra=True,
        ),
        Column("发布日期", ("published",), kind="date", width=12, optional=True, extra=True),
        Column("示例数据", ("sample",), width=10, options="是否", labels=YES_NO, optional=True, extra=True),
    ]


class SheetProblem(Problem):
    """A problem in a workbook cell, written as 文件:工作表:第5行:C列（岗位性质）: 说明."""

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":第{self.line}行"
        if self.column:
            where += f":{get_column_letter(self.column)}列（{self.field}）"
        elif self.field != "-":
            where += f":{self.field}"
        return f"{where}: {self.message}"


@dataclass
class WorkbookImport:
    """What a workbook holds: one unit and its positions, each with the file it replaces, if named."""

    unit: Unit | None = None
    positions: list[Position] = field(default_factory=list)
    position_ids: list[str | None] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# ---------------------------------------------------------------- writing


def _put(cell: Any, value: Any) -> None:
    """Write a value; text always becomes a string cell, never a formula."""
    if isinstance(value, str):
        # openpyxl refuses control characters; they cannot be typed into a cell either.
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell.value = text  # openpyxl reads a leading "=" as a formula here...
        cell.data_type = "s"  # ...so say explicitly that this is a string.
        if text.startswith(_FORMULA_LEAD):
            # The stored apostrophe prefix: Excel and WPS keep the text a string even after editing.
            cell.quotePrefix = True
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        cell.value = value


def _options_sheet(workbook: Workbook) -> dict[str, str]:
    """Write the hidden sheet of drop-down values; return list name → absolute range."""
    sheet = workbook.create_sheet(OPTIONS_SHEET)
    ranges = {}
    for number, (name, values) in enumerate(OPTIONS.items(), start=1):
        letter = get_column_letter(number)
        _put(sheet.cell(1, number), name)
        for row, value in enumerate(values, start=2):
            _put(sheet.cell(row, number), value)
        ranges[name] = f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
        sheet.column_dimensions[letter].width = 22
    sheet.sheet_state = "hidden"
    return ranges


def _list_validation(source: str, cells: str) -> DataValidation:
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误",
        error="请从下拉列表中选择。",
    )
    validation.add(cells)
    return validation


def _whole_validation(low: int, high: int, cells: str) -> DataValidation:
    validation = DataValidation(
        type="whole",
        operator="between",
        formula1=str(low),
        formula2=str(high),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误",
        error=f"请填写 {low} 到 {high} 之间的整数。",
    )
    validation.add(cells)
    return validation


_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFE2EFDA")
_OPTIONAL_FILL = PatternFill("solid", fgColor="FFF2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _style_column(sheet: Worksheet, letter: str, column: Column) -> None:
    dimension = sheet.column_dimensions[letter]
    if column.kind == "date":
        dimension.number_format = DATE_FORMAT
    elif column.text_format:
        dimension.number_format = TEXT_FORMAT


def _add_validation(sheet: Worksheet, column: Column, cells: str, ranges: dict[str, str]) -> None:
    if column.options:
        sheet.add_data_validation(_list_validation(ranges[column.options], cells))
    elif column.loc == ("headcount",):
        sheet.add_data_validation(_whole_validation(1, 100, cells))
    elif column.loc == ("allowance",):
        sheet.add_data_validation(_whole_validation(1, 50000, cells))


def _position_sheet(
    sheet: Worksheet, columns: Sequence[Column], rows: Iterable[Sequence[Any]], ranges: dict[str, str]
) -> None:
    """Lay out the 岗位 sheet: frozen header with notes, one position per row, drop-downs below."""
    count = 0
    for number, column in enumerate(columns, start=1):
        cell = sheet.cell(1, number)
        _put(cell, column.header)
        cell.font = _HEADER_FONT
        cell.fill = _OPTIONAL_FILL if column.optional else _REQUIRED_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        note = column.note or ("选填" if column.optional else "")
        if note:
            cell.comment = Comment(note, "jianxi", width=220, height=90)
        letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = column.width
        _style_column(sheet, letter, column)
    for row_number, values in enumerate(rows, start=2):
        count += 1
        for number, value in enumerate(values, start=1):
            cell = sheet.cell(row_number, number)
            _put(cell, value)
            if isinstance(value, str) and len(value) > 20:
                cell.alignment = _WRAP
    last = max(TEMPLATE_ROWS, count + TEMPLATE_ROWS) + 1
    for number, column in enumerate(columns, start=1):
        letter = get_column_letter(number)
        _add_validation(sheet, column, f"{letter}2:{letter}{last}", ranges)
    sheet.freeze_panes = "B2"
    sheet.row_dimensions[1].height = 32


def template_workbook() -> Workbook:
    """The blank 岗位征集表: a 单位信息 sheet, a 岗位 sheet and the hidden drop-down lists."""
    workbook = Workbook()
    unit_sheet = workbook.active
    unit_sheet.title = UNIT_SHEET
    positions = workbook.create_sheet(POSITION_SHEET)
    ranges = _options_sheet(workbook)

    for number, header in enumerate(("字段", "填写内容", "说明"), start=1):
        cell = unit_sheet.cell(1, number)
        _put(cell, header)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL
    for row, column in enumerate((c for c in UNIT_COLUMNS if not c.extra), start=2):
        _put(unit_sheet.cell(row, 1), column.header)
        unit_sheet.cell(row, 1).font = _HEADER_FONT
        note = column.note or ("选填" if column.optional else "必填")
        _put(unit_sheet.cell(row, 3), note)
        value = unit_sheet.cell(row, 2)
        if column.kind == "date":
            value.number_format = DATE_FORMAT
        elif column.text_format:
            value.number_format = TEXT_FORMAT
        if column.options:
            unit_sheet.add_data_validation(_list_validation(ranges[column.options], value.coordinate))
    unit_sheet.column_dimensions["A"].width = 22
    unit_sheet.column_dimensions["B"].width = 44
    unit_sheet.column_dimensions["C"].width = 44
    unit_sheet.freeze_panes = "A2"

    columns = [c for c in _position_columns() if not c.extra]
    _position_sheet(positions, columns, [], ranges)
    return workbook


def _dig(data: Any, loc: Sequence[str | int]) -> Any:
    for part in loc:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


def _shown(column: Column, value: Any) -> Any:
    """The cell value for a model value."""
    if value is None:
        return None
    if column.labels is not None:
        for label, model_value in column.labels.items():
            if model_value == value:
                return label
    if column.kind == "list":
        return "、".join(value) or None
    return value


def export_workbook(catalogue: Catalogue, unit_slugs: Iterable[str] | None = None) -> Workbook:
    """The catalogue (or the named units) in the 岗位 layout, with the unit's columns on every row.

    Importing the export of one unit gives back its unit and positions.
    """
    wanted = set(unit_slugs) if unit_slugs is not None else None
    entries = [e for e in catalogue.positions if wanted is None or e.unit_slug in wanted]
    slots = max([MENTOR_SLOTS, *(len(e.position.mentors) for e in entries)])
    position_columns = _position_columns(slots)
    columns = [Column(ID_HEADER, (), note="单位目录/文件名；新岗位留空", width=30, optional=True, extra=True)]
    columns += position_columns + list(UNIT_COLUMNS)

    def row(entry: Any) -> list[Any]:
        position = entry.position.model_dump(mode="python")
        unit = catalogue.units[entry.unit_slug].unit.model_dump(mode="python")
        values = [entry.id]
        values += [_shown(c, _dig(position, c.loc)) for c in position_columns]
        values += [_shown(c, _dig(unit, c.loc)) for c in UNIT_COLUMNS]
        return values

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = POSITION_SHEET
    ranges = _options_sheet(workbook)
    _position_sheet(sheet, columns, (row(e) for e in entries), ranges)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    """Serialise a workbook, for a download or a file."""
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- reading


def _clean(value: Any) -> Any:
    """Normalise what openpyxl reads: trimmed text, 2.0 → 2, datetimes → dates, blanks → None."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _as_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _model_value(column: Column, value: Any) -> Any:
    """Turn a cleaned cell value into what the model expects for this column."""
    if column.labels is not None:
        return column.labels.get(value, value) if isinstance(value, str) else value
    if column.kind == "list":
        if isinstance(value, str):
            return [part.strip() for part in _LIST_SEPARATORS.split(value) if part.strip()]
        return [_as_text(value)]
    if column.kind == "date":
        return value if isinstance(value, dt.date) else _as_text(value)
    if column.kind == "int":
        return value if isinstance(value, int | float) and not isinstance(value, bool) else _as_text(value)
    return _as_text(value)


def _set(data: dict[str, Any], loc: Sequence[str | int], value: Any) -> None:
    *parents, last = loc
    for key in parents:
        data = data.setdefault(key, {})
    data[last] = value


@dataclass
class _Record:
    """One model's worth of cells: the dict for the model and where each field came from."""

    data: dict[str, Any] = field(default_factory=dict)
    # model location → (row, column, header) of the cell it came from
    cells: dict[tuple[str | int, ...], tuple[int, int, str]] = field(default_factory=dict)
    # cells already reported (a formula, an error value): the model's complaints about them are noise
    reported: set[tuple[int, int]] = field(default_factory=set)


def _validate(
    record: _Record, model: type[BaseModel], path: str, columns: dict[str, Column]
) -> tuple[Any, list[Problem]]:
    try:
        return model.model_validate(record.data), []
    except ValidationError as error:
        problems: list[Problem] = []
        for detail in error.errors(include_url=False):
            problem = _cell_problem(record, detail, path, columns)
            if (problem.line, problem.column) not in record.reported:
                problems.append(problem)
        return None, problems


def _cell_problem(record: _Record, detail: Any, path: str, columns: dict[str, Column]) -> Problem:
    loc = tuple(detail["loc"])
    message = chinese_message(detail)
    for size in range(len(loc), 0, -1):
        where = record.cells.get(loc[:size])
        if where is None:
            continue
        row, column_number, header = where
        column = columns.get(header)
        if column and column.labels and detail["type"] in ("literal_error", "bool_parsing", "bool_type"):
            message = "应为以下之一：" + "、".join(column.labels)
        rest = loc[size:]
        if rest and isinstance(rest[0], int):
            message = f"第 {rest[0] + 1} 项：{message}"
        return SheetProblem(path, row, column_number, header, message)
    first = min(record.cells.values(), default=(0, 0, "-"))
    return SheetProblem(path, first[0], 0, field_path(loc), message)


def _cell_value(cell: Any) -> tuple[Any, str | None]:
    """Return a cell's cleaned value, or a problem for formulas and error values."""
    if cell.data_type == "f":
        return None, "单元格里是公式，请直接填写内容（可复制后“选择性粘贴→值”）"
    if cell.data_type == "e":
        return None, f"单元格显示错误值 {cell.value}，请改为正确内容"
    return _clean(cell.value), None


def _known_column(header: str, known: dict[str, Column]) -> Column | None:
    if header in known:
        return known[header]
    match = _MENTOR_HEADER.fullmatch(header)
    if match and 1 <= int(match.group(1)) <= 34:
        slot = int(match.group(1)) - 1
        return Column(header, ("mentors", slot, "name" if match.group(2) == "姓名" else "title"))
    return None


def _fill(record: _Record, column: Column, value: Any, row: int, number: int, reported: bool = False) -> None:
    """Put one cell's value into the record and remember where it came from."""
    record.cells[column.loc] = (row, number, column.header)
    if reported:
        record.reported.add((row, number))
    elif value is not None:
        _set(record.data, column.loc, _model_value(column, value))


def _mentors(record: _Record, row: int, found: list[tuple[Column, int, Any]]) -> None:
    """Gather the filled mentor slots of a row into a list, in slot order, skipping empty slots."""
    slots: dict[int, dict[str, tuple[int, str, Any]]] = {}
    for column, number, value in found:
        slot, part = column.loc[1], column.loc[2]
        slots.setdefault(int(slot), {})[str(part)] = (number, column.header, value)
    mentors = []
    for slot in sorted(slots):
        parts = slots[slot]
        if all(value is None for *_, value in parts.values()):
            continue
        index = len(mentors)
        mentor = {}
        for part, (number, header, value) in parts.items():
            record.cells[("mentors", index, part)] = (row, number, header)
            if value is not None:
                mentor[part] = _as_text(value)
        mentors.append(mentor)
    record.data["mentors"] = mentors
    # "至少填写 1 项" points at the first mentor column of the row.
    first = min(((n, h) for parts in slots.values() for n, h, _ in parts.values()), default=None)
    if first:
        record.cells[("mentors",)] = (row, *first)


def _read_unit_sheet(sheet: Any, path: str) -> tuple[Unit | None, list[Problem]]:
    known = {c.header: c for c in UNIT_COLUMNS}
    record = _Record(data={"hr_approval": {}, "contact": {}})
    layout: list[Problem] = []  # rows that are not where the template puts them
    problems: list[Problem] = []  # formulas and error values
    seen: dict[str, int] = {}
    for row_number, row in enumerate(sheet.iter_rows(max_col=2), start=1):
        if len(row) < 2:
            continue
        label = _clean(row[0].value)
        value, trouble = _cell_value(row[1])
        if label is None or (row_number == 1 and label == "字段"):
            continue
        label = _as_text(label)
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
        _fill(record, column, value, row_number, 2, reported=trouble is not None)
    for column in UNIT_COLUMNS:
        if column.header not in seen and not column.optional:
            message = f"缺少“{column.header}”一行，请使用最新的岗位征集表模板"
            layout.append(SheetProblem(path, 0, 0, "-", message))
    if layout:
        return None, layout + problems
    unit, unit_problems = _validate(record, Unit, path, known)
    problems += unit_problems
    return (None if problems else unit), problems


def _header(sheet: Any, path: str, known: dict[str, Column]) -> tuple[dict[int, Column], list[Problem]]:
    """Map column numbers to columns by the header row; name unknown, repeated and missing headers."""
    problems: list[Problem] = []
    columns: dict[int, Column] = {}
    first = next(sheet.iter_rows(min_row=1, max_row=1), ())
    seen: set[str] = set()
    for number, cell in enumerate(first, start=1):
        header = _clean(cell.value)
        if header is None:
            continue
        header = _as_text(header)
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
    first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    return {_as_text(v) for v in map(_clean, first) if v is not None}


def _read_position_sheet(
    sheet: Any, path: str, with_units: bool, today: dt.date
) -> tuple[list[tuple[int, _Record, _Record, str | None]], list[Problem]]:
    """Read every non-blank row into a position record (and a unit record in an export)."""
    known = {c.header: c for c in _position_columns() if c.loc[0] != "mentors"}
    known[ID_HEADER] = Column(ID_HEADER, (), optional=True)
    if with_units:
        known.update({c.header: c for c in UNIT_COLUMNS})
    columns, problems = _header(sheet, path, known)
    if problems:
        return [], problems
    unit_headers = {c.header for c in UNIT_COLUMNS} if with_units else set()
    rows = []
    for row_number, row in enumerate(sheet.iter_rows(min_row=2), start=2):
        position, unit = _Record(), _Record(data={"hr_approval": {}, "contact": {}})
        mentors: list[tuple[Column, int, Any]] = []
        position_id = None
        blank = True
        for number, cell in enumerate(row, start=1):
            column = columns.get(number)
            if column is None:
                continue
            value, trouble = _cell_value(cell)
            blank = blank and value is None and trouble is None
            if trouble:
                problems.append(SheetProblem(path, row_number, number, column.header, trouble))
                value = None
                position.reported.add((row_number, number))
                unit.reported.add((row_number, number))
            if column.header == ID_HEADER:
                position_id = None if value is None else _as_text(value)
                position.cells[("id",)] = (row_number, number, ID_HEADER)
            elif column.loc[0] == "mentors":
                mentors.append((column, number, value))
            elif column.header in unit_headers:
                _fill(unit, column, value, row_number, number)
            else:
                _fill(position, column, value, row_number, number)
        if blank:
            continue
        if len(rows) >= MAX_ROWS:
            problems.append(SheetProblem(path, row_number, 0, "-", f"岗位太多：一次最多导入 {MAX_ROWS} 个"))
            break
        _mentors(position, row_number, mentors)
        position.data.setdefault("published", today)
        rows.append((row_number, position, unit, position_id))
    return rows, problems


def _same_unit(rows: list[tuple[int, _Record, _Record, str | None]], path: str) -> list[Problem]:
    """In an export, every row must carry the same unit: a workbook is imported into one folder."""
    problems: list[Problem] = []
    first_row, _, first, _ = rows[0]
    for row_number, _, unit, _ in rows[1:]:
        if unit.data == first.data:
            continue
        differing = [loc for loc, cell in unit.cells.items() if _dig(unit.data, loc) != _dig(first.data, loc)]
        _, number, header = unit.cells[differing[0]] if differing else (row_number, 0, "-")
        message = f"与第 {first_row} 行的单位信息不同：一次只能导入同一家单位的岗位"
        problems.append(SheetProblem(path, row_number, number, header, message))
    return problems


def _check_ids(rows: list[tuple[int, _Record, _Record, str | None]], path: str) -> list[Problem]:
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


def _open(data: bytes, filename: str) -> tuple[Any, list[Problem]]:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (extensions, styles); only values are read here.
            warnings.simplefilter("ignore")
            return load_workbook(BytesIO(data), read_only=True, data_only=False), []
    except _UNREADABLE:
        return None, [_unreadable(filename)]


# What openpyxl raises on a file that is not a workbook, or a damaged one (XML errors are SyntaxErrors).
_UNREADABLE = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    OSError,
    SyntaxError,
)


def _unreadable(filename: str) -> Problem:
    message = "无法读取：不是有效的 .xlsx 文件（请用 Excel 或 WPS 另存为“Excel 工作簿 (.xlsx)”）"
    return SheetProblem(filename, 0, 0, "-", message)


def read_import(data: bytes, filename: str, *, today: dt.date | None = None) -> WorkbookImport:
    """Read a filled-in 岗位征集表 or an export of one unit; on any problem nothing is returned but them.

    Positions without a 发布日期 are published `today` (default: today in Chongqing).
    """
    if today is None:
        today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    workbook, problems = _open(data, filename)
    if workbook is None:
        return WorkbookImport(problems=problems)
    try:
        # Read-only workbooks parse each sheet lazily, so a damaged sheet fails here.
        return _read(workbook, filename, today)
    except _UNREADABLE:
        return WorkbookImport(problems=[_unreadable(filename)])
    finally:
        workbook.close()


def _read(workbook: Any, filename: str, today: dt.date) -> WorkbookImport:
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
                unit, unit_problems = _validate(
                    rows[0][2], Unit, position_path, {c.header: c for c in UNIT_COLUMNS}
                )
                problems += unit_problems
    else:
        unit, unit_problems = _read_unit_sheet(workbook[UNIT_SHEET], f"{filename}:{UNIT_SHEET}")
        problems = unit_problems + problems
    problems += _check_ids(rows, position_path)
    positions = []
    columns = {c.header: c for c in _position_columns()}
    for _, record, _, _ in rows:
        position, row_problems = _validate(record, Position, position_path, columns)
        problems += row_problems
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
