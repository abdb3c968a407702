"""The one cell rule: text that looks like a formula stays inert, characters Excel refuses are
dropped, numbers and dates are written as they are, in .xlsx and in .csv alike."""

import datetime as dt
import zipfile
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from site_builder.spreadsheet.cells import DATE_FORMAT, CellValue, csv_value, safe_text, write_cell
from site_builder.spreadsheet.writer import workbook_bytes

LEADS = {"equals": "=1+1", "plus": "+1", "minus": "-2+3", "at": "@SUM(A1:A2)", "tab": "\t=1", "cr": "\r=1"}


def _written(*values: CellValue) -> Workbook:
    """Write values into A1, A2, … of a new workbook, save it and open it again as Excel would."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    for row, value in enumerate(values, start=1):
        write_cell(sheet, row, 1, value)
    return load_workbook(BytesIO(workbook_bytes(workbook)))


@pytest.mark.parametrize("text", LEADS.values(), ids=LEADS.keys())
def test_formula_leads_become_quoted_string_cells(text: str) -> None:
    sheet = _written(text).worksheets[0]
    cell = sheet["A1"]
    assert cell.data_type == "s" and cell.quotePrefix
    assert cell.value == text.replace("\r", "\n")  # XML reads a bare CR back as LF


@pytest.mark.parametrize("text", LEADS.values(), ids=LEADS.keys())
def test_formula_leads_are_quoted_in_csv(text: str) -> None:
    assert csv_value(text) == "'" + text


def test_a_formula_hidden_behind_a_control_character_is_still_quoted() -> None:
    assert csv_value("\x01=cmd") == "'=cmd"
    cell = _written("\x01=cmd").worksheets[0]["A1"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=cmd", "s", True)


def test_no_formula_reaches_the_file() -> None:
    workbook = Workbook()
    write_cell(workbook.worksheets[0], 1, 1, '=HYPERLINK("http://evil.example/","点我")')
    with zipfile.ZipFile(BytesIO(workbook_bytes(workbook))) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_illegal_control_characters_are_removed() -> None:
    text = "a\x00b\x08c\x0bd\x0ce\x1ff"
    assert safe_text(text) == "abcdef"
    assert csv_value(text) == "abcdef"
    assert _written(text).worksheets[0]["A1"].value == "abcdef"
    # Tab, LF and CR inside text are legal and kept.
    assert safe_text("a\tb\nc\rd") == "a\tb\nc\rd"


def test_plain_text_is_not_quoted() -> None:
    cell = _written("重庆市渝中区示例路 1 号").worksheets[0]["A1"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("重庆市渝中区示例路 1 号", "s", False)
    assert csv_value("重庆市渝中区示例路 1 号") == "重庆市渝中区示例路 1 号"
    assert csv_value("#N/A") == "#N/A" and not _written("#N/A").worksheets[0]["A1"].quotePrefix


def test_numbers_and_dates_are_untouched() -> None:
    day = dt.date(2026, 7, 1)
    sheet = _written(-5, 2.5, day, None).worksheets[0]
    assert (sheet["A1"].value, sheet["A1"].data_type, sheet["A1"].quotePrefix) == (-5, "n", False)
    assert sheet["A2"].value == 2.5
    assert sheet["A3"].value == dt.datetime(2026, 7, 1) and sheet["A3"].number_format == DATE_FORMAT
    assert sheet["A4"].value is None
    assert [csv_value(v) for v in (-5, 2.5, day, None)] == ["-5", "2.5", "2026-07-01", ""]
