"""Write the 岗位征集表: the blank template units fill in, and the export of the catalogue.

Both lay out the 岗位 sheet the same way, with the same drop-downs, so an export can be edited and
imported again. Every value goes through cells.write_cell, so hostile text stays a string.
"""

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..model.catalogue import Catalogue, PositionEntry
from .cells import DATE_FORMAT, write_cell
from .columns import (
    ID_COLUMN,
    MENTOR_SLOTS,
    OPTIONS,
    OPTIONS_SHEET,
    POSITION_SHEET,
    TEMPLATE_ROWS,
    TEXT_FORMAT,
    UNIT_COLUMNS,
    UNIT_SHEET,
    Column,
    position_columns,
    shown_value,
    value_at,
)

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFE2EFDA")
_OPTIONAL_FILL = PatternFill("solid", fgColor="FFF2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _first_sheet(workbook: Workbook, title: str) -> Worksheet:
    """The sheet a new workbook starts with, renamed."""
    sheet = workbook.worksheets[0]
    sheet.title = title
    return sheet


def _options_sheet(workbook: Workbook) -> dict[str, str]:
    """Write the hidden sheet of drop-down values; return list name → absolute range."""
    sheet = workbook.create_sheet(OPTIONS_SHEET)
    ranges = {}
    for number, (name, values) in enumerate(OPTIONS.items(), start=1):
        letter = get_column_letter(number)
        write_cell(sheet, 1, number, name)
        for row, value in enumerate(values, start=2):
            write_cell(sheet, row, number, value)
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
        cell = write_cell(sheet, 1, number, column.header)
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
            cell = write_cell(sheet, row_number, number, value)
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
    unit_sheet = _first_sheet(workbook, UNIT_SHEET)
    positions = workbook.create_sheet(POSITION_SHEET)
    ranges = _options_sheet(workbook)

    for number, header in enumerate(("字段", "填写内容", "说明"), start=1):
        cell = write_cell(unit_sheet, 1, number, header)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL
    for row, column in enumerate((c for c in UNIT_COLUMNS if not c.extra), start=2):
        write_cell(unit_sheet, row, 1, column.header).font = _HEADER_FONT
        note = column.note or ("选填" if column.optional else "必填")
        write_cell(unit_sheet, row, 3, note)
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

    columns = [c for c in position_columns() if not c.extra]
    _position_sheet(positions, columns, [], ranges)
    return workbook


def export_workbook(catalogue: Catalogue, unit_slugs: Iterable[str] | None = None) -> Workbook:
    """The catalogue (or the named units) in the 岗位 layout, with the unit's columns on every row.

    Importing the export of one unit gives back its unit and positions.
    """
    wanted = set(unit_slugs) if unit_slugs is not None else None
    entries = [e for e in catalogue.positions if wanted is None or e.unit_slug in wanted]
    slots = max([MENTOR_SLOTS, *(len(e.position.mentors) for e in entries)])
    per_position = position_columns(slots)
    columns = [ID_COLUMN, *per_position, *UNIT_COLUMNS]

    def row(entry: PositionEntry) -> list[Any]:
        position = entry.position.model_dump(mode="python")
        unit = catalogue.units[entry.unit_slug].unit.model_dump(mode="python")
        values: list[Any] = [entry.id]
        values += [shown_value(c, value_at(position, c.loc)) for c in per_position]
        values += [shown_value(c, value_at(unit, c.loc)) for c in UNIT_COLUMNS]
        return values

    workbook = Workbook()
    sheet = _first_sheet(workbook, POSITION_SHEET)
    ranges = _options_sheet(workbook)
    _position_sheet(sheet, columns, (row(e) for e in entries), ranges)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    """Serialise a workbook, for a download or a file."""
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
