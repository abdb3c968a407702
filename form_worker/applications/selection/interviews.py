"""Interviews before the proposed list (issue 22: the office can open an interview round).

The office opens a round for a position: times and places, one candidate each. Every candidate of
the position still in selection (filed, the choice without an outcome) gets an email with a link to
a phone page where they pick a free time (and may change it while it is ahead); a unit may instead
set a time for one candidate. The hour before the day, a reminder goes to each booked candidate.
Times are entered and shown in Beijing time and stored in naive UTC.
"""

import datetime as dt
import re
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from site_builder.clock import CHONGQING, local_time

from ...catalogue.positions import Positions
from ...core.db import rowcount
from ...outbox import services as outbox
from ..models import Application, Choice, InterviewSlot
from .offers import Mail

SLOTS_AT_MOST = 60
PLACE_MAX = 200
REMIND_BEFORE = dt.timedelta(hours=24)
_SALT = "jianxi.interview"
_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s+(.+?)\s*$")


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime  # naive UTC
    place: str


def to_utc(day: dt.date, time: dt.time) -> dt.datetime:
    """A Beijing date and time as the naive UTC the database keeps."""
    return dt.datetime.combine(day, time, CHONGQING).astimezone(dt.UTC).replace(tzinfo=None)


def parse_slots(text: str, now: dt.datetime) -> tuple[list[Slot], list[str]]:
    """One slot per line, "2027-01-10 09:30 会议室 A（或线上会议号）"; the problems by line, in Chinese."""
    slots: list[Slot] = []
    problems: list[str] = []
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return [], ["请至少填写一个面试时间，每行一个"]
    if len(lines) > SLOTS_AT_MOST:
        return [], [f"一次最多 {SLOTS_AT_MOST} 个时间"]
    for number, line in enumerate(lines, start=1):
        match = _LINE.match(line)
        if match is None:
            problems.append(f"第 {number} 行：格式应为“2027-01-10 09:30 地点”")
            continue
        try:
            day = dt.date.fromisoformat(match.group(1))
            hour, minute = (int(n) for n in match.group(2).split(":"))
            starts_at = to_utc(day, dt.time(hour, minute))
        except ValueError:
            problems.append(f"第 {number} 行：日期或时间不存在")
            continue
        if starts_at <= now:
            problems.append(f"第 {number} 行：时间已经过去")
        elif len(match.group(3)) > PLACE_MAX:
            problems.append(f"第 {number} 行：地点最多 {PLACE_MAX} 个字")
        else:
            slots.append(Slot(starts_at, match.group(3)))
    return slots, problems


def token(choice: Choice, secret: str) -> str:
    return URLSafeSerializer(secret, salt=_SALT).dumps(choice.id)


def from_token(session: Session, value: str, secret: str) -> Choice | None:
    try:
        choice_id = URLSafeSerializer(secret, salt=_SALT).loads(value)
    except BadSignature:
        return None
    return session.get(Choice, choice_id) if isinstance(choice_id, int) else None


def in_selection(choice: Choice) -> bool:
    """A candidate may still be interviewed for this choice."""
    return choice.application.state == "filed" and not choice.outcome


def candidates(session: Session, position_id: str) -> list[Choice]:
    query = (
        select(Choice)
        .join(Application, Application.id == Choice.application_id)
        .where(Choice.position_id == position_id, Choice.outcome.is_(None), Application.state == "filed")
        .order_by(Choice.rank, Application.id)
    )
    return list(session.scalars(query))


def open_round(
    session: Session, position_id: str, slots: list[Slot], actor: str, mail: Mail, positions: Positions
) -> list[int]:
    """Add the slots and invite the position's candidates; returns the outbox ids. The caller commits."""
    rows = [
        InterviewSlot(position_id=position_id, starts_at=s.starts_at, place=s.place, created_by=actor)
        for s in slots
    ]
    session.add_all(rows)
    session.flush()
    entry = positions.by_id[position_id]
    ids = []
    for choice in candidates(session, position_id):
        row = outbox.add(
            session,
            f"interview-invite:{choice.id}:{rows[0].id}",
            choice.application.email,
            "interview_invite",
            mail.mail_from,
            choice.application_id,
            application=choice.application,
            entry=entry,
            unit=positions.unit_of(entry),
            times=[f"{local_time(s.starts_at)} {s.place}" for s in rows],
            link=mail.url(f"/interview/{token(choice, mail.secret)}"),
        )
        ids.append(row.id)
    return ids


def booking(session: Session, choice: Choice) -> InterviewSlot | None:
    return session.scalar(
        select(InterviewSlot).where(
            InterviewSlot.position_id == choice.position_id,
            InterviewSlot.application_id == choice.application_id,
        )
    )


def free_slots(session: Session, position_id: str, now: dt.datetime) -> list[InterviewSlot]:
    query = select(InterviewSlot).where(
        InterviewSlot.position_id == position_id,
        InterviewSlot.application_id.is_(None),
        InterviewSlot.starts_at > now,
    )
    return list(session.scalars(query.order_by(InterviewSlot.starts_at)))


class Taken(Exception):
    """The slot was taken a moment ago, has passed, or is not this position's."""


def pick(session: Session, choice: Choice, slot_id: int, now: dt.datetime) -> InterviewSlot:
    """Book this slot for the candidate, freeing the one held before; claimed with a conditional
    UPDATE, so of two candidates picking at once one wins. The caller commits."""
    held = booking(session, choice)
    if held is not None:
        if held.id == slot_id:
            return held
        held.application_id, held.booked_at, held.reminded_at = None, None, None
        session.flush()
    claimed = rowcount(
        session.execute(
            update(InterviewSlot)
            .where(
                InterviewSlot.id == slot_id,
                InterviewSlot.position_id == choice.position_id,
                InterviewSlot.application_id.is_(None),
                InterviewSlot.starts_at > now,
            )
            .values(application_id=choice.application_id, booked_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    if not claimed:
        session.rollback()
        raise Taken
    slot = session.get(InterviewSlot, slot_id)
    assert slot is not None  # nosec B101  # just claimed
    session.refresh(slot)
    return slot


def set_by_unit(session: Session, choice: Choice, slot: Slot, actor: str, now: dt.datetime) -> InterviewSlot:
    """The unit sets the candidate's interview time, in place of any slot held. The caller commits."""
    held = booking(session, choice)
    if held is not None:
        held.application_id, held.booked_at, held.reminded_at = None, None, None
        session.flush()
    row = InterviewSlot(
        position_id=choice.position_id,
        starts_at=slot.starts_at,
        place=slot.place,
        created_by=actor,
        application_id=choice.application_id,
        booked_at=now,
    )
    session.add(row)
    session.flush()
    return row


def remind_due(session: Session, now: dt.datetime, mail: Mail, positions: Positions) -> list[int]:
    """A reminder to each candidate whose interview starts within the next day, once; returns the
    outbox ids. The caller commits."""
    query = select(InterviewSlot).where(
        InterviewSlot.application_id.is_not(None),
        InterviewSlot.reminded_at.is_(None),
        InterviewSlot.starts_at > now,
        InterviewSlot.starts_at <= now + REMIND_BEFORE,
    )
    ids = []
    for slot in session.scalars(query):
        application = session.get(Application, slot.application_id)
        entry = positions.by_id.get(slot.position_id)
        if application is None or entry is None or application.state != "filed":
            continue
        row = outbox.add(
            session,
            f"interview-reminder:{slot.id}:{slot.application_id}",
            application.email,
            "interview_reminder",
            mail.mail_from,
            application.id,
            application=application,
            entry=entry,
            unit=positions.unit_of(entry),
            time=f"{local_time(slot.starts_at)} {slot.place}",
        )
        slot.reminded_at = now
        ids.append(row.id)
    return ids
