"""Whether a unit may offer places yet: a unit 认定中 (its unit.yaml says `pending` and no bureau
has confirmed it through the worker) may publish positions, marked, but not offer or sign.

The state machine asks this before every offer (applications.placements) and the agreement step
before recording an agreement, so the office's direct offer is held to it too.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from site_builder.model.catalogue import UnitEntry
from site_builder.model.schema import Unit

from .models import UnitConfirmation

OFFICE_PHONE = "023-63002289"


def confirmed_here(session: Session, unit_slug: str) -> bool:
    """Whether a bureau confirmed the unit through the worker (its file may not show it yet)."""
    query = select(UnitConfirmation.id).where(
        UnitConfirmation.unit == unit_slug, UnitConfirmation.outcome == "confirmed"
    )
    return session.scalar(query.limit(1)) is not None


def pending(session: Session, unit_slug: str, unit: Unit) -> bool:
    """Whether the unit is still 认定中."""
    return unit.hr_approval.status != "approved" and not confirmed_here(session, unit_slug)


def pending_among(session: Session, units: list[UnitEntry]) -> set[str]:
    """The slugs of these units still 认定中, in one query (a list of many units)."""
    declared = [u.slug for u in units if u.unit.hr_approval.status != "approved"]
    if not declared:
        return set()
    confirmed = session.scalars(
        select(UnitConfirmation.unit).where(
            UnitConfirmation.unit.in_(declared), UnitConfirmation.outcome == "confirmed"
        )
    )
    return set(declared) - set(confirmed)


def refusal(session: Session, unit_slug: str, unit: Unit, step: str) -> str | None:
    """Why `step` (录用, 登记见习协议) must wait for the unit's confirmation, in Chinese; None if
    it need not."""
    if not pending(session, unit_slug, unit):
        return None
    return (
        f"{unit.name}尚在申报就业见习单位（见习单位认定中），须经{unit.hr_approval.bureau}认定后才能{step}。"
        f"请联系{unit.hr_approval.bureau}办理认定，或致电市项目办 {OFFICE_PHONE}。"
    )
