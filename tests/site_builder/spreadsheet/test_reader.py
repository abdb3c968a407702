"""Importing the 岗位征集表: a filled template and an export go through the one model, and every
problem names its sheet, row and column."""

import datetime as dt

import pytest

from site_builder.model.catalogue import Catalogue
from site_builder.spreadsheet import (
    POSITION_SHEET,
    export_workbook,
    read_import,
    read_workbook,
    template_workbook,
    workbook_bytes,
)
from tests.site_builder.spreadsheet.workbooks import POSITION, TODAY, UNIT, fill, unit_only


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
        "岗位征集表.xlsx:岗位:第5行:AF列（开始日期）: 日期格式不对，应写成 YYYY-MM-DD（如 2026-07-01）",
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
    expected = "表.xlsx:岗位:第2行:AI列（产业领域标签）: 第 2 项：应为以下之一：数智科技、"
    assert str(problems[0]).startswith(expected)


def test_formulas_unknown_columns_and_empty_sheets_are_refused() -> None:
    workbook = template_workbook()
    workbook[POSITION_SHEET]["AZ1"] = "备注"
    data = fill(UNIT, [{**POSITION, "招收人数": "=1+1"}], workbook)
    _, _, problems = read_workbook(data, "表.xlsx", today=TODAY)
    assert [str(p) for p in problems] == [
        "表.xlsx:岗位:第1行:AZ列（备注）: 不认识的列名，请使用模板中的列名",
    ]
    _, _, problems = read_workbook(fill(UNIT, [{**POSITION, "招收人数": "=1+1"}]), "表.xlsx", today=TODAY)
    assert [str(p) for p in problems] == [
        "表.xlsx:岗位:第2行:D列（招收人数）: 单元格里是公式，请直接填写内容（可复制后“选择性粘贴→值”）",
    ]
    _, _, problems = read_workbook(fill(UNIT, []), "表.xlsx", today=TODAY)
    assert [str(p) for p in problems] == ["表.xlsx:岗位: 没有填写任何岗位：每个岗位填一行"]
    _, _, problems = read_workbook(b"not a workbook", "表.xlsx", today=TODAY)
    assert len(problems) == 1 and "不是有效的 .xlsx 文件" in str(problems[0])


def test_export_then_import_gives_back_the_unit_and_its_positions(sample_catalogue: Catalogue) -> None:
    slug = "shili-engineering-journal"
    entries = [e for e in sample_catalogue.positions if e.unit_slug == slug]
    data = workbook_bytes(export_workbook(sample_catalogue, [slug]))
    result = read_import(data, "导出.xlsx", today=TODAY)
    assert result.problems == []
    assert result.unit == sample_catalogue.units[slug].unit
    assert result.positions == [e.position for e in entries]
    assert result.position_ids == [e.id for e in entries]
    assert read_import(workbook_bytes(export_workbook(unit_only(sample_catalogue, slug))), "x.xlsx",
                       today=TODAY).positions == result.positions  # fmt: skip


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


def test_a_district_not_quite_right_is_answered_with_the_closest() -> None:
    """Newcomer finding 7: a wrong district suggests the closest names instead of all 41."""
    unit = {**UNIT, "单位所在区县": "渝中"}
    _, _, problems = read_workbook(fill(unit, [POSITION]), "表.xlsx", today=TODAY)
    assert [p.message for p in problems] == ["“渝中”不在可选范围内，是不是：渝中区？"]
