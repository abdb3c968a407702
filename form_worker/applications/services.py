"""Applications: record one with its emails in one transaction, move it between states.

Views and tasks call these functions with a session; nothing here sends mail or touches the queue.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts import audit
from ..catalogue.positions import Positions
from ..core import throttle
from ..core.db import rowcount
from ..outbox import services as outbox
from ..outbox.models import Outbox
from . import placements
from .eligibility import choice_problem, status_problem
from .models import Application, Choice, Claim, Evaluation, Transition
from .states import (
    ACTION_LABELS,
    ALLOWED,
    BULK_TARGETS,
    CLOSED_STATES,
    NEEDS_REASON,
    NOTIFY,
    RETURN_TO_UNIVERSITY,
    STATE_LABELS,
)


class DuplicateApplication(Exception):
    """The same phone or email already applied for one of these positions."""

    def __init__(self, position_ids: list[str]) -> None:
        super().__init__(position_ids)
        self.position_ids = position_ids


@dataclass(frozen=True)
class Applicant:
    """Validated answers of the application form."""

    name: str
    phone: str
    email: str
    university: str
    major: str
    major_group: str
    degree: str
    graduation: dt.date
    current_status: str
    society_post: bool
    society_post_detail: str
    volunteering: bool
    volunteering_detail: str
    priority_consent: bool
    priority_groups: list[str]
    statement: str


def reference(application_id: int, year: int) -> str:
    return f"JX{year}-{application_id:06d}"


def existing_duplicates(session: Session, position_ids: list[str], phone: str, email: str) -> list[str]:
    """Positions among these that this phone or email already applied for."""
    query = select(Claim.position_id).where(
        Claim.position_id.in_(position_ids), Claim.contact.in_([phone, email.lower()])
    )
    return sorted(set(session.scalars(query)))


class TooManyChoices(Exception):
    """This phone or email already holds `held` of the MAX_CHOICES a person may have open."""

    def __init__(self, held: int) -> None:
        super().__init__(held)
        self.held = held


# The notice's "up to three intended positions" is per person, not per form. Each open choice
# holds a slot claim ("slot:1" … "slot:3") for the applicant's phone and for their email; the
# claim table's unique index makes the count race-safe as it does for duplicates, and closing an
# application releases its slots.
MAX_CHOICES = 3
SLOT = "slot:"
# Who the history names for what the applicant did (submitting, withdrawing from /status).
APPLICANT_ACTOR = "申请人"


def held_slots(session: Session, phone: str, email: str) -> set[str]:
    """The slot claims this phone or email holds in open applications."""
    query = select(Claim.position_id).where(
        Claim.contact.in_([phone, email.lower()]), Claim.position_id.startswith(SLOT)
    )
    return set(session.scalars(query))


def _free_slots(session: Session, applicant: "Applicant", wanted: int) -> list[str]:
    held = held_slots(session, applicant.phone, applicant.email)
    free = [f"{SLOT}{n}" for n in range(1, MAX_CHOICES + 1) if f"{SLOT}{n}" not in held]
    if len(free) < wanted:
        raise TooManyChoices(len(held))
    return free[:wanted]


@dataclass(frozen=True)
class Received:
    """What the form needs of an application it just recorded."""

    id: int
    reference: str


def submit(
    session: Session,
    applicant: Applicant,
    position_ids: list[str],
    positions: Positions,
    year: int,
    mail_from: str,
) -> Received:
    """Record the application, its claims and every email it causes, then commit once.

    This is the form's busiest moment, so it writes with Core statements on the session's
    connection: the same rows and transaction as the ORM's flushes, for less than half their cost.
    """
    row = vars(applicant) | {
        "priority_groups": applicant.priority_groups if applicant.priority_consent else None,
        "programme_year": year,
    }
    slots = _free_slots(session, applicant, len(position_ids))
    connection = session.connection()
    table = Application.__table__
    application_id = connection.execute(insert(table).returning(table.c.id), row).scalar_one()
    try:
        connection.execute(
            insert(Claim.__table__),
            [
                {"position_id": p, "contact": contact, "application_id": application_id}
                for p in [*position_ids, *slots]
                for contact in (applicant.phone, applicant.email.lower())
            ],
        )
    except IntegrityError:
        session.rollback()
        duplicates = existing_duplicates(session, position_ids, applicant.phone, applicant.email)
        if duplicates:
            raise DuplicateApplication(duplicates) from None
        _free_slots(session, applicant, len(position_ids))  # raises if a racing form took the slots
        raise
    ref = reference(application_id, year)
    connection.execute(update(table).where(table.c.id == application_id).values(reference=ref))
    connection.execute(
        insert(Choice.__table__),
        [
            {"application_id": application_id, "rank": rank, "position_id": p}
            for rank, p in enumerate(position_ids, start=1)
        ],
    )
    connection.execute(
        insert(Transition.__table__),
        {"application_id": application_id, "to_state": "submitted", "actor": APPLICANT_ACTOR},
    )
    entries = [positions.by_id[p] for p in position_ids]
    units = {e.id: positions.unit_of(e) for e in entries}
    emails = [
        outbox.message(
            f"received:{application_id}",
            applicant.email,
            "application_received",
            mail_from,
            application_id,
            applicant=applicant,
            reference=ref,
            entries=entries,
            units=units,
        )
    ]
    emails += [
        outbox.message(
            f"unit:{application_id}:{entry.id}",
            (entry.position.contact or units[entry.id].contact).email,
            "unit_new_application",
            mail_from,
            application_id,
            applicant=applicant,
            reference=ref,
            entry=entry,
            unit=units[entry.id],
        )
        for entry in entries
    ]
    connection.execute(insert(Outbox.__table__), emails)
    session.commit()
    return Received(application_id, ref)


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
    session.add(transition)
    if to_state in CLOSED_STATES:  # a closed application counts no more towards MAX_CHOICES
        session.execute(
            delete(Claim).where(Claim.application_id == application.id, Claim.position_id.startswith(SLOT))
        )
    session.flush()
    if notify and to_state in NOTIFY:
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
        )
    return transition


def check(
    session: Session, application_id: int, positions: Positions, day: dt.date, year: int, mail_from: str
) -> str:
    """Move a submitted application to checked, or flag it for staff with the reason.

    Returns checked, flagged or skipped (gone, already moved, or moved by a run at the same time).
    """
    application = session.get(Application, application_id)
    if application is None or application.state != "submitted":
        return "skipped"
    problems = []
    for choice in application.choices:
        if not positions.is_open(choice.position_id, day):
            problems.append(f"岗位 {choice.position_id} 已不再招募")
            continue
        problem = choice_problem(
            positions.by_id[choice.position_id].position, application.current_status, application.degree
        )
        if problem:
            problems.append(f"岗位 {choice.position_id}：{problem}")
    problem = status_problem(application.current_status, application.graduation, year, day)
    if problem:
        problems.append(problem)
    if problems:
        application.flag = "；".join(problems)
        session.commit()
        return "flagged"
    # Claimed like an outbox row: of two runs at once only one moves it and adds the email.
    claimed = rowcount(
        session.execute(
            update(Application)
            .where(Application.id == application_id, Application.state == "submitted")
            .values(state="checked")
            .execution_options(synchronize_session=False)
        )
    )
    if not claimed:
        session.rollback()
        return "skipped"
    move(session, application, "checked", "系统", "", mail_from)
    session.commit()
    return "checked"


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


# Attempts in a row for one reference before the next is refused and locks it (1, 2, 4 … 60 min):
# a student mistyping a phone number is far below it, someone walking phone numbers far above.
FREE_STATUS = 10


def look_up_status(
    session: Session, ref: str, contact: str, now: dt.datetime
) -> tuple[Application | None, dt.datetime | None]:
    """The application for /status, or None and the end of the lock on this reference, if any.

    The lock is keyed by the reference typed, real or not, so it tells nothing; the caller commits.
    """
    name = throttle.key("status", ref)
    until = throttle.attempt(session, name, now, FREE_STATUS)
    if until is not None:
        return None, until
    application = find_for_status(session, ref, contact)
    if application is not None:
        throttle.clear(session, name)
    return application, None


def find_for_status(session: Session, ref: str, contact: str) -> Application | None:
    """The application with this reference whose phone or email matches; None otherwise."""
    application = session.scalar(select(Application).where(Application.reference == ref.strip().upper()))
    if application is None:
        return None
    given = contact.strip().lower()
    if given and given in (application.phone, application.email.lower()):
        return application
    return None


class TransitionRefused(Exception):
    """A transition that may not happen; the message is Chinese and meant for the staff member.

    `conflict` tells a lost race or a full position (retrying the same request will not help) from
    a request that was incomplete or not allowed in this state.
    """

    def __init__(self, message: str, conflict: bool = False) -> None:
        super().__init__(message)
        self.conflict = conflict


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
) -> Transition:
    """Move an application as a staff member, with its email, placement and audit entry.

    The state the caller loaded is the one it acts on: a conditional UPDATE claims the move, so of
    two staff acting at once only one succeeds and the other gets TransitionRefused. On refusal the
    session is rolled back; on success the caller commits.
    """
    reason = reason.strip()
    from_state = application.state
    if to_state not in ALLOWED.get(from_state, ()):
        raise TransitionRefused(
            f"报名当前状态为“{STATE_LABELS[from_state]}”，不能改为“{STATE_LABELS.get(to_state, to_state)}”"
        )
    if to_state in NEEDS_REASON and not reason:
        raise TransitionRefused(f"“{ACTION_LABELS[to_state]}”必须填写原因")
    if (from_state, to_state) == RETURN_TO_UNIVERSITY and not reason:
        raise TransitionRefused("退回高校必须写明原因，高校会看到这条说明")
    if to_state == "filed":
        raise TransitionRefused("报全国备案请在“全国备案”页面导出名单并登记，每一批都会留档")
    if to_state == "agreement_signed":
        placement = placements.placement_of(session, application.id)
        gaps = placements.agreement_gaps(placement) if placement is not None else ["录用记录"]
        if gaps:
            raise TransitionRefused(
                f"尚缺：{'、'.join(gaps)}。学生接受录用后，由单位登记协议、起止日期、生活费和保险"
            )
    if to_state == "completed":
        placement = placements.placement_of(session, application.id)
        evaluated = placement is not None and session.scalar(
            select(Evaluation.id).where(Evaluation.placement_id == placement.id)
        )
        if not evaluated:
            raise TransitionRefused("导师尚未提交见习评价：请单位在工作档案中提交导师评价后，再登记见习结束")
        if placement is not None and placement.finished_on is None:
            # The last day (and why, when early) decides the certificate, the claim's months and
            # the statistics: only the work file's 登记见习结束 records it.
            raise TransitionRefused("请由单位在工作档案中登记见习结束：实际结束日期，提前结束的须写明原因")
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
    # The reason's text stays in the history (which retention and erasure clear); the audit log,
    # kept for good, only says one was given: a reason may name a person or their health.
    detail: dict[str, object] = {"from": from_state, "to": to_state, "reason_given": bool(reason)}
    if to_state == "offered":
        try:
            placement = placements.place(session, application, position_id or "", mentor or "", positions)
        except placements.OfferRefused as error:
            session.rollback()
            raise TransitionRefused(str(error), conflict=error.conflict) from error
        reason = "；".join(filter(None, [placements.describe(placement, positions), reason]))
        detail |= {"position": placement.position_id, "mentor": placement.mentor}
    if to_state in placements.ENDS_PLACEMENT:
        placements.end(session, application.id)
    result = move(session, application, to_state, actor, reason, mail_from, notify)
    target = application.reference or str(application.id)
    audit.record(session, actor, "application_transition", target, **detail)
    return result


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
) -> list[int]:
    """Move many applications at once (selected rows, a filing batch); the ones moved, in order.

    One conditional UPDATE … RETURNING claims the rows still in from_state (and matching `where`,
    a party's scope), so two staff pressing at once never move a row twice; then the history, the
    applicant's emails and the audit entries are inserted for exactly those rows. Only moves that
    place nobody (not `offered`); the caller commits.
    """
    reason = reason.strip()
    filing = to_state == "filed" and bool((values or {}).get("filing_batch_id"))
    if to_state not in ALLOWED.get(from_state, ()) or not (to_state in BULK_TARGETS or filing):
        raise TransitionRefused(f"不能把“{STATE_LABELS[from_state]}”的报名批量改为“{STATE_LABELS[to_state]}”")
    if (to_state in NEEDS_REASON or (from_state, to_state) == RETURN_TO_UNIVERSITY) and not reason:
        raise TransitionRefused(f"“{ACTION_LABELS[to_state]}”必须填写原因")
    moved: list[int] = []
    for start in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[start : start + 500]
        statement = (
            update(Application)
            .where(Application.id.in_(chunk), Application.state == from_state, *where)
            .values(state=to_state, **(values or {}))
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
        placements.end(session, *moved)
    connection = session.connection()
    rows = connection.execute(
        insert(Transition.__table__).returning(
            Transition.__table__.c.id, Transition.__table__.c.application_id
        ),
        [
            {
                "application_id": i,
                "from_state": from_state,
                "to_state": to_state,
                "actor": actor,
                "reason": reason,
            }
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
    return moved


def unchecked(session: Session, before: dt.datetime) -> list[int]:
    """Applications submitted before `before` and never checked: their check task was lost."""
    query = select(Application.id).where(
        Application.state == "submitted", Application.flag.is_(None), Application.created_at < before
    )
    return list(session.scalars(query))
