"""Selection's rule the state machine asks: what a placement still lacks before its agreement
counts as signed (the office's overview shows the same list per placement).

Only models are read here, so the state machine can ask without importing selection's services.
"""

from sqlalchemy.orm import Session

from ..models import Application, Placement
from ..placements import placement_of


def agreement_gaps(placement: Placement) -> list[str]:
    """What the placement still lacks before agreement_signed, in words (the office's overview
    shows the same list per placement)."""
    gaps = []
    if placement.accepted_at is None:
        gaps.append("学生尚未接受录用")
    if placement.agreement_date is None:
        gaps.append("见习协议")
    if placement.start_date is None or placement.end_date is None:
        gaps.append("见习起止日期")
    if placement.allowance is None:
        gaps.append("每月基本生活费")
    if not placement.policy_number:
        gaps.append("人身意外伤害保险")
    return gaps


def signing_problem(session: Session, application: Application) -> str | None:
    """Why the application may not yet move to agreement_signed, or None."""
    placement = placement_of(session, application.id)
    gaps = agreement_gaps(placement) if placement is not None else ["录用记录"]
    if gaps:
        return f"尚缺：{'、'.join(gaps)}。学生接受录用后，由单位登记协议、起止日期、生活费和保险"
    return None
