"""Tables written as .xlsx or .csv for staff downloads.

Pure functions: rows in, bytes out. Both formats keep hostile text inert in Excel and WPS through the
one cell writer of site_builder.spreadsheet.cells. CSV starts with a UTF-8 BOM, without which Excel
reads Chinese as GBK and shows mojibake.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

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
