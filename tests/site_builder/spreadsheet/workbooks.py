"""Workbooks as a clerk fills them in, shared by the reader, writer and command-line tests."""

import datetime as dt
from typing import Any

from openpyxl import Workbook

from site_builder.model.catalogue import Catalogue
from site_builder.spreadsheet import POSITION_SHEET, UNIT_SHEET, template_workbook, workbook_bytes

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


def unit_only(catalogue: Catalogue, slug: str) -> Catalogue:
    """The catalogue cut down to one unit, as `jianxi export-xlsx --unit` exports it."""
    return Catalogue(
        units={slug: catalogue.units[slug]},
        positions=[e for e in catalogue.positions if e.unit_slug == slug],
    )
