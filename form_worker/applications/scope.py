"""What each party may see, as query conditions: the views build every list and every single
record through these, so scope is enforced in the database, never only in templates.

- A university sees applications whose university is its own, in every state.
- A unit sees the choices of its positions from the state `filed` on (before that the list is the
  office's and the university's business), and one choice per row: nothing about the
  applicant's other choices at other units.
- The office sees everything; the priority-group answers only its admins (views and exports).
"""

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from ..catalogue.positions import Positions
from .models import Application, Choice
from .states import UNIT_STATES


def of_university(university: str) -> ColumnElement[bool]:
    return Application.university == university


def unit_position_ids(positions: Positions, unit: str) -> list[str]:
    return sorted(e.id for e in positions.by_id.values() if e.unit_slug == unit)


def seen_by_units() -> ColumnElement[bool]:
    """Applications filed nationally: in a unit's states, or closed after having been filed."""
    return or_(Application.state.in_(UNIT_STATES), Application.filing_batch_id.is_not(None))


def of_unit(positions: Positions, unit: str) -> ColumnElement[bool]:
    """Choices (joined with their application) of this unit's positions that it may see."""
    return and_(Choice.position_id.in_(unit_position_ids(positions, unit)), seen_by_units())


def unit_choice(session: Session, choice_id: int, positions: Positions, unit: str) -> Choice | None:
    """One choice of this unit's, or None (the view answers 404 for anything else)."""
    query = (
        select(Choice)
        .join(Application, Application.id == Choice.application_id)
        .where(Choice.id == choice_id, of_unit(positions, unit))
    )
    return session.scalar(query)


def university_application(session: Session, application_id: int, university: str) -> Application | None:
    query = select(Application).where(Application.id == application_id, of_university(university))
    return session.scalar(query)
