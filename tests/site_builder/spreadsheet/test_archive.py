"""Decompression bombs are refused before openpyxl unpacks them, promptly and in bounded memory."""

import zipfile
from io import BytesIO

import pytest

from site_builder.spreadsheet import read_import, template_workbook, workbook_bytes
from site_builder.spreadsheet.archive import MAX_PARTS, MAX_UNPACKED, TOO_LARGE
from site_builder.spreadsheet.columns import SCAN_ROWS
from tests.site_builder.spreadsheet import bombs

# Far below what the bombs unpack to (100 MB and more): the reader holds a chunk, not the bomb.
MEMORY_MB = 20
UNREADABLE = "无法读取：不是有效的 .xlsx 文件"


@pytest.mark.parametrize(
    "build",
    [
        lambda: bombs.shared_string_bomb(100),
        lambda: bombs.blank_rows_bomb(15_000_000),
        lambda: bombs.many_parts(MAX_PARTS + 1),
        lambda: bombs.styles_bomb(),
        lambda: bombs.wide_row(),
        lambda: bombs.many_strings(),
        lambda: bombs.rich_text_string(),
    ],
    ids=["600MB-string", "15M-blank-rows", "many-parts", "4M-styles", "5M-cell-row", "1M-strings", "2M-runs"],
)
def test_a_bomb_is_refused_as_too_large_in_bounded_memory(build) -> None:
    data = build()
    assert len(data) < 200 * 1024  # each fits any upload limit
    result, peak = bombs.peak_memory(lambda: read_import(data, "炸弹.xlsx"))
    assert [p.message for p in result.problems] == [TOO_LARGE]
    assert "文件过大或已损坏" in TOO_LARGE and result.unit is None and not result.positions
    assert peak < MEMORY_MB, f"peak {peak} MB"


def test_a_part_that_lies_about_its_size_is_read_as_damaged() -> None:
    data = bombs.lying_size(2 * MAX_UNPACKED // (1024 * 1024))
    result, peak = bombs.peak_memory(lambda: read_import(data, "炸弹.xlsx"))
    assert [p.message[: len(UNREADABLE)] for p in result.problems] == [UNREADABLE]
    assert peak < MEMORY_MB, f"peak {peak} MB"


def test_a_cell_at_the_far_corner_is_not_padded_to_17_billion_cells() -> None:
    """openpyxl pads rows to the declared dimension: the reader stops at its own row and column caps."""
    result, peak = bombs.peak_memory(lambda: read_import(bombs.far_cell(), "远.xlsx"))
    assert result.unit is None and result.problems
    assert peak < MEMORY_MB, f"peak {peak} MB"


def test_rows_beyond_the_scan_limit_are_named_not_ignored() -> None:
    result = read_import(bombs.far_cell(row=SCAN_ROWS + 1, column="A", declare=False), "长.xlsx")
    messages = [p.message for p in result.problems if p.line == SCAN_ROWS + 1]
    assert messages == [f"表格超过 {SCAN_ROWS} 行：请删除多余的行，一次最多导入 5000 个岗位"]


def test_the_template_itself_is_far_inside_the_limits() -> None:
    parts = zipfile.ZipFile(BytesIO(workbook_bytes(template_workbook()))).infolist()
    assert len(parts) < MAX_PARTS // 10 and sum(p.file_size for p in parts) < MAX_UNPACKED // 100
