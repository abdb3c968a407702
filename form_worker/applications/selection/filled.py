"""已招满 flows back to the files: a position whose signed agreements reach its headcount is marked
`status: filled`; one the worker marked filled goes back to `open` when a place frees again (an
intern withdrew) before its start date. The selection task commits these through publishing, so the
catalogue shows 已招满 and /apply stops offering it.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...catalogue.positions import Positions
from ..models import Application, Placement

# An agreement on record that still stands (withdrawn and rejected applications leave these states).
SIGNED_STATES = ("agreement_signed", "active", "completed")


@dataclass(frozen=True)
class StatusChange:
    """A position's status to write into its file, and why (for the commit message)."""

    position_id: str
    path: str
    status: str
    reason: str


def signed_at(session: Session, position_ids: list[str]) -> dict[str, int]:
    """Agreements signed and standing at each of these positions, in one query."""
    rows = session.execute(
        select(Placement.position_id, func.count())
        .join(Application, Application.id == Placement.application_id)
        .where(
            Placement.position_id.in_(position_ids),
            Placement.agreement_date.is_not(None),
            Application.state.in_(SIGNED_STATES),
        )
        .group_by(Placement.position_id)
    ).all()
    return {position_id: count for position_id, count in rows}


def status_changes(session: Session, positions: Positions, today: dt.date) -> list[StatusChange]:
    """Open positions now full, and filled ones with a place free again before they start.

    A position a unit closed itself is left alone; whether a filled one was marked by the worker
    (and may be reopened) is for the caller to ask git (publishing.files.marked_filled_by_worker).
    """
    entries = [e for e in positions.by_id.values() if e.position.status in ("open", "filled")]
    signed = signed_at(session, [e.id for e in entries])
    changes = []
    for entry in sorted(entries, key=lambda e: e.id):
        count, headcount = signed.get(entry.id, 0), entry.position.headcount
        if entry.position.status == "open" and count >= headcount:
            status, reason = "filled", f"{count} of {headcount} places signed"
        elif entry.position.status == "filled" and count < headcount and today < entry.position.start_date:
            status, reason = "open", f"a place is free again: {count} of {headcount} signed"
        else:
            continue
        changes.append(StatusChange(entry.id, entry.path, status, reason))
    return changes
