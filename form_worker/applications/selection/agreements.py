"""The agreement step: what a unit records once the student has accepted, and when the internship
starts.

The notice asks the unit to sign the 《重庆市青年就业见习协议》, buy accident insurance and pay a monthly
living allowance. All of it is required before `agreement_signed`: the dates within what the
position advertised, at most 12 months and (科技见习) at least MIN_INTERNSHIP_MONTHS
(`schema.period_problem`), the allowance not below the advertised amount unless the office approved
it, and an insurance cover period covering the whole internship. `rules.agreement_gaps` tells the
office, per placement, what is still to come.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from site_builder.clock import after_today, beijing_time
from site_builder.model.schema import Position, period_problem

from ...catalogue.positions import Positions
from ...units import standing
from .. import services
from ..models import Application, Placement


@dataclass(frozen=True)
class Agreement:
    agreement_date: dt.date
    start_date: dt.date
    end_date: dt.date
    allowance: int
    insurer: str
    policy_number: str
    cover_start: dt.date
    cover_end: dt.date


def problems(
    agreement: Agreement, position: Position, allowance_approved: bool, today: dt.date, accepted_on: dt.date
) -> dict[str, str]:
    """What breaks the programme's rules, by field name (the form shows each beside its field)."""
    found: dict[str, str] = {}
    if late := after_today(agreement.agreement_date, today, "签订日期"):
        found["agreement_date"] = late
    elif agreement.agreement_date < accepted_on:
        found["agreement_date"] = f"签订日期不能早于学生接受录用的日期 {accepted_on.isoformat()}"
    if agreement.start_date < position.start_date:
        found["start_date"] = f"不能早于岗位公布的见习开始日期 {position.start_date.isoformat()}"
    if agreement.end_date > position.end_date:
        found["end_date"] = f"不能晚于岗位公布的见习结束日期 {position.end_date.isoformat()}"
    if agreement.end_date < agreement.start_date:
        found["end_date"] = "结束日期不能早于开始日期"
    elif problem := period_problem(agreement.start_date, agreement.end_date, position.track):
        found["end_date"] = problem
    if agreement.agreement_date > agreement.start_date:
        found.setdefault("agreement_date", "协议应在见习开始前（或当天）签订")
    if agreement.allowance < position.allowance and not allowance_approved:
        found["allowance"] = (
            f"不能低于岗位公布的每月 {position.allowance} 元；确需调整的，请先联系市项目办审批"
        )
    if agreement.cover_start > agreement.start_date:
        found["cover_start"] = f"保险须在见习开始（{agreement.start_date.isoformat()}）时已经生效"
    elif agreement.cover_end < agreement.end_date:
        found["cover_end"] = "保险期间须覆盖整个见习期"
    if agreement.cover_end < agreement.cover_start:
        found["cover_end"] = "保险结束日期不能早于开始日期"
    return found


class AgreementRefused(Exception):
    """The agreement cannot be recorded; `fields` says where (field name → Chinese message)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(fields)
        self.fields = fields


def record(
    session: Session,
    application: Application,
    placement: Placement,
    agreement: Agreement,
    positions: Positions,
    actor: str,
    mail_from: str,
    today: dt.date,
) -> None:
    """Record the agreement and move the application to agreement_signed; the caller commits."""
    entry = positions.by_id.get(placement.position_id)
    if entry is None:
        raise AgreementRefused({"agreement_date": "岗位已不在岗位目录中，请联系市项目办"})
    if placement.accepted_at is None:
        raise AgreementRefused({"agreement_date": "学生尚未接受录用，接受后才能登记协议"})
    waiting = standing.refusal(session, entry.unit_slug, positions.unit_of(entry), "登记见习协议")
    if waiting:
        raise AgreementRefused({"agreement_date": waiting})
    accepted_on = beijing_time(placement.accepted_at).date()
    found = problems(agreement, entry.position, placement.allowance_approved, today, accepted_on)
    if found:
        raise AgreementRefused(found)
    for name, value in vars(agreement).items():
        setattr(placement, name, value)
    reason = (
        f"协议签订 {agreement.agreement_date.isoformat()}；见习期 {agreement.start_date.isoformat()} 至 "
        f"{agreement.end_date.isoformat()}；每月基本生活费 {agreement.allowance} 元；"
        f"意外伤害保险 {agreement.insurer}（保单号 {agreement.policy_number}）"
    )
    services.transition(
        session, application, "agreement_signed", actor, reason, mail_from, positions=positions
    )


def due_to_start(session: Session, today: dt.date) -> list[int]:
    """Applications whose agreed start date has come (the daily task moves them to active)."""
    query = (
        select(Application.id)
        .join(Placement, Placement.application_id == Application.id)
        .where(
            Application.state == "agreement_signed", Placement.ended.is_(False), Placement.start_date <= today
        )
        .order_by(Application.id)
    )
    return list(session.scalars(query))


def start_due(session: Session, today: dt.date, mail_from: str, positions: Positions) -> list[int]:
    """Move every placement whose start date has come to active, one commit each; the ones moved."""
    started = []
    for application_id in due_to_start(session, today):
        application = session.get(Application, application_id)
        if application is None:
            continue
        try:
            services.transition(
                session, application, "active", "系统", "见习开始日期已到", mail_from, positions=positions
            )
        except services.TransitionRefused:
            continue
        session.commit()
        started.append(application_id)
    return started


def record_group(
    session: Session,
    signed: list[tuple[Application, Placement, Agreement]],
    positions: Positions,
    actor: str,
    mail_from: str,
    today: dt.date,
) -> None:
    """Record several interns' agreements (one group policy) at once, each checked as one alone:
    all are recorded, or none, with AgreementRefused naming each intern's problems by reference
    ("JX2026-000001：签订日期…"). The caller commits, or rolls back on a refusal."""
    refused: dict[str, str] = {}
    for application, placement, agreement in signed:
        try:
            record(session, application, placement, agreement, positions, actor, mail_from, today)
        except AgreementRefused as refusal:
            reference = application.reference or str(application.id)
            refused[reference] = "；".join(refusal.fields.values())
    if refused:
        raise AgreementRefused(refused)
