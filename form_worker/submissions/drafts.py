"""Drafts of the online 岗位征集表: a unit's clerk saves the form unfinished and continues it later
from a link emailed to the unit's contact.

A draft needs only an email address the Unit model accepts: the answers are kept as typed (uploaded
files are not) until the form is submitted for real, which deletes the draft in the submission's
own commit, or until `DRAFT_DAYS` after the last save, when the daily purge deletes it. The link
carries a random token and the database keeps only its SHA-256, so a copy of the database opens
no draft. Saving again updates the same draft; the link is emailed again only once RESEND_AFTER
has passed or to a corrected address, so pressing 保存 ten times sends one email, not ten, and
one address gets at most DAILY_LINKS a day.
"""

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, false, func, or_, select, update
from sqlalchemy.orm import Session

from site_builder.clock import local_time

from ..core.db import rowcount
from ..outbox import services as outbox
from ..outbox.models import Outbox
from .models import SubmissionDraft

RESEND_AFTER = dt.timedelta(minutes=10)
# Links one address may be sent in a day, whatever the drafts: anyone can type anyone's address.
DAILY_LINKS = 5
TOKEN_CHARS = 43  # secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Link:
    """A draft with the token of its link, which only the link itself holds."""

    draft: SubmissionDraft
    token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def by_token(session: Session, token: str) -> SubmissionDraft | None:
    """The draft this token opens, expired or not (the caller tells them apart), or None."""
    if len(token) != TOKEN_CHARS:
        return None
    return session.scalar(select(SubmissionDraft).where(SubmissionDraft.token_hash == _digest(token)))


def expired(draft: SubmissionDraft, now: dt.datetime) -> bool:
    return draft.expires_at <= now


def save(
    session: Session,
    link: Link | None,
    answers: dict,
    email: str,
    now: dt.datetime,
    days: int,
    mail_from: str,
    url_of: Callable[[str], str],
) -> tuple[Link, list[int]]:
    """Store the answers in the link's draft (a new one without a link) for `days` from now, stage
    the email with the link when it is due, and commit; return the link and the outbox ids.

    url_of turns a token into the link's absolute address. The email is claimed by a conditional
    UPDATE, so two saves at the same moment send it once.
    """
    if link is None:
        token = secrets.token_urlsafe(32)
        new = SubmissionDraft(id=secrets.token_hex(16), token_hash=_digest(token), created_at=now)
        session.add(new)
        link = Link(new, token)
    draft = link.draft
    draft.answers, draft.updated_at, draft.expires_at = answers, now, now + dt.timedelta(days=days)
    session.flush()
    sent_today = session.scalar(
        select(func.count())
        .select_from(Outbox)
        .where(
            Outbox.recipient == email,
            Outbox.key.startswith("submission-draft:"),
            Outbox.created_at >= now - dt.timedelta(days=1),
        )
    )
    due = (
        or_(
            SubmissionDraft.emailed_at.is_(None),
            SubmissionDraft.emailed_at <= now - RESEND_AFTER,
            SubmissionDraft.emailed_to != email,
        )
        if (sent_today or 0) < DAILY_LINKS
        else false()
    )
    number = session.scalar(
        update(SubmissionDraft)
        .where(SubmissionDraft.id == draft.id, due)
        .values(emailed_to=email, emailed_at=now, emails=SubmissionDraft.emails + 1)
        .returning(SubmissionDraft.emails)
        .execution_options(synchronize_session=False)
    )
    session.expire(draft, ["emailed_to", "emailed_at", "emails"])
    rows = []
    if number is not None:
        rows.append(
            outbox.add(
                session,
                f"submission-draft:{draft.id}:{number}",
                email,
                "submission_draft",
                mail_from,
                link=url_of(link.token),
                days=days,
                saved=local_time(now),
                expires=local_time(draft.expires_at),
            )
        )
    session.commit()
    return link, [row.id for row in rows]


def discard(session: Session, draft: SubmissionDraft) -> None:
    """Delete a draft whose form is being submitted, in the caller's transaction (the caller commits)."""
    session.delete(draft)


def purge(session: Session, now: dt.datetime) -> int:
    """Delete every draft past its expiry, with the answers it kept; return how many (the daily task)."""
    purged = rowcount(session.execute(delete(SubmissionDraft).where(SubmissionDraft.expires_at <= now)))
    session.commit()
    return purged
