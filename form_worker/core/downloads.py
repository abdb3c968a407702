"""Tables written as .xlsx or .csv for staff downloads.

Pure functions: rows in, bytes out. Both formats keep hostile text inert in Excel and WPS through the
one cell writer of site_builder.spreadsheet.cells. CSV starts with a UTF-8 BOM, without which Excel
reads Chinese as GBK and shows mojibake.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from site_builder.spreadsheet import workbook_bytes
from site_builder.spreadsheet.cells import CellValue, csv_value, write_cell, write_only_cell, write_only_value

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

Cell = str | int | None
Table = tuple[list[str], list[list[Cell]]]
BOLD = Font(bold=True)


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a BOM and CRLF lines, as Excel and WPS expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_value(h) for h in headers])
    writer.writerows([csv_value(v) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[CellValue]]]]) -> bytes:
    """A workbook with one sheet per (title, headers, rows); every text cell is a string cell.

    Written in openpyxl's write-only mode, row by row without a cell object per value: the same
    workbook as table_workbook's (cells, bold headers, widths, frozen first row) at a fraction of
    the time (a filing batch has thousands of rows)."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(title))
        rows = list(rows)
        # Widths and panes go before the first row: a write-only sheet cannot go back.
        for c, width in enumerate(_widths(headers, rows), start=1):
            sheet.column_dimensions[get_column_letter(c)].width = 2 * width + 2
        sheet.freeze_panes = "A2"
        header = [write_only_cell(sheet, value) for value in headers]
        for cell in header:
            cell.font = BOLD
        sheet.append(header)
        for row in rows:
            sheet.append([write_only_value(sheet, value) for value in row])
    return workbook_bytes(workbook)


def table_workbook(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[CellValue]]]]) -> Workbook:
    """write_xlsx's workbook as an ordinary one, for an export that adds to it before saving
    (notes on headers)."""
    workbook = Workbook()
    first = workbook.active
    # A new Workbook always starts with one sheet; the assert narrows the type for mypy.
    assert first is not None  # nosec B101
    workbook.remove(first)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(title))
        rows = list(rows)
        for r, row in enumerate([headers, *rows], start=1):
            for c, value in enumerate(row, start=1):
                cell = write_cell(sheet, r, c, value)
                if r == 1:
                    cell.font = BOLD
        for c, width in enumerate(_widths(headers, rows), start=1):
            sheet.column_dimensions[get_column_letter(c)].width = 2 * width + 2
        sheet.freeze_panes = "A2"
    return workbook


def _widths(headers: Sequence[str], rows: Sequence[Sequence[CellValue]]) -> list[int]:
    """Characters per column: the longest header or text, text counted up to 40."""
    widths = [len(h) for h in headers]
    for row in rows:
        for c, value in enumerate(row):
            if isinstance(value, str):
                widths[c] = max(widths[c], min(len(value), 40))
    return widths


def _sheet_title(title: str) -> str:
    """Excel refuses sheet names over 31 characters or with []:*?/\\."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet"


def download_name(*parts: str) -> str:
    """A download's file name from its parts, without characters Windows refuses."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", "-".join(parts))
