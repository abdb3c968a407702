"""The statistics as captioned tables: one list of sections that the statistics page, its
workbook and the summary evaluation all show, so a figure reads the same on screen and in Excel.

The first column of each row is its row header; counts stay numbers (Excel sums them), rates and
ratios are text with their unit; each table's note defines its figures in the office's words.
"""

from dataclasses import dataclass

from ..applications.workfile.destinations import DESTINATIONS
from ..applications.workfile.rules import GRADES
from ..core.downloads import Cell
from .outcomes import Outcome
from .records import Records
from .statistics import TOP, ApplicantStats, Count, Funnel, Group, PositionFigures, PositionStats, Statistics


@dataclass(frozen=True)
class Table:
    """One captioned table: a section of the page, a sheet of the workbook. The first column of
    each row is its row header."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    note: str = ""
    sheet: str = ""

    @property
    def sheet_title(self) -> str:
        return self.sheet or self.title


@dataclass(frozen=True)
class Section:
    title: str
    tables: list[Table]
    note: str = ""


def shown_percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def shown_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


GROUP_HEADERS = ["岗位数", "招收人数", "已上岗人数", "上岗率", "报名人次", "平均每岗报名人次"]
POSITION_HEADERS = ["岗位", "设岗单位", "岗位类型", "工作地点", "招收人数", "报名人次", "已上岗人数"]
COUNT_HEADERS = ["报名数", "进入见习人数"]
# 去向 in short words, in DESTINATIONS' order, then the unit's retention rate.
DESTINATION_HEADERS = ["去向：留用", "去向：其他单位就业", "去向：升学", "去向：暂未就业", "去向：其他"]
OUTCOME_HEADERS = [
    *("签订协议人数", "在岗", "按期完成", "提前结束", "完成率"),
    *GRADES,
    *DESTINATION_HEADERS,
    "留用率",
]


def _group_rows(groups: list[Group]) -> list[list[Cell]]:
    return [
        [
            g.key,
            g.positions,
            g.headcount,
            g.filled,
            shown_percent(g.fill_rate),
            g.applications,
            shown_ratio(g.per_position),
        ]
        for g in groups
    ]


def _position_rows(figures: list[PositionFigures]) -> list[list[Cell]]:
    return [[f.title, f.unit, f.type, f.district, f.headcount, f.applications, f.filled] for f in figures]


def outcome_cells(o: Outcome) -> list[Cell]:
    cells: list[Cell] = [
        o.placements,
        o.on_site,
        o.completed,
        o.ended_early,
        shown_percent(o.completion_rate),
    ]
    cells += [o.grades[g] for g in GRADES]
    return cells + [o.destinations[key] for key in DESTINATIONS] + [shown_percent(o.retention_rate)]


FUNNEL_NOTE = (
    "“到达人数”：状态记录中到达过该环节或其后任一环节的报名数（中途撤回或未通过的，计入其到达过的环节）；"
    "“转化率”：本环节到达人数 ÷ 上一环节到达人数。"
)
GROUP_NOTE = (
    "岗位数、招收人数取自当前岗位目录；“报名人次”：所选年度报名中把该岗位列为志愿的次数"
    "（一人最多三个志愿，可计入多个岗位）；“已上岗人数”：已签订见习协议的录用（含见习中、已结束）；"
    "“上岗率”：已上岗人数 ÷ 招收人数。"
)
OUTCOME_NOTE = (
    "统计已签订见习协议的见习生。“按期完成”：见习结束且未早于协议约定的结束日期；“提前结束”："
    "早于约定日期结束，或签协议后撤回、终止；“完成率”：按期完成 ÷（按期完成 + 提前结束）；"
    "评价等级为导师评价的总体等级。“去向”为单位登记见习结束时填写、学生可在查询页确认或更正的去向；"
    "“留用率”：留用人数 ÷ 已登记去向人数。"
)
PRIORITY_NOTE = (
    "仅统计本人单独同意提供的申请人；一人可属多种情形。1 至 4 人显示为“<5”，0 人显示为 0，"
    "以免推断出具体个人。本表仅管理员可见，每次查看都记入操作日志。"
)


def _funnel_section(f: Funnel) -> Section:
    rows: list[list[Cell]] = [[s.label, s.now, s.reached, shown_percent(s.conversion)] for s in f.steps]
    rows += [
        ["已撤回", f.withdrawn, "", ""],
        ["未通过", f.rejected, "", ""],
        ["合计", f.total, "", ""],
    ]
    headers = ["环节", "当前处于该环节", "到达人数", "转化率"]
    return Section(
        "报名环节", [Table("funnel", "各环节报名数与转化率", headers, rows, FUNNEL_NOTE, "报名环节")]
    )


def _positions_section(p: PositionStats) -> Section:
    unwanted = f"共 {p.unwanted} 个岗位在本年度无人报名。" if p.unwanted else ""
    unlisted = f"另有 {p.unlisted} 人次报名的岗位已不在当前目录中，未计入上表。" if p.unlisted else ""
    return Section(
        "岗位",
        [
            Table("by-type", "按岗位类型", ["岗位类型", *GROUP_HEADERS], _group_rows(p.by_type), GROUP_NOTE),
            Table("by-track", "按岗位性质", ["岗位性质", *GROUP_HEADERS], _group_rows(p.by_track)),
            Table("by-district", "按工作地点", ["工作地点", *GROUP_HEADERS], _group_rows(p.by_district)),
            Table("by-category", "按单位类别", ["单位类别", *GROUP_HEADERS], _group_rows(p.by_category)),
            Table("most-wanted", f"报名最多的 {TOP} 个岗位", POSITION_HEADERS, _position_rows(p.most_wanted)),
            Table(
                "least-wanted",
                f"报名最少的 {TOP} 个岗位",
                POSITION_HEADERS,
                _position_rows(p.least_wanted),
                " ".join(w for w in (unwanted, unlisted) if w),
            ),
        ],
    )


def _applicants_section(a: ApplicantStats) -> Section:
    def counts(counted: list[Count]) -> list[list[Cell]]:
        return [[c.key, c.applications, c.interns] for c in counted]

    university_note = (
        "学校按申请人填写的名称统计。“进入见习人数”：其中已签订见习协议（含见习中、已结束）的人数。"
    )
    return Section(
        "报名人员",
        [
            Table(
                "by-university", "按学校", ["学校", *COUNT_HEADERS], counts(a.by_university), university_note
            ),
            Table("by-degree", "按学历", ["学历", *COUNT_HEADERS], counts(a.by_degree)),
            Table("by-major-group", "按学科门类", ["学科门类", *COUNT_HEADERS], counts(a.by_major_group)),
        ],
    )


def _records_section(r: Records) -> Section:
    rows: list[list[Cell]] = [
        ["已在智慧科协见习计划系统注册的报名", r.registered, shown_percent(r.registered_rate)],
        ["培养计划经导师确认的见习生", r.plans_confirmed, shown_percent(r.plan_rate)],
        ["确认已阅读培养计划的见习生", r.plans_read, ""],
        ["经导师通过的学生周志（周）", r.weeks_approved, ""],
        ["见习总结经导师通过的见习生", r.reports_approved, ""],
        ["评价了本次见习的见习生", r.ratings, ""],
    ]
    note = (
        f"注册比例以本范围的 {r.applications} 份报名为分母；培养计划比例以签订协议的 {r.interns} 名"
        "见习生为分母。"
    )
    return Section(
        "见习过程记录", [Table("records", "见习过程记录", ["项目", "数量", "比例"], rows, note, "过程记录")]
    )


def tables(stats: Statistics) -> list[Section]:
    """The statistics as sections of captioned tables, in the page's order."""
    outcome_rows = [[stats.filters.describe(), *outcome_cells(stats.outcome)]]
    outcome = Table(
        "outcome", "见习完成与导师评价", ["范围", *OUTCOME_HEADERS], outcome_rows, OUTCOME_NOTE, "见习完成"
    )
    sections = [
        _funnel_section(stats.funnel),
        _positions_section(stats.positions),
        _applicants_section(stats.applicants),
        Section("见习完成情况", [outcome]),
        _records_section(stats.records),
    ]
    if stats.priority is not None:
        rows: list[list[Cell]] = [["同意提供的申请人", stats.priority.consented]]
        rows += [[group, count] for group, count in stats.priority.groups]
        sections.append(
            Section(
                "优先考虑情形（敏感信息）",
                [Table("priority", "优先考虑情形", ["情形", "人数"], rows, PRIORITY_NOTE)],
            )
        )
    return sections
