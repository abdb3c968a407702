"""The state machine every stage shares: move an application, with its history, its email and its
audit entry, alone (`transition`) or many at once (`bulk_move`).

`check_move` holds the guards both paths use: the allowed moves of states.py, the reasons some
moves need, and each stage's own rule for entering a state, asked of that stage (the work file
says whether an internship may complete; the placement whether its agreement is on record).
Views and tasks call these functions with a session; nothing here sends mail or touches the queue.
A move that ends a placement (withdrawn, rejected, completed) dates it with the caller's `today`.
"""

import datetime as dt
from collections.abc import Callable

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from ..accounts import audit
from ..catalogue.positions import Positions
from ..core.db import rowcount
from ..outbox import services as outbox
from ..outbox.models import Outbox
from . import placements
from .models import Application, Choice, Claim, Placement, Transition
from .selection import rules as selection_rules
from .states import (
    ACTION_LABELS,
    ALLOWED,
    BACK_TO_FILED,
    BULK_TARGETS,
    CLOSED_STATES,
    NEEDS_REASON,
    NOTIFY,
    RETURN_TO_UNIVERSITY,
    STATE_LABELS,
)
from .workfile import rules as workfile_rules

SLOT = "slot:"
# Who the history names for what the applicant did (submitting, withdrawing from /status).
APPLICANT_ACTOR = "申请人"


def move(
    session: Session,
    application: Application,
    to_state: str,
    actor: str,
    reason: str,
    mail_from: str,
    notify: bool = True,
) -> Transition:
    """Record a transition and, when the applicant should know, the one email about it
    (notify=False: the caller sends its own, such as the offer with its answer link)."""
    transition = Transition(
        application_id=application.id,
        from_state=application.state,
        to_state=to_state,
        actor=actor,
        reason=reason,
    )
    application.state = to_state
    if transition.from_state == "submitted":
        application.flag = None  # staff decided on a held application: 需人工核查 is done with
    session.add(transition)
    if to_state in CLOSED_STATES:  # a closed application counts no more towards MAX_CHOICES
        session.execute(
            delete(Claim).where(Claim.application_id == application.id, Claim.position_id.startswith(SLOT))
        )
    if to_state == "filed":  # back from the proposed list: no unit holds a proposal any more
        session.execute(update(Choice).where(Choice.application_id == application.id).values(proposed=False))
    session.flush()
    # A unit's proposal the office never confirmed was never told to the applicant, nor is its return.
    unconfirmed_return = (transition.from_state, to_state) == ("proposed", "filed")
    if notify and to_state in NOTIFY and not unconfirmed_return:
        outbox.add(
            session,
            f"state:{application.id}:{transition.id}",
            application.email,
            "application_state",
            mail_from,
            application.id,
            application=application,
            label=STATE_LABELS[to_state],
            reason=reason,
            ended=to_state in ("rejected", "withdrawn"),  # what they can do next, in the email
        )
    return transition


def pending_emails(session: Session, *application_ids: int) -> list[int]:
    """The pending emails of these applications, oldest first (in chunks: a filing batch is 5,000)."""
    ids = list(application_ids)
    found: list[int] = []
    for start in range(0, len(ids), 500):
        query = select(Outbox.id).where(
            Outbox.application_id.in_(ids[start : start + 500]), Outbox.status == "pending"
        )
        found += session.scalars(query)
    return sorted(found)


class TransitionRefused(Exception):
    """A transition that may not happen; the message is Chinese and meant for the staff member.

    `conflict` tells a lost race or a full position (retrying the same request will not help) from
    a request that was incomplete or not allowed in this state.
    """

    def __init__(self, message: str, conflict: bool = False) -> None:
        super().__init__(message)
        self.conflict = conflict


# Each stage's own rule for entering one of its states: a refusal in Chinese, or None. The rule
# lives in its stage's folder and reads only models, so asking it here makes no cycle.
STAGE_RULES: dict[str, Callable[[Session, Application], str | None]] = {
    "agreement_signed": selection_rules.signing_problem,
    "completed": workfile_rules.completion_problem,
}


def check_move(from_state: str, to_state: str, reason: str, bulk: bool = False, filing: bool = False) -> None:
    """Refuse a move the states do not allow, or one without the reason it needs.

    One list of guards for `transition` and `bulk_move`: a bulk move is also limited to the states
    staff may set for many at once, and `filed` is reached only through a recorded filing batch.
    """
    if bulk:
        if to_state not in ALLOWED.get(from_state, ()) or not (to_state in BULK_TARGETS or filing):
            raise TransitionRefused(
                f"不能把“{STATE_LABELS[from_state]}”的报名批量改为“{STATE_LABELS[to_state]}”"
            )
        if (to_state in NEEDS_REASON or (from_state, to_state) == RETURN_TO_UNIVERSITY) and not reason:
            raise TransitionRefused(f"“{ACTION_LABELS[to_state]}”必须填写原因")
        return
    if to_state not in ALLOWED.get(from_state, ()):
        raise TransitionRefused(
            f"报名当前状态为“{STATE_LABELS[from_state]}”，不能改为“{STATE_LABELS.get(to_state, to_state)}”"
        )
    if to_state in NEEDS_REASON and not reason:
        raise TransitionRefused(f"“{ACTION_LABELS[to_state]}”必须填写原因")
    if (from_state, to_state) == RETURN_TO_UNIVERSITY and not reason:
        raise TransitionRefused("退回高校必须写明原因，高校会看到这条说明")
    if to_state == "filed" and from_state not in BACK_TO_FILED:
        raise TransitionRefused("报全国备案请在“全国备案”页面导出名单并登记，每一批都会留档")
    if to_state == "filed" and not reason:
        raise TransitionRefused("退回拟录用必须写明原因，单位会看到这条说明")


def _claim(session: Session, application: Application, from_state: str, to_state: str) -> None:
    """Claim the move with a conditional UPDATE: of two staff acting at once, one wins; the other's
    session is rolled back and told what happened."""
    claimed = rowcount(
        session.execute(
            update(Application)
            .where(Application.id == application.id, Application.state == from_state)
            .values(state=to_state)
            .execution_options(synchronize_session=False)
        )
    )
    if not claimed:
        session.rollback()
        current = session.get(Application, application.id)
        now = STATE_LABELS[current.state] if current is not None else "已不存在"
        raise TransitionRefused(
            f"这份报名刚刚已被其他工作人员处理（当前状态：{now}），请刷新页面后再操作", conflict=True
        )


def _place(
    session: Session, application: Application, position_id: str, mentor: str, positions: Positions | None
) -> Placement:
    """Stage the offer's placement within the headcount and mentor rules, or roll back and refuse."""
    try:
        return placements.place(session, application, position_id, mentor, positions)
    except placements.OfferRefused as error:
        session.rollback()
        raise TransitionRefused(str(error), conflict=error.conflict) from error


def _needed(today: dt.date | None, to_state: str) -> dt.date:
    """The caller's day, which every move that ends a placement must pass in."""
    if today is None:
        raise ValueError(f"a move to {to_state} ends the placement: pass today=")
    return today


def transition(
    session: Session,
    application: Application,
    to_state: str,
    actor: str,
    reason: str,
    mail_from: str,
    mentor: str | None = None,
    position_id: str | None = None,
    positions: Positions | None = None,
    notify: bool = True,
    today: dt.date | None = None,
) -> Transition:
    """Move an application as a staff member, with its email, placement and audit entry.

    The state the caller loaded is the one it acts on: a conditional UPDATE claims the move, so of
    two staff acting at once only one succeeds and the other gets TransitionRefused. On refusal the
    session is rolled back; on success the caller commits.
    """
    reason = reason.strip()
    from_state = application.state
    check_move(from_state, to_state, reason)
    problem = STAGE_RULES[to_state](session, application) if to_state in STAGE_RULES else None
    if problem:
        raise TransitionRefused(problem)
    _claim(session, application, from_state, to_state)
    # The reason's text stays in the history (which retention and erasure clear); the audit log,
    # kept for good, only says one was given: a reason may name a person or their health.
    detail: dict[str, object] = {"from": from_state, "to": to_state, "reason_given": bool(reason)}
    if to_state == "offered":
        placement = _place(session, application, position_id or "", mentor or "", positions)
        reason = "；".join(filter(None, [placements.describe(placement, positions), reason]))
        detail |= {"position": placement.position_id, "mentor": placement.mentor}
    if to_state in placements.ENDS_PLACEMENT:
        placements.end(session, application.id, today=_needed(today, to_state))
    result = move(session, application, to_state, actor, reason, mail_from, notify)
    target = application.reference or str(application.id)
    audit.record(session, actor, "application_transition", target, **detail)
    return result


def _record_bulk(
    session: Session,
    moved: list[int],
    from_state: str,
    to_state: str,
    actor: str,
    reason: str,
    mail_from: str,
) -> None:
    """Insert the history, the applicants' emails and the audit entries of the rows a bulk move
    claimed, with Core statements: a filing batch moves thousands at once."""
    connection = session.connection()
    history = Transition.__table__
    rows = connection.execute(
        insert(history).returning(history.c.id, history.c.application_id),
        [
            dict(application_id=i, from_state=from_state, to_state=to_state, actor=actor, reason=reason)
            for i in moved
        ],
    ).all()
    transition_ids = dict((application_id, tid) for tid, application_id in rows)
    people = session.execute(
        select(Application.id, Application.name, Application.reference, Application.email).where(
            Application.id.in_(moved)
        )
    ).all()
    label = STATE_LABELS[to_state]
    connection.execute(
        insert(Outbox.__table__),
        [
            outbox.message(
                f"state:{row.id}:{transition_ids[row.id]}",
                row.email,
                "application_state",
                mail_from,
                row.id,
                application=row,
                label=label,
                reason=reason,
            )
            for row in people
        ],
    )
    detail = {"from": from_state, "to": to_state, "reason_given": bool(reason), "bulk": len(moved)}
    audit.record_many(
        session, actor, "application_transition", [r.reference or str(r.id) for r in people], **detail
    )


def bulk_move(
    session: Session,
    ids: list[int],
    from_state: str,
    to_state: str,
    actor: str,
    reason: str,
    mail_from: str,
    where: tuple = (),
    values: dict[str, object] | None = None,
    today: dt.date | None = None,
) -> list[int]:
    """Move many applications at once (selected rows, a filing batch); the ones moved, in order.

    One conditional UPDATE … RETURNING claims the rows still in from_state (and matching `where`,
    a party's scope), so two staff pressing at once never move a row twice; then the history, the
    applicant's emails and the audit entries are inserted for exactly those rows. Only moves that
    place nobody (not `offered`); the caller commits.
    """
    reason = reason.strip()
    filing = to_state == "filed" and bool((values or {}).get("filing_batch_id"))
    check_move(from_state, to_state, reason, bulk=True, filing=filing)
    moved: list[int] = []
    for start in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[start : start + 500]
        statement = (
            update(Application)
            .where(Application.id.in_(chunk), Application.state == from_state, *where)
            .values(state=to_state, **(values or {}), **({"flag": None} if from_state == "submitted" else {}))
            .returning(Application.id)
            .execution_options(synchronize_session=False)
        )
        moved += list(session.scalars(statement))
    moved.sort()
    if not moved:
        return moved
    if to_state in CLOSED_STATES:
        session.execute(
            delete(Claim).where(Claim.application_id.in_(moved), Claim.position_id.startswith(SLOT))
        )
    if to_state in placements.ENDS_PLACEMENT:
        placements.end(session, *moved, today=_needed(today, to_state))
    _record_bulk(session, moved, from_state, to_state, actor, reason, mail_from)
    return moved
