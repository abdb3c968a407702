"""Position submissions of host units (the online 岗位征集表): record, resubmit, review, publish.

Views and tasks call these functions with a session. Like applications, a submission and every
email it causes are committed in one transaction; the caller then queues the emails.

What a Submission row holds (the publishing path reads it back with
publishing.files.submission_positions):

- `unit_data`: the Unit as JSON (`model_dump(mode="json", exclude_none=True)`).
- `positions_data`: a list of Position dicts in the same form. A position that edits a published
  file of the unit also carries `"_slug"` (publishing.files.SLUG_KEY): that file's name without `.yaml`, in
  `positions/<unit_slug>/`. A position without it becomes a new file. Published positions that a
  submission does not mention are left as they are; a unit closes one by sending it with status
  closed or filled.
- `unit_slug` and `is_edit`: the folder the approval writes into. A unit whose credit code already
  owns a folder edits that folder (is_edit); a new unit gets a folder named after its website or,
  failing that, its credit code.

Only new positions are collection (岗位征集): a submission that adds any and arrives after the
window closes (COLLECTION_CLOSES, 24:00 Beijing time) is still recorded, with `late_at`, and the
office decides on it; one that only edits published positions is never late (late_arrival).

States: submitted → publishing → published | publish_failed (→ publishing again), or → rejected,
or → changes_requested → (the unit resubmits) submitted. Approving checks the files in the staff
member's request (a dry run through the same validator) and moves the row to `publishing`; the
publish_submission task writes and commits them. Every move claims its state with a conditional
UPDATE, which is what stops two staff members publishing, answering or rejecting one submission
twice, and two runs of the task recording one publication twice.
"""

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from site_builder.clock import local_time
from site_builder.model.schema import Position, Unit
from site_builder.model.window import is_late

from ..accounts import audit
from ..accounts.services import email_office
from ..core.db import rowcount
from ..outbox import services as outbox
from ..outbox.models import Outbox
from ..publishing.checks import SLUG_KEY
from .changes import contact_email_moves, unit_changes
from .folders import positions_of, unit_of
from .models import Submission, SubmissionEvent

logger = logging.getLogger(__name__)

STATE_LABELS = {
    "submitted": "待审核",
    "publishing": "发布中",
    "publish_failed": "发布失败",
    "changes_requested": "待单位修改",
    "published": "已通过并发布",
    "rejected": "未通过",
}
SOURCE_LABELS = {"form": "网上填报", "xlsx": "上传征集表"}
UNIT_ACTOR = "设岗单位"
SYSTEM_ACTOR = "系统"


class Refused(Exception):
    """The submission is no longer in a state that allows this; the message is Chinese."""


@dataclass(frozen=True)
class Draft:
    """A unit and its positions as validated from the form or a spreadsheet, not yet stored."""

    unit: Unit
    positions: list[tuple[str | None, Position]]
    unit_slug: str
    is_edit: bool
    source: str = "form"
    # The unit as published, for an edit: its contact on record hears of the edit.
    published: Unit | None = None

    def unit_data(self) -> dict:
        return self.unit.model_dump(mode="json", exclude_none=True)

    def positions_data(self) -> list[dict]:
        result = []
        for slug, position in self.positions:
            data = position.model_dump(mode="json", exclude_none=True)
            if slug:
                data[SLUG_KEY] = slug
            result.append(data)
        return result

    def adds_positions(self) -> bool:
        """Whether it offers a position the unit has not published: collection, not an edit."""
        return any(not slug for slug, _ in self.positions)


def late_arrival(
    draft: Draft, now: dt.datetime, closes: dt.date, earlier: Submission | None = None
) -> dt.datetime | None:
    """When the draft's new positions arrived after the window closed (now), or None if on time.

    A draft's arrival is its final submission, however early it was saved. Edits alone are never
    late. A sent-back submission (`earlier`) whose first version already offered new positions
    keeps that version's arrival, on time or late: the office asked for the changes.
    """
    if not draft.adds_positions():
        return None
    if earlier is not None and any(SLUG_KEY not in data for data in earlier.positions_data or []):
        return earlier.late_at
    return now if is_late(now, closes) else None


# Letters and digits a person reads out on the phone without confusing them (no 0/O, 1/I/L).
SUFFIX_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def reference(submission_id: int, year: int) -> str:
    """The number a unit quotes, e.g. DW2026-000123-K7QX: the random suffix keeps two databases
    that share one positions repository (a move to PostgreSQL, a restore) from reusing one."""
    suffix = "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(4))
    return f"DW{year}-{submission_id:06d}-{suffix}"


def add_event(
    session: Session,
    submission: Submission,
    from_state: str | None,
    to_state: str,
    actor: str,
    reason: str = "",
) -> SubmissionEvent:
    event = SubmissionEvent(
        submission_id=submission.id, from_state=from_state, to_state=to_state, actor=actor, reason=reason
    )
    session.add(event)
    session.flush()
    return event


def _receipts(
    session: Session,
    submission: Submission,
    event: SubmissionEvent,
    mail_from: str,
    staff_url: str,
    resubmitted: bool,
    published: Unit | None,
) -> list[Outbox]:
    """One email to the unit's contact and one to every active staff member with an address; for
    an edit, the contact on record is told what it changes (in the receipt when it is the same
    address, else in an email of its own) and staff are warned when the contact email moves."""
    unit = unit_of(submission)
    edited = positions_of(submission)
    positions = [p for _, p in edited]
    changes = unit_changes(published, unit) if published is not None else []
    moves = contact_email_moves(published, unit)
    context = {
        "submission": submission,
        "unit": unit,
        "positions": positions,
        "resubmitted": resubmitted,
        "published": published,
        "changes": changes,
        # Staff are warned unless the unit's own logged-in account sent it.
        "contact_moves": moves and not submission.submitted_by,
        # New positions sent after the collection closed: when they arrived, for the office to decide.
        "late_at": local_time(submission.late_at),
    }
    rows = [
        outbox.add(
            session,
            f"submission:{submission.id}:{event.id}:unit",
            unit.contact.email,
            "submission_received",
            mail_from,
            application_id=None,
            **context,
        )
    ]
    rows += email_office(
        session,
        f"submission:{submission.id}:{event.id}:staff",
        "submission_staff",
        mail_from,
        staff_url=staff_url,
        **context,
    )
    if moves and published is not None:
        rows.append(
            outbox.add(
                session,
                f"submission:{submission.id}:{event.id}:published-contact",
                published.contact.email,
                "submission_edit_notice",
                mail_from,
                application_id=None,
                edited=[{"title": position.title, "slug": slug} for slug, position in edited],
                **context,
            )
        )
    return rows


def record(
    session: Session,
    draft: Draft,
    year: int,
    mail_from: str,
    staff_url: str,
    now: dt.datetime,
    closes: dt.date,
    account: str | None = None,
) -> tuple[Submission, list[int]]:
    """Store a new submission arriving now with its receipts in one commit; return it and the
    outbox ids.

    staff_url is the address of the staff detail page with `{id}` where the id goes. closes: the
    collection's last day (COLLECTION_CLOSES). `account`: the unit's own logged-in account that
    sent it, whose change of the contact email needs no warning.
    """
    submission = Submission(
        created_at=now,
        late_at=late_arrival(draft, now, closes),
        state="submitted",
        source=draft.source,
        unit_slug=draft.unit_slug,
        is_edit=draft.is_edit,
        unit_data=draft.unit_data(),
        positions_data=draft.positions_data(),
        token=secrets.token_urlsafe(32),
        submitted_by=account,
    )
    session.add(submission)
    session.flush()
    submission.reference = reference(submission.id, year)
    event = add_event(session, submission, None, "submitted", account or UNIT_ACTOR)
    staff_link = staff_url.format(id=submission.id)
    rows = _receipts(session, submission, event, mail_from, staff_link, False, draft.published)
    session.commit()
    return submission, [row.id for row in rows]


def by_token(session: Session, token: str) -> Submission | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(select(Submission).where(Submission.token == token))


def claim(
    session: Session, submission: Submission, from_states: tuple[str, ...], to_state: str, now: dt.datetime
) -> str:
    """Move the row from one of from_states to to_state only if no one moved it first, stamping
    updated_at with now (publishing's sweep compares it); return the old state.

    The UPDATE is conditional on the state, so of two requests acting at once exactly one wins.
    """
    current = session.scalar(select(Submission.state).where(Submission.id == submission.id))
    claimed = rowcount(
        session.execute(
            update(Submission)
            .where(Submission.id == submission.id, Submission.state.in_(from_states))
            .values(state=to_state, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    if not claimed:
        session.rollback()
        session.refresh(submission)
        state = STATE_LABELS.get(submission.state, submission.state)
        raise Refused(f"申报 {submission.reference} 已被他人处理，当前状态为“{state}”，本次操作没有执行。")
    submission.state = to_state
    return current or from_states[0]


def resubmit(
    session: Session,
    submission: Submission,
    draft: Draft,
    mail_from: str,
    staff_url: str,
    now: dt.datetime,
    closes: dt.date,
) -> list[int]:
    """The unit's corrected submission replaces the data of the same row, back in the review queue."""
    before = claim(session, submission, ("changes_requested",), "submitted", now)
    submission.late_at = late_arrival(draft, now, closes, submission)
    submission.unit_data = draft.unit_data()
    submission.positions_data = draft.positions_data()
    submission.unit_slug, submission.is_edit, submission.source = draft.unit_slug, draft.is_edit, draft.source
    event = add_event(session, submission, before, "submitted", UNIT_ACTOR, "单位修改后重新提交")
    staff_link = staff_url.format(id=submission.id)
    rows = _receipts(session, submission, event, mail_from, staff_link, True, draft.published)
    session.commit()
    return [row.id for row in rows]


def _decide_and_tell_unit(
    session: Session,
    submission: Submission,
    from_states: tuple[str, ...],
    to_state: str,
    staff: str,
    staff_name: str,
    mail_from: str,
    mail_kind: str,
    now: dt.datetime,
    **words: str,
) -> list[int]:
    """Move the submission on with staff's words (message or reason), email the unit, audit it."""
    text = next(iter(words.values()))
    before = claim(session, submission, from_states, to_state, now)
    submission.message = text
    event = add_event(session, submission, before, to_state, staff_name, text)
    unit = unit_of(submission)
    row = outbox.add(
        session,
        f"submission:{submission.id}:{event.id}:{mail_kind.removeprefix('submission_')}",
        unit.contact.email,
        mail_kind,
        mail_from,
        application_id=None,
        submission=submission,
        unit=unit,
        **words,
    )
    detail = {key: value for key, value in words.items() if key in ("message", "reason")}
    audit.record(session, staff, f"submission_{to_state}", submission.reference or "", **detail)
    session.commit()
    return [row.id]


def request_changes(
    session: Session,
    submission: Submission,
    staff: str,
    staff_name: str,
    message: str,
    mail_from: str,
    resubmit_url: str,
    now: dt.datetime,
) -> list[int]:
    """Send the submission back to the unit with staff's message and the link to correct it."""
    return _decide_and_tell_unit(
        session,
        submission,
        ("submitted", "publish_failed"),
        "changes_requested",
        staff,
        staff_name,
        mail_from,
        "submission_changes",
        now,
        message=message,
        resubmit_url=resubmit_url,
    )


def reject(
    session: Session,
    submission: Submission,
    staff: str,
    staff_name: str,
    reason: str,
    mail_from: str,
    now: dt.datetime,
) -> list[int]:
    return _decide_and_tell_unit(
        session,
        submission,
        ("submitted", "changes_requested", "publish_failed"),
        "rejected",
        staff,
        staff_name,
        mail_from,
        "submission_rejected",
        now,
        reason=reason,
    )
