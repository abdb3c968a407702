"""Applications as table rows for staff downloads (core.downloads writes them as .xlsx or .csv).

Pure functions: applications in, rows out; the views choose the applications and record the export.
"""

from collections.abc import Iterable

from site_builder.clock import local_time

from ..catalogue.positions import Positions
from ..core.downloads import Cell, Table
from .models import Application, Placement

SENSITIVE_HEADER = "优先考虑情形（敏感个人信息）"


def position_label(positions: Positions, position_id: str) -> str:
    entry = positions.by_id.get(position_id)
    if entry is None:
        return position_id
    return f"{positions.unit_of(entry).name} · {entry.position.title}（{position_id}）"


def _yes_no(flag: bool, detail: str) -> str:
    return f"是：{detail}" if flag else "否"


def registration(application: Application) -> str:
    """是 (with the account name given) or 否, as the office's list, page and export show it."""
    account = f"（账号 {application.registry_account}）" if application.registry_account else ""
    return f"是{account}" if application.registered else "否"


APPLICATION_HEADERS = [
    "报名编号",
    "状态",
    "提交时间",
    "姓名",
    "手机号",
    "电子邮箱",
    "毕业（就读）学校",
    "专业",
    "学历",
    "毕业时间",
    "目前状态",
    "已在智慧科协见习计划系统注册",
    "科技社团任职经历",
    "科技志愿服务经历",
    "第一意向岗位",
    "第二意向岗位",
    "第三意向岗位",
    "录用岗位",
    "见习导师",
    "核查提示",
    "个人陈述",
]


def application_table(
    applications: Iterable[Application],
    positions: Positions,
    labels: dict[str, str],
    placements: dict[int, Placement],
    sensitive: bool = False,
) -> Table:
    """One row per application. The priority groups appear only with sensitive=True, and only
    for applicants who consented to give them."""
    headers = APPLICATION_HEADERS + ([SENSITIVE_HEADER] if sensitive else [])
    rows: list[list[Cell]] = []
    for a in applications:
        choices = [position_label(positions, c.position_id) for c in a.choices]
        choices += [""] * (3 - len(choices))
        placement = placements.get(a.id)
        row: list[Cell] = [
            a.reference,
            labels.get(a.state, a.state),
            local_time(a.created_at),
            a.name,
            a.phone,
            a.email,
            a.university,
            a.major,
            a.degree,
            a.graduation.strftime("%Y-%m"),
            a.current_status,
            registration(a),
            _yes_no(a.society_post, a.society_post_detail),
            _yes_no(a.volunteering, a.volunteering_detail),
            *choices[:3],
            position_label(positions, placement.position_id) if placement else "",
            placement.mentor if placement else "",
            a.flag or "",
            a.statement,
        ]
        if sensitive:
            groups = (a.priority_groups or []) if a.priority_consent else []
            row.append("、".join(groups))
        rows.append(row)
    return headers, rows
