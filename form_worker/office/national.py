"""The sheet for re-keying positions into the national systems the notice names: 就业见习系统 (the HR
side's, where employment-internship units and their positions are filed) and 智慧科协见习计划系统.

We submit nothing to either system: the unit, or the office for it, types the positions in there.
This sheet puts one position on each row, with its unit's fields repeated, so a clerk can copy row by
row. We know neither system's input form for certain, so every column says where its name
comes from (`SOURCES`): a name fixed by a national standard, our guess (a comment on the header says
so, and the 列说明 sheet lists them), or this platform's own information, there for checking and not
to be typed in. When a system's real name for a field becomes known, change the column here and give
it the source "system".

Values are read through the 岗位征集表's own columns (site_builder.spreadsheet.columns), so a field
reads the same in both exports; every cell is written by the one cell writer, which keeps text that
looks like a formula inert.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from site_builder.model.catalogue import PositionEntry
from site_builder.pages import STATE_LABELS, page_url, position_page
from site_builder.spreadsheet import workbook_bytes
from site_builder.spreadsheet.cells import CellValue
from site_builder.spreadsheet.columns import UNIT_COLUMNS, position_columns, shown_value, value_at

from ..catalogue.positions import Positions
from ..core.downloads import table_workbook

SHEET = "岗位信息"
GUESS_NOTE = "列名为推测，请以系统为准"
OURS_NOTE = "本平台信息，供核对，无需录入"
SOURCES = {
    "system": "系统中的列名",
    "standard": "国家标准名称",
    "guess": "推测（请以系统为准）",
    "ours": "本平台信息（无需录入）",
}
# Header colours: guessed names stand out; our own columns are grey.
FILLS = {
    "guess": PatternFill("solid", fgColor="FFFFF2CC"),
    "ours": PatternFill("solid", fgColor="FFE7E6E6"),
}
REGISTRATION_URL_NOTE = "毕业生在此注册报名；设岗单位在此提交并发布岗位信息"


@dataclass(frozen=True)
class Record:
    """What one row is read from: the position and its unit, dumped as the 岗位征集表 reads them."""

    entry: PositionEntry
    position: dict[str, Any]
    unit: dict[str, Any]
    today: dt.date
    catalogue_url: str


@dataclass(frozen=True)
class NationalColumn:
    """One column of the sheet: its header, how a row's value is read, and where the name comes from."""

    header: str
    read: Callable[[Record], CellValue]
    source: str = "guess"
    form_column: str = ""  # the 岗位征集表 column it shows, for the 列说明 sheet
    note: str = ""


_UNIT = {c.header: c for c in UNIT_COLUMNS}
_POSITION = {c.header: c for c in position_columns(0)}


def _unit(header: str, form_header: str = "", source: str = "guess") -> NationalColumn:
    column = _UNIT[form_header or header]
    return NationalColumn(
        header, lambda r: shown_value(column, value_at(r.unit, column.loc)), source, column.header
    )


def _position(header: str, form_header: str = "", source: str = "guess", note: str = "") -> NationalColumn:
    column = _POSITION[form_header or header]
    return NationalColumn(
        header, lambda r: shown_value(column, value_at(r.position, column.loc)), source, column.header, note
    )


def _contact(part: str) -> Callable[[Record], CellValue]:
    """The position's contact, or the unit's when the position names none (as its page shows)."""
    return lambda r: (r.position.get("contact") or r.unit["contact"])[part]


def _mentors(record: Record) -> str:
    return "；".join(f"{m['name']}（{m['title']}）" for m in record.position["mentors"])


def _page(record: Record) -> str:
    return record.catalogue_url.rstrip("/") + "/" + page_url(position_page(record.entry))


def _sample(record: Record) -> str:
    return "是" if record.position.get("sample") or record.unit.get("sample") else "否"


NATIONAL_COLUMNS: tuple[NationalColumn, ...] = (
    NationalColumn("序号", lambda r: None, "ours"),  # numbered when written
    _unit("见习单位名称", "单位名称"),
    _unit("统一社会信用代码", source="standard"),
    _unit("单位类别"),
    _unit("所在区县", "单位所在区县"),
    _unit("单位地址"),
    _unit("就业见习单位认定状态"),
    _unit("认定部门"),
    _unit("认定日期"),
    _unit("单位联系人"),
    _unit("联系电话", "单位联系人电话"),
    _unit("电子邮箱", "单位联系人邮箱"),
    _position("岗位名称"),
    _position("岗位类型", note="通知统一设置的五类：学术助理、科普助理、编辑助理、科创助理、国际助理"),
    _position("岗位性质", note="科技见习面向毕业生；职业体验面向在校生"),
    _position("招募人数", "招收人数"),
    _position("岗位职责"),
    _position("见习收获"),
    _position("专业要求"),
    _position("学历要求", "最低学历"),
    _position("工作地点（区县）", "工作地点区县"),
    _position("工作地点（详细地址）", "工作地点详细地址"),
    _position("基本生活费（元/月）", "每月生活费（元）", note="见习单位按月发放的基本生活费"),
    _position("见习开始日期", "开始日期"),
    _position("见习结束日期", "结束日期"),
    _position("报名截止日期"),
    NationalColumn(
        "见习导师", _mentors, form_column="导师姓名、导师职称", note="姓名（职务或职称），多名用“；”分隔"
    ),
    NationalColumn("岗位联系人", _contact("name"), form_column="岗位联系人", note="未填时为单位联系人"),
    NationalColumn(
        "岗位联系电话", _contact("phone"), form_column="岗位联系人电话", note="未填时为单位联系人的"
    ),
    NationalColumn(
        "岗位联系邮箱", _contact("email"), form_column="岗位联系人邮箱", note="未填时为单位联系人的"
    ),
    _position("产业领域标签", note="重庆“416”科技创新布局与“33618”现代制造业集群"),
    NationalColumn("本平台岗位编号", lambda r: r.entry.id, "ours", "岗位编号"),
    NationalColumn(
        "岗位状态",
        lambda r: STATE_LABELS[r.entry.position.state(r.today)],
        "ours",
        "岗位状态",
        "导出当天的状态：招募中、已截止、已关闭或已招满",
    ),
    _position("发布日期", source="ours"),
    NationalColumn("岗位页面", _page, "ours", note="本平台岗位目录中的页面，可对照复制文字"),
    NationalColumn("示例数据", _sample, "ours", "示例数据", "“是”为虚构的示例，切勿录入"),
)


def unit_entries(positions: Positions, unit_slug: str) -> list[PositionEntry]:
    """One unit's positions in the catalogue, every state, in file order."""
    return list(positions.of_unit(unit_slug))


def year_entries(positions: Positions, year: int) -> list[PositionEntry]:
    """The programme year's positions: those published in that year, every unit, by unit."""
    return sorted(
        (e for e in positions.by_id.values() if e.position.published.year == year), key=lambda e: e.id
    )


def rows(
    positions: Positions, entries: Sequence[PositionEntry], today: dt.date, catalogue_url: str
) -> list[list[CellValue]]:
    """One row per position, in NATIONAL_COLUMNS' order, numbered."""
    units: dict[str, dict[str, Any]] = {}
    found: list[list[CellValue]] = []
    for number, entry in enumerate(entries, start=1):
        if entry.unit_slug not in units:
            units[entry.unit_slug] = positions.unit_of(entry).model_dump(mode="python")
        record = Record(
            entry, entry.position.model_dump(mode="python"), units[entry.unit_slug], today, catalogue_url
        )
        found.append([number, *(column.read(record) for column in NATIONAL_COLUMNS[1:])])
    return found


def _notes(scope: str, count: int, today: dt.date, registration_url: str) -> list[list[CellValue]]:
    """The 说明 sheet: what the workbook is for, and what it is not."""
    return [
        [
            "用途",
            "供在“就业见习系统”和“智慧科协见习计划系统”中录入岗位时对照使用。"
            "本平台不向这两个系统报送任何数据，须由设岗单位（或市项目办代为）在系统中录入。",
        ],
        ["范围", f"{scope}，共 {count} 个岗位；导出日期 {today.isoformat()}（北京时间）"],
        ["排列", "每行一个岗位，所属单位的信息在每行重复，便于逐行录入。"],
        [
            "列名",
            f"两个系统的录入栏目以系统为准。黄色表头的列名为推测，表头批注“{GUESS_NOTE}”；"
            "灰色表头为本平台信息，供核对，无需录入。各列的来源见“列说明”工作表。",
        ],
        [
            "就业见习系统",
            "拟设岗单位先向参保地所在区县（自治县）人力社保部门申报成为就业见习单位，"
            "岗位信息在该系统提交并发布；具体操作请咨询当地人力社保部门。",
        ],
        ["智慧科协见习计划系统", f"{registration_url}（{REGISTRATION_URL_NOTE}）"],
        ["示例数据", "“示例数据”列为“是”的岗位是虚构的示例，切勿录入。"],
        [
            "咨询",
            "大学生科技见习计划重庆市管理办公室（重庆市科协科技服务中心），"
            "电话 023-63002289，邮箱 646479146@qq.com",
        ],
    ]


def _column_notes() -> list[list[CellValue]]:
    return [[c.header, SOURCES[c.source], c.form_column, c.note] for c in NATIONAL_COLUMNS]


def workbook(
    positions: Positions,
    entries: Sequence[PositionEntry],
    scope: str,
    *,
    today: dt.date,
    catalogue_url: str,
    registration_url: str,
) -> bytes:
    """The .xlsx: the positions, then 说明 and 列说明; guessed and own headers marked."""
    book = table_workbook(
        [
            (SHEET, [c.header for c in NATIONAL_COLUMNS], rows(positions, entries, today, catalogue_url)),
            ("说明", ["事项", "说明"], _notes(scope, len(entries), today, registration_url)),
            ("列说明", ["列名", "列名来源", "对应《岗位征集表》栏目", "说明"], _column_notes()),
        ]
    )
    sheet = book[SHEET]
    for number, column in enumerate(NATIONAL_COLUMNS, start=1):
        cell = sheet.cell(1, number)
        if column.source in FILLS:
            cell.fill = FILLS[column.source]
        if column.source == "guess":
            cell.comment = Comment(GUESS_NOTE, "jianxi", width=200, height=60)
        elif column.source == "ours":
            cell.comment = Comment(OURS_NOTE, "jianxi", width=200, height=60)
    return workbook_bytes(book)
