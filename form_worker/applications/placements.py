"""Placement rules: an offer names a position and a mentor, within the headcount and the mentor limit.

The notice gives every intern one mentor, and a mentor at most three interns at a time
(`MENTOR_LIMIT`). An intern counts while offered, agreement signed or active; withdrawal, rejection
or completion ends the placement. Counting and inserting happen in the transaction that moves the
application, after its conditional UPDATE: SQLite then holds its single write lock, and PostgreSQL
takes an advisory lock per unit (a mentor may be named on several of its positions), so two offers
at once cannot both take the last place or a mentor's fourth intern.
"""

import datetime as dt

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from site_builder.model.catalogue import PositionEntry
from site_builder.model.schema import MENTOR_LIMIT

from ..catalogue.positions import Positions, current_positions
from ..units import standing
from .models import Application, Placement

COUNTING_STATES = ("offered", "agreement_signed", "active")
ENDS_PLACEMENT = frozenset({"withdrawn", "rejected", "completed"})


class OfferRefused(Exception):
    """The offer breaks a rule; the message is Chinese and says which. `conflict`: the place is taken."""

    def __init__(self, message: str, conflict: bool = False) -> None:
        super().__init__(message)
        self.conflict = conflict


def _held(session: Session, position_ids: list[str]):
    """(position, mentor, places) held at these positions, grouped."""
    return session.execute(
        select(Placement.position_id, Placement.mentor, func.count())
        .join(Application, Application.id == Placement.application_id)
        .where(
            Placement.position_id.in_(position_ids),
            Placement.ended.is_(False),
            Application.state.in_(COUNTING_STATES),
        )
        .group_by(Placement.position_id, Placement.mentor)
    ).all()


def taken(
    session: Session, position_id: str, unit_positions: list[str] | None = None
) -> tuple[int, dict[str, int]]:
    """Places held at a position, and each mentor's interns across the unit's positions (a mentor
    named on two positions of a unit is one person: their three count across both)."""
    total, per_mentor = 0, dict[str, int]()
    for held_at, mentor, count in _held(session, sorted({position_id, *(unit_positions or [])})):
        total += count if held_at == position_id else 0
        per_mentor[mentor] = per_mentor.get(mentor, 0) + count
    return total, per_mentor


def taken_at(session: Session, position_ids: list[str] | None = None) -> dict[str, int]:
    """Places held at each of these positions (every position when None), in one query: a unit's
    list of its positions, and the catalogue's 剩余名额 (create_app hands it to the rebuild)."""
    query = (
        select(Placement.position_id, func.count())
        .join(Application, Application.id == Placement.application_id)
        .where(Placement.ended.is_(False), Application.state.in_(COUNTING_STATES))
        .group_by(Placement.position_id)
    )
    if position_ids is not None:
        query = query.where(Placement.position_id.in_(position_ids))
    return {position_id: count for position_id, count in session.execute(query).all()}


def taken_for(session: Session, positions: Positions, entry: PositionEntry) -> tuple[int, dict[str, int]]:
    """`taken` for a position of the catalogue, its mentors counted across its unit."""
    siblings = [e.id for e in positions.by_id.values() if e.unit_slug == entry.unit_slug]
    return taken(session, entry.id, siblings)


def _lock(session: Session, unit: str) -> None:
    """Serialise offers for one unit's positions on PostgreSQL until the transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(unit))))


def refusal(entry: PositionEntry, mentor: str, total: int, per_mentor: dict[str, int]) -> str | None:
    """Why placing an intern here with this mentor breaks a rule, or None."""
    position = entry.position
    if mentor not in [m.name for m in position.mentors]:
        return f"“{mentor}”不是岗位“{position.title}”的见习导师，请从该岗位的导师中选择"
    if total >= position.headcount:
        return f"岗位“{position.title}”招收 {position.headcount} 人，已录用 {total} 人，名额已满"
    if per_mentor.get(mentor, 0) >= MENTOR_LIMIT:
        return (
            f"见习导师{mentor}已同时带教 {MENTOR_LIMIT} 名见习生"
            f"（每名导师最多同时带教 {MENTOR_LIMIT} 名），请选择其他导师"
        )
    return None


def place(
    session: Session, application: Application, position_id: str, mentor: str, positions: Positions | None
) -> Placement:
    """Check the rules and stage the Placement in the caller's transaction; raise OfferRefused."""
    positions = positions or current_positions()
    if not position_id:
        raise OfferRefused("请选择录用岗位")
    if not mentor:
        raise OfferRefused("请选择见习导师")
    if position_id not in [c.position_id for c in application.choices]:
        raise OfferRefused("只能录用到申请人所报的意向岗位")
    entry = positions.by_id.get(position_id)
    if entry is None:
        raise OfferRefused(f"岗位 {position_id} 已不在岗位目录中")
    waiting = standing.refusal(session, entry.unit_slug, positions.unit_of(entry), "发出录用")
    if waiting:
        raise OfferRefused(waiting)
    # One lock per unit: its mentors' limits span its positions.
    _lock(session, entry.unit_slug)
    total, per_mentor = taken_for(session, positions, entry)
    problem = refusal(entry, mentor, total, per_mentor)
    if problem:
        raise OfferRefused(problem, conflict=mentor in [m.name for m in entry.position.mentors])
    placement = Placement(application_id=application.id, position_id=position_id, mentor=mentor)
    session.add(placement)
    session.flush()
    return placement


def end(session: Session, *application_ids: int, today: dt.date) -> None:
    """The intern left the place (withdrawn, rejected or completed): the mentor may take another.

    An internship under a signed agreement that ends without 登记见习结束 (a withdrawal) ends
    `today` (the programme's day, from the caller's clock), or on its agreed end if that has passed:
    its work file, the claim list and the statistics then stop at the day it really ended.
    """
    session.execute(
        update(Placement)
        .where(Placement.application_id.in_(application_ids))
        .values(ended=True)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Placement)
        .where(
            Placement.application_id.in_(application_ids),
            Placement.agreement_date.is_not(None),
            Placement.finished_on.is_(None),
        )
        .values(finished_on=case((Placement.end_date < today, Placement.end_date), else_=today))
        .execution_options(synchronize_session=False)
    )


def describe(placement: Placement, positions: Positions | None) -> str:
    """The place in words, for the history and the applicant's email."""
    entry = (positions or current_positions()).by_id.get(placement.position_id)
    if entry is None:
        return f"录用岗位：{placement.position_id}；见习导师：{placement.mentor}"
    unit = (positions or current_positions()).unit_of(entry)
    return f"录用岗位：{entry.position.title}（{unit.name}）；见习导师：{placement.mentor}"


def placement_of(session: Session, application_id: int) -> Placement | None:
    """The application's open placement, else its latest (declined, lapsed or ended)."""
    query = (
        select(Placement)
        .where(Placement.application_id == application_id)
        .order_by(Placement.ended, Placement.id.desc())
        .limit(1)
    )
    return session.scalar(query)
