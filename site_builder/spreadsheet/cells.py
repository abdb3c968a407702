"""The one rule for a value written into a spreadsheet cell, .xlsx or .csv, by any export.

Text a unit or an applicant typed reaches staff in Excel and WPS, so it must stay text:
- characters that Excel refuses (control characters other than tab, LF and CR) are dropped, in
  both formats, so a cell reads the same in either and no hidden character decides what it means;
- text that begins like a formula (=, +, -, @, tab, CR, LF) is kept inert: in .xlsx it is a string
  cell with the stored apostrophe prefix, in .csv it is written behind an apostrophe.
Numbers and dates are written as they are.
"""

import datetime as dt

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

# What makes Excel, WPS or a CSV reader start a formula when it leads a typed value: the OWASP
# list, and LF, which some readers skip before looking at the next character.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")
DATE_FORMAT = "yyyy-mm-dd"

CellValue = str | int | float | dt.date | None


def safe_text(text: str) -> str:
    """Text without the control characters openpyxl refuses; no one can type them into a cell."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def write_cell(sheet: Worksheet, row: int, column: int, value: CellValue) -> Cell:
    """Write one value into sheet; text is always a string cell, never a formula. Return the cell."""
    cell = sheet.cell(row, column)
    if isinstance(cell, MergedCell):
        raise ValueError(f"{cell.coordinate} is part of a merged range and holds no value")
    _fill(cell, value)
    return cell


def write_only_cell(sheet: WriteOnlyWorksheet, value: CellValue) -> Cell:
    """A cell holding value for a row of a write-only sheet, by write_cell's rule."""
    cell = WriteOnlyCell(sheet)
    _fill(cell, value)
    return cell


def write_only_value(sheet: WriteOnlyWorksheet, value: CellValue) -> CellValue | Cell:
    """What to append for value to a write-only sheet: the value itself where openpyxl writes it
    as write_cell would (most cells: no cell object to make), else write_only_cell's cell."""
    if isinstance(value, str):
        text = safe_text(value)
        if not text.startswith(FORMULA_LEADS):
            return text
    elif not isinstance(value, dt.date):
        return value
    return write_only_cell(sheet, value)


def _fill(cell: Cell, value: CellValue) -> None:
    if isinstance(value, str):
        text = safe_text(value)
        cell.value = text  # openpyxl reads a leading "=" as a formula here...
        cell.data_type = "s"  # ...so say explicitly that this is a string.
        # The stored apostrophe prefix: Excel and WPS keep the text a string even after editing.
        cell.quotePrefix = text.startswith(FORMULA_LEADS)
    else:
        cell.value = value
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT


def csv_value(value: CellValue) -> str:
    """The text of one CSV field: '' for None, an apostrophe before text that looks like a formula."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)  # a number or a date: -5 is minus five, not a formula
    text = safe_text(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text
