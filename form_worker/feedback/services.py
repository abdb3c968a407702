"""Recording a reader's report, the office's two decisions on it, and clearing old contacts.

Every function takes the session and the time and leaves the commit to its caller. Forwarding and
closing move a report only from the states they start from, in one conditional UPDATE, so two staff
members pressing at once move it once and the unit gets one email per address, never two.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, func, select, update
from sqlalchemy.orm import Session

from site_builder.model.catalogue import PositionEntry
from site_builder.model.schema import Unit

from ..accounts import audit
from ..applications.selection.offers import Mail
from ..core.db import rowcount
from ..outbox import services as outbox
from .models import Feedback

# The states each decision starts from.
OPEN = ("new",)
CLOSABLE = ("new", "forwarded")


def catalogue_page(catalogue_url: str, position_id: str) -> str:
    """The position's page in the public catalogue, from CATALOGUE_URL (never the request's host)."""
    return f"{catalogue_url.rstrip('/')}/positions/{position_id}/"


@dataclass(frozen=True)
class Addressees:
    """Where a forwarded report goes: the position as published, its unit, and the addresses of
    the position's contact and the unit's accounts (applications.selection.offers.unit_recipients)."""

    entry: PositionEntry
    unit: Unit
    recipients: list[str]


@dataclass(frozen=True)
class Report:
    """What the reader typed, checked by ReportForm."""

    problem: str
    description: str
    contact: str = ""
    share_contact: bool = False


def record(session: Session, entry: PositionEntry, report: Report, now: dt.datetime) -> Feedback:
    """Store a report of a published position; agreeing to share means nothing without a contact."""
    feedback = Feedback(
        position_id=entry.id,
        unit_slug=entry.unit_slug,
        position_title=entry.position.title,
        problem=report.problem,
        description=report.description,
        contact=report.contact,
        share_contact=report.share_contact and bool(report.contact),
        state="new",
        created_at=now,
    )
    session.add(feedback)
    session.flush()
    return feedback


def forward(
    session: Session,
    feedback: Feedback,
    note: str,
    actor: str,
    to: Addressees,
    mail: Mail,
    now: dt.datetime,
) -> list[int] | None:
    """Forward a new report to the unit: one email per recipient, staged with the change and its
    audit entry; the outbox ids to queue after the commit, or None when it was no longer new.

    The email states the problem and the description; the reader's contact only if they agreed.
    """
    moved = session.execute(
        update(Feedback)
        .where(Feedback.id == feedback.id, Feedback.state.in_(OPEN))
        .values(state="forwarded", forwarded_at=now, forwarded_by=actor, forward_note=note)
        .execution_options(synchronize_session=False)
    )
    if rowcount(moved) != 1:
        return None
    session.refresh(feedback)
    ids = [
        outbox.add(
            session,
            f"feedback:{feedback.id}:{number}",
            recipient,
            "feedback_forwarded",
            mail.mail_from,
            feedback=feedback,
            entry=to.entry,
            unit=to.unit,
            link=mail.url("/staff/unit/feedback"),
        ).id
        for number, recipient in enumerate(to.recipients)
    ]
    audit.record(
        session,
        actor,
        "feedback_forward",
        f"feedback:{feedback.id}",
        position=feedback.position_id,
        emails=len(ids),
        contact_shared=feedback.share_contact,
    )
    return ids


def close(session: Session, feedback: Feedback, note: str, actor: str, now: dt.datetime) -> bool:
    """Close a new or forwarded report with the office's note, audited; False if it was closed."""
    moved = session.execute(
        update(Feedback)
        .where(Feedback.id == feedback.id, Feedback.state.in_(CLOSABLE))
        .values(state="closed", closed_at=now, closed_by=actor, close_note=note)
        .execution_options(synchronize_session=False)
    )
    if rowcount(moved) != 1:
        return False
    audit.record(session, actor, "feedback_close", f"feedback:{feedback.id}", position=feedback.position_id)
    session.refresh(feedback)
    return True


def clear_contacts(session: Session, cutoff: dt.datetime) -> int:
    """Empty the contact of every report received at or before `cutoff` (the retention rule)."""
    due = and_(Feedback.contact != "", Feedback.created_at <= cutoff)
    return rowcount(
        session.execute(
            update(Feedback)
            .where(due)
            .values(contact="", share_contact=False)
            .execution_options(synchronize_session=False)
        )
    )


def office_list(state: str, position_id: str = "") -> Select[Feedback]:
    """The office's queue: one state (or all for ""), optionally one position, newest first."""
    query = select(Feedback).order_by(Feedback.created_at.desc(), Feedback.id.desc())
    if state:
        query = query.where(Feedback.state == state)
    if position_id:
        query = query.where(Feedback.position_id == position_id)
    return query


def unit_list(unit_slug: str) -> Select[Feedback]:
    """What a unit's account sees: the reports of its own positions the office forwarded to it."""
    return (
        select(Feedback)
        .where(Feedback.unit_slug == unit_slug, Feedback.forwarded_at.is_not(None))
        .order_by(Feedback.forwarded_at.desc(), Feedback.id.desc())
    )


def counts(session: Session, position_id: str = "") -> dict[str, int]:
    """How many reports are in each state (of one position, if given)."""
    query = select(Feedback.state, func.count()).group_by(Feedback.state)
    if position_id:
        query = query.where(Feedback.position_id == position_id)
    return {state: number for state, number in session.execute(query).all()}
