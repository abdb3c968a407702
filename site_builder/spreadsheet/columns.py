"""The column spec of the 岗位征集表: which header or row label holds which model field, and how.

The template, the export and the import all read this one spec, so a column added here appears in
the template, is written by the export and is accepted by the import.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model.schema import MENTOR_LIMIT
from ..model.vocab import DISTRICTS, EDUCATION_LEVELS, POSITION_TYPES, TAGS, TRACKS, UNIT_CATEGORIES

TEMPLATE_NAME = "岗位征集表.xlsx"
EXPORT_NAME = "岗位汇总表.xlsx"
UNIT_SHEET = "单位信息"
POSITION_SHEET = "岗位"
OPTIONS_SHEET = "选项"
ID_HEADER = "岗位编号"
# Mentor columns in the template: ten, enough for 30 places (three interns a mentor). A unit with more
# adds 导师11姓名、导师11职称 and so on up to 导师34 (100 places): the import reads any of them.
MENTOR_SLOTS = 10
MENTOR_SLOTS_AT_MOST = 34
# Rows of the 岗位 sheet that carry drop-downs; more rows than any unit offers in one form.
TEMPLATE_ROWS = 500
# A workbook with more position rows than this is refused rather than read.
MAX_ROWS = 5000
# The import reads no further than this many rows and columns of a sheet, whatever its dimension
# claims: openpyxl pads a sheet to its declared size, so one cell at XFD1048576 would be 17 billion.
SCAN_ROWS = 2 * MAX_ROWS
SCAN_COLUMNS = 256
TEXT_FORMAT = "@"

HR_STATUS = {"申报中": "pending", "已认定": "approved"}
POSITION_STATUS = {"招募中": "open", "已关闭": "closed", "已招满": "filled"}
YES_NO = {"是": True, "否": False}

# Drop-down lists, kept on a hidden sheet because the district list is longer than the 255
# characters an inline list may have.
OPTIONS: dict[str, list[str]] = {
    "岗位类型": list(POSITION_TYPES),
    "岗位性质": list(TRACKS),
    "区县": list(DISTRICTS),
    "最低学历": list(EDUCATION_LEVELS),
    "单位类别": list(UNIT_CATEGORIES),
    "认定状态": list(HR_STATUS),
    "岗位状态": list(POSITION_STATUS),
    "是否": list(YES_NO),
    "产业领域标签": list(TAGS),
}

TRACK_NOTE = "科技见习面向毕业生；职业体验面向在校生"
# The headers _mentor_columns writes, read back for any number of slots an export may have.
MENTOR_HEADER = re.compile(r"导师(\d{1,2})(姓名|职称)")

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Column:
    """One field as it appears in the workbook: a header (or a row label) and where it goes in the model."""

    header: str
    loc: Loc
    kind: str = "text"  # text | int | date | list
    note: str = ""
    width: int = 16
    options: str | None = None
    labels: dict[str, Any] | None = None
    text_format: bool = False
    optional: bool = False  # may be left empty
    extra: bool = False  # only in exports; accepted on import, absent from the template


# The first column of an export: which file a row replaces when it is imported again.
ID_COLUMN = Column(ID_HEADER, (), note="单位目录/文件名；新岗位留空", width=30, optional=True, extra=True)

UNIT_COLUMNS = (
    Column("单位名称", ("name",), note="与公章一致的单位全称", width=30),
    Column("统一社会信用代码", ("credit_code",), note="18 位，字母大写", width=22, text_format=True),
    Column("单位类别", ("category",), note="从下拉列表选择", width=22, options="单位类别"),
    Column("单位所在区县", ("district",), note="从下拉列表选择", width=16, options="区县"),
    Column("单位地址", ("address",), width=30),
    Column("单位网站", ("website",), note="选填，以 http:// 或 https:// 开头", width=24, optional=True),
    Column(
        "就业见习单位认定状态",
        ("hr_approval", "status"),
        note="参保地区县人力社保部门的认定：申报中或已认定",
        options="认定状态",
        labels=HR_STATUS,
    ),
    Column("认定部门", ("hr_approval", "bureau"), note="如：重庆市渝中区人力资源和社会保障局", width=28),
    Column(
        "认定日期", ("hr_approval", "date"), kind="date", note="已认定时必填，如 2026-05-12", optional=True
    ),
    Column("单位联系人", ("contact", "name")),
    Column("单位联系人电话", ("contact", "phone"), note="手机号或带区号的座机号", text_format=True),
    Column("单位联系人邮箱", ("contact", "email"), width=24),
    Column("单位示例数据", ("sample",), options="是否", labels=YES_NO, optional=True, extra=True),
)


def _mentor_columns(slots: int) -> list[Column]:
    columns = []
    for slot in range(slots):
        note = (
            "每名导师最多同时带教 3 名见习生；导师更多时，可在后面添加“导师11姓名”“导师11职称”等列"
            if slot == 0
            else "选填"
        )
        columns.append(Column(f"导师{slot + 1}姓名", ("mentors", slot, "name"), note=note, width=12))
        columns.append(Column(f"导师{slot + 1}职称", ("mentors", slot, "title"), note="职务或职称", width=14))
    return columns


def position_columns(mentor_slots: int = MENTOR_SLOTS) -> list[Column]:
    """The 岗位 sheet's columns in order, with as many mentor pairs as the widest position needs."""
    return [
        Column("岗位名称", ("title",), width=26),
        Column("岗位类型", ("type",), note="从下拉列表选择", width=12, options="岗位类型"),
        Column("岗位性质", ("track",), note=TRACK_NOTE, width=12, options="岗位性质"),
        Column(
            "招收人数",
            ("headcount",),
            kind="int",
            note=f"1–100 的整数；不超过导师人数×{MENTOR_LIMIT}",
            width=10,
        ),
        *_mentor_columns(mentor_slots),
        Column("岗位职责", ("duties",), note="见习生每天做什么，至少 10 个字", width=40),
        Column("见习收获", ("learning",), note="见习生能学到什么，至少 10 个字", width=40),
        Column("专业要求", ("majors",), kind="list", note="多个专业用“、”或“，”分隔", width=24),
        Column("最低学历", ("education",), note="从下拉列表选择", width=10, options="最低学历"),
        Column("工作地点区县", ("workplace", "district"), note="从下拉列表选择", width=16, options="区县"),
        Column("工作地点详细地址", ("workplace", "address"), width=30),
        Column("每月生活费（元）", ("allowance",), kind="int", note="每月基本生活费，整数", width=14),
        Column("开始日期", ("start_date",), kind="date", note="如 2026-07-01", width=12),
        Column("结束日期", ("end_date",), kind="date", note="晚于开始日期", width=12),
        Column("报名截止日期", ("deadline",), kind="date", note="不晚于结束日期", width=14),
        Column(
            "产业领域标签",
            ("tags",),
            kind="list",
            note="选填，多个用“、”分隔，可选：" + "、".join(TAGS),
            width=20,
            optional=True,
        ),
        Column("岗位联系人", ("contact", "name"), note="选填，不填则用单位联系人", width=12, optional=True),
        Column("岗位联系人电话", ("contact", "phone"), width=16, text_format=True, optional=True),
        Column("岗位联系人邮箱", ("contact", "email"), width=24, optional=True),
        Column(
            "岗位状态",
            ("status",),
            note="招募中、已关闭或已招满",
            width=10,
            options="岗位状态",
            labels=POSITION_STATUS,
            optional=True,
            extra=True,
        ),
        Column("发布日期", ("published",), kind="date", width=12, optional=True, extra=True),
        Column("示例数据", ("sample",), width=10, options="是否", labels=YES_NO, optional=True, extra=True),
    ]


def value_at(data: Any, loc: Sequence[str | int]) -> Any:
    """The value a column's location names in dumped model data, or None where the path ends."""
    for part in loc:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


def shown_value(column: Column, value: Any) -> Any:
    """The cell value for a model value: a label for a coded value, a list joined with “、”."""
    if value is None:
        return None
    if column.labels is not None:
        for label, model_value in column.labels.items():
            if model_value == value:
                return label
    if column.kind == "list":
        return "、".join(value) or None
    return value
