"""What a district account sees of placements: the interns placed in its district's units.

A district (区县科协, 区县人力社保) follows the programme in its units: who was offered a place there,
who signed, who is on the job, who finished. It sees the intern's name, university, major, the
position and the dates; never the priority groups, the application's answers or the mentor's notes.
"""

from dataclasses import dataclass

from sqlalchemy import Select, select

from ..applications.models import Application, Placement
from ..catalogue.positions import Positions

# From the offer on: the states in which a placement at a unit exists.
PLACED_STATES = ("offered", "agreement_signed", "active", "completed")


@dataclass(frozen=True)
class Intern:
    reference: str
    name: str
    university: str
    major: str
    state: str
    position_id: str
    start_date: str
    end_date: str


def district_positions(positions: Positions, district: str) -> list[str]:
    """The ids of the positions whose unit is in the district."""
    units = positions.catalogue.units
    return sorted(e.id for e in positions.by_id.values() if units[e.unit_slug].unit.district == district)


def placed_query(position_ids: list[str], state: str = "") -> Select:
    """Applications placed at these positions (their open or latest placement), newest first."""
    states = (state,) if state in PLACED_STATES else PLACED_STATES
    return (
        select(Application, Placement)
        .join(Placement, Placement.application_id == Application.id)
        .where(Placement.position_id.in_(position_ids), Application.state.in_(states))
        .where(Placement.ended.is_(False) | Placement.agreement_date.is_not(None))
        .order_by(Application.id.desc())
    )


def as_intern(application: Application, placement: Placement) -> Intern:
    return Intern(
        application.reference or "",
        application.name,
        application.university,
        application.major,
        application.state,
        placement.position_id,
        placement.start_date.isoformat() if placement.start_date else "",
        placement.end_date.isoformat() if placement.end_date else "",
    )
