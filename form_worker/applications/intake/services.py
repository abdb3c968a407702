"""Intake: record an application with its claims and emails in one transaction, check it, and find
it again for /status.

Views and tasks call these functions with a session; nothing here sends mail or touches the queue.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from site_builder.model.catalogue import PositionEntry

from ...catalogue.positions import Positions
from ...core import throttle
from ...core.db import rowcount
from ...outbox import services as outbox
from ...outbox.models import Outbox
from ..models import Application, Choice, Claim, Transition
from ..services import APPLICANT_ACTOR, SLOT, move
from .eligibility import choice_problem, status_problem


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
    # Answers added in issue 22, with defaults for callers that record an application directly.
    registered: bool = False
    registry_account: str = ""
    priority_mark_consent: bool = False


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


def _receipts(
    application_id: int,
    ref: str,
    applicant: Applicant,
    entries: list[PositionEntry],
    positions: Positions,
    mail_from: str,
) -> list[dict[str, object]]:
    """The outbox rows a new application causes: its receipt, and one email per chosen position's unit."""
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
    return emails


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
    told = applicant.priority_consent and bool(applicant.priority_groups)
    row = vars(applicant) | {
        "priority_groups": applicant.priority_groups if applicant.priority_consent else None,
        # The mark means nothing without a group behind it, nor when the groups were not given.
        "priority_mark_consent": applicant.priority_mark_consent and told,
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
    emails = _receipts(
        application_id, ref, applicant, [positions.by_id[p] for p in position_ids], positions, mail_from
    )
    connection.execute(insert(Outbox.__table__), emails)
    session.commit()
    return Received(application_id, ref)


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


def unchecked(session: Session, before: dt.datetime) -> list[int]:
    """Applications submitted before `before` and never checked: their check task was lost."""
    query = select(Application.id).where(
        Application.state == "submitted", Application.flag.is_(None), Application.created_at < before
    )
    return list(session.scalars(query))
