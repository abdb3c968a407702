"""The subsidy claim list (就业见习补贴申领名单): for a host unit and a range of months, the facts the
district HR bureau asks for when the unit claims the employment-internship subsidy, and what is
missing from them.

The notice leaves the subsidy to the city's employment-internship rules (按照重庆市就业见习工作有关规定),
so nothing here computes an amount or judges eligibility: the list gives each intern's agreement,
insurance and internship period and, per month, attendance and the allowance paid; the gaps say
plainly what is not on record. Three queries answer any number of units and months (placements with
their applications, then the range's attendance and payments joined on the same conditions).

A gap is one of:
- a month of the internship inside the range, already over, without an attendance record, without
  an allowance payment, or with a payment below the agreed monthly allowance;
- no insurer, no policy number, or a cover period that does not span the internship (start to the
  actual last day, or the agreed end while it runs).
A month still running is listed but never a gap: its attendance is recorded at its end.
"""

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ..applications.models import AllowancePayment, Application, Attendance, Placement
from ..applications.scope import unit_position_ids
from ..applications.states import STATE_LABELS
from ..applications.workfile import destinations
from ..applications.workfile.destinations import KEPT
from ..catalogue.positions import Positions
from ..core.downloads import Cell, Table
from .months import MonthRange, month_end, month_label

GAP_KINDS = {
    "attendance": "缺考勤记录",
    "payment": "缺生活费发放记录",
    "below": "发放金额低于协议约定",
    "insurer": "缺承保保险公司",
    "policy": "缺保险单号",
    "cover": "保险期间未覆盖见习期",
}


@dataclass(frozen=True)
class Gap:
    """One thing missing from an intern's record; `text` states it as a fact."""

    kind: str
    text: str


@dataclass(frozen=True)
class MonthFacts:
    """One month of one intern: whether the internship ran in it, whether the month is over (only
    then can a missing record be a gap), its attendance and payment."""

    month: dt.date
    interning: bool
    ended: bool
    attendance: Attendance | None
    payment: AllowancePayment | None


def last_day(placement: Placement) -> dt.date | None:
    """The internship's last day: the day the intern actually left, else the agreed end."""
    return placement.finished_on or placement.end_date


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def internship_period(placement: Placement) -> str:
    """Start to end as agreed, or to the actual last day when it differs from the agreement."""
    start, end, finished = placement.start_date, placement.end_date, placement.finished_on
    if finished is None or finished == end:
        return f"{_day(start)} 至 {_day(end)}"
    early = "提前结束；" if end is not None and finished < end else ""
    return f"{_day(start)} 至 {_day(finished)}（{early}协议约定至 {_day(end)}）"


def cover_period(placement: Placement) -> str:
    if placement.cover_start is None and placement.cover_end is None:
        return ""
    return f"{_day(placement.cover_start)} 至 {_day(placement.cover_end)}"


@dataclass
class ClaimRow:
    """One intern on the list: the placement, its application, the months of the range, the gaps."""

    unit_slug: str
    unit_name: str
    position_title: str
    application: Application
    placement: Placement
    months: list[MonthFacts]
    gaps: list[Gap] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.application.state, self.application.state)


@dataclass
class UnitClaims:
    """One unit's claim list for the range, and its gaps counted by kind."""

    slug: str
    name: str
    rows: list[ClaimRow] = field(default_factory=list)

    @property
    def with_gaps(self) -> list[ClaimRow]:
        return [row for row in self.rows if row.gaps]

    def retention(self) -> str:
        """留用率 among the interns on the list whose destination is recorded, as facts, not amounts:
        Chongqing's subsidy rules treat units that keep half or more differently."""
        recorded = [row for row in self.rows if row.placement.destination]
        if not recorded:
            return "尚无登记去向"
        kept = sum(row.placement.destination == KEPT for row in recorded)
        return f"留用 {kept} 人 / 已登记去向 {len(recorded)} 人（{100 * kept / len(recorded):.1f}%）"

    def missing(self) -> list[str]:
        """What is missing, by kind, in words: '缺考勤记录 3 项（2 人）'."""
        found = []
        for kind, label in GAP_KINDS.items():
            hits = [row for row in self.rows for gap in row.gaps if gap.kind == kind]
            if hits:
                people = len({id(row) for row in hits})
                found.append(f"{label} {len(hits)} 项（{people} 人）")
        return found


def gaps_of(placement: Placement, months: list[MonthFacts]) -> list[Gap]:
    """What the record lacks: per month of the internship that has ended, then the insurance."""
    found = []
    for facts in months:
        if not facts.interning or not facts.ended:
            continue
        label = month_label(facts.month)
        if facts.attendance is None:
            found.append(Gap("attendance", f"{label}无考勤记录"))
        if facts.payment is None:
            found.append(Gap("payment", f"{label}未登记生活费发放"))
        elif placement.allowance is not None and facts.payment.amount < placement.allowance:
            found.append(
                Gap(
                    "below",
                    f"{label}发放 {facts.payment.amount} 元，协议约定每月 {placement.allowance} 元",
                )
            )
    if not placement.insurer:
        found.append(Gap("insurer", "未登记承保保险公司"))
    if not placement.policy_number:
        found.append(Gap("policy", "未登记保险单号"))
    start, end = placement.start_date, last_day(placement)
    if placement.cover_start is None or placement.cover_end is None:
        found.append(Gap("cover", "未登记保险期间"))
    elif start and end and not placement.cover_start <= start <= end <= placement.cover_end:
        found.append(
            Gap("cover", f"保险期间 {cover_period(placement)} 未覆盖见习期 {_day(start)} 至 {_day(end)}")
        )
    return found


def _conditions(month_range: MonthRange, position_ids: list[str] | None) -> list[ColumnElement[bool]]:
    """Placements with an agreement whose internship overlaps the range (of these positions)."""
    conditions = [
        Placement.agreement_date.is_not(None),
        Placement.start_date <= month_range.end,
        func.coalesce(Placement.finished_on, Placement.end_date) >= month_range.first,
    ]
    if position_ids is not None:
        conditions.append(Placement.position_id.in_(position_ids))
    return conditions


def unit_slug_of(positions: Positions, position_id: str) -> str:
    """The position's unit; for a position gone from the catalogue, the folder its id names."""
    entry = positions.by_id.get(position_id)
    return entry.unit_slug if entry is not None else position_id.split("/", 1)[0]


def unit_name(positions: Positions, slug: str) -> str:
    unit = positions.catalogue.units.get(slug)
    return unit.unit.name if unit is not None else slug


def _collect(
    session: Session,
    positions: Positions,
    month_range: MonthRange,
    today: dt.date,
    position_ids: list[str] | None,
) -> list[ClaimRow]:
    conditions = _conditions(month_range, position_ids)
    pairs = session.execute(
        select(Placement, Application)
        .join(Application, Application.id == Placement.application_id)
        .where(*conditions)
        .order_by(Placement.position_id, Application.reference, Placement.id)
    ).all()
    attendance = {
        (a.placement_id, a.month.replace(day=1)): a
        for a in session.scalars(
            select(Attendance)
            .join(Placement, Placement.id == Attendance.placement_id)
            .where(*conditions, Attendance.month >= month_range.first, Attendance.month <= month_range.end)
        )
    }
    payments = {
        (p.placement_id, p.month.replace(day=1)): p
        for p in session.scalars(
            select(AllowancePayment)
            .join(Placement, Placement.id == AllowancePayment.placement_id)
            .where(
                *conditions,
                AllowancePayment.month >= month_range.first,
                AllowancePayment.month <= month_range.end,
            )
        )
    }
    rows = []
    for placement, application in pairs:
        start, end = placement.start_date, last_day(placement)
        months = [
            MonthFacts(
                month,
                start is not None and end is not None and start <= month_end(month) and end >= month,
                month_end(month) < today,
                attendance.get((placement.id, month)),
                payments.get((placement.id, month)),
            )
            for month in month_range.months
        ]
        entry = positions.by_id.get(placement.position_id)
        slug = unit_slug_of(positions, placement.position_id)
        rows.append(
            ClaimRow(
                unit_slug=slug,
                unit_name=unit_name(positions, slug),
                position_title=entry.position.title if entry is not None else placement.position_id,
                application=application,
                placement=placement,
                months=months,
                gaps=gaps_of(placement, months),
            )
        )
    return rows


def unit_claims(
    session: Session, positions: Positions, unit: str, month_range: MonthRange, today: dt.date
) -> UnitClaims:
    """One unit's list: its own positions only (scope.unit_position_ids), as a unit account sees it."""
    rows = _collect(session, positions, month_range, today, unit_position_ids(positions, unit))
    return UnitClaims(unit, unit_name(positions, unit), rows)


def all_claims(
    session: Session, positions: Positions, month_range: MonthRange, today: dt.date
) -> list[UnitClaims]:
    """Every unit of the catalogue (with or without interns in the range), for the office; a
    placement at a position since removed from the catalogue stays under the unit its id names."""
    units = {slug: UnitClaims(slug, entry.unit.name) for slug, entry in positions.catalogue.units.items()}
    for row in _collect(session, positions, month_range, today, None):
        units.setdefault(row.unit_slug, UnitClaims(row.unit_slug, row.unit_name)).rows.append(row)
    return [units[slug] for slug in sorted(units)]


# The 申领名单 sheet's columns before the months of the range (four each).
CLAIM_HEADERS = (
    "设岗单位",
    "报名编号",
    "姓名",
    "见习岗位",
    "报名状态",
    "协议签订日期",
    "每月基本生活费（协议，元）",
    "承保保险公司",
    "保险单号",
    "保险期间",
    "见习期",
    "实际结束日期",
    "提前结束原因",
    "去向",
    "单位留用率（本名单）",
)


def claim_table(units: list[UnitClaims], month_range: MonthRange) -> Table:
    """The 申领名单 sheet: one row per intern, four columns per month of the range."""
    headers = list(CLAIM_HEADERS)
    for month in month_range.months:
        label = month_label(month)
        headers += [f"{label}出勤天数", f"{label}应出勤天数", f"{label}发放金额（元）", f"{label}发放日期"]
    rows: list[list[Cell]] = []
    for unit in units:
        for row in unit.rows:
            placement = row.placement
            cells: list[Cell] = [
                unit.name,
                row.application.reference,
                row.application.name,
                row.position_title,
                row.state_label,
                _day(placement.agreement_date),
                placement.allowance,
                placement.insurer or "",
                placement.policy_number or "",
                cover_period(placement),
                f"{_day(placement.start_date)} 至 {_day(placement.end_date)}",
                _day(placement.finished_on),
                placement.early_end_reason or "",
                destinations.label(placement),
                unit.retention(),
            ]
            for facts in row.months:
                attendance, payment = facts.attendance, facts.payment
                cells += [
                    attendance.present if attendance else None,
                    attendance.expected if attendance else None,
                    payment.amount if payment else None,
                    _day(payment.paid_on) if payment else "",
                ]
            rows.append(cells)
    return headers, rows


# What the subsidy pages' shared macros (_subsidy.html) call, for the unit's view and the office's.
TEMPLATE_HELPERS = {
    "gap_kinds": GAP_KINDS,
    "month_label": month_label,
    "period": internship_period,
    "cover": cover_period,
    "destination_label": destinations.label,
}


def gap_table(units: list[UnitClaims]) -> Table:
    """The 缺漏情况 sheet: one row per gap, so a unit can work down it."""
    headers = ["设岗单位", "报名编号", "姓名", "见习岗位", "缺漏类别", "情况"]
    rows: list[list[Cell]] = [
        [unit.name, row.application.reference, row.application.name, row.position_title,
         GAP_KINDS[gap.kind], gap.text]
        for unit in units
        for row in unit.rows
        for gap in row.gaps
    ]  # fmt: skip
    return headers, rows
