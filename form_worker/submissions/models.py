"""A unit's submission of positions and its history."""

import datetime as dt
import secrets

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import Base, utcnow


def new_publish_id() -> str:
    return secrets.token_hex(16)


class Submission(Base):
    """A unit's offer of positions (the online 岗位征集表), kept as validated data until approved."""

    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    # Unguessable and never shown: the trailer of the commit that publishes it (publishing.files).
    publish_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_publish_id)
    state: Mapped[str] = mapped_column(String(30), default="submitted", index=True)
    source: Mapped[str] = mapped_column(String(10), default="form")
    unit_slug: Mapped[str] = mapped_column(String(100), index=True)
    is_edit: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_data: Mapped[dict] = mapped_column(JSON)
    positions_data: Mapped[list] = mapped_column(JSON)
    # The secret part of the link a unit uses to resubmit when staff ask for changes.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    message: Mapped[str] = mapped_column(Text, default="")
    commit: Mapped[str] = mapped_column(String(64), default="")
    # Who approved (their name goes into the commit) and why the last publication failed.
    approved_by: Mapped[str] = mapped_column(String(100), default="")
    publish_error: Mapped[str] = mapped_column(Text, default="")
    # The unit's own account, when a logged-in contact of the unit sent it (no anonymous edit).
    submitted_by: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # When new positions in it arrived after the collection window closed (COLLECTION_CLOSES, 24:00
    # Beijing time): 逾期, the office decides. None when on time or when it only edits published
    # positions; see services.late_arrival.
    late_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)

    events: Mapped[list["SubmissionEvent"]] = relationship(
        back_populates="submission", order_by="SubmissionEvent.id", cascade="all, delete-orphan"
    )


class SubmissionEvent(Base):
    __tablename__ = "submission_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="events")


class SubmissionDraft(Base):
    """A 岗位征集表 saved unfinished, kept as typed (nothing is validated but the contact email) so
    that its contact can continue it from an emailed link; see submissions.drafts."""

    __tablename__ = "submission_draft"

    # Random, so the outbox keys that name a draft tell nothing of how many there are.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The SHA-256 of the link's token: the database alone opens no draft.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The form's data as SubmitForm(data=…) fills it back in; uploaded files are not kept.
    answers: Mapped[dict] = mapped_column(JSON)
    # Where and when the link was last emailed: a save soon after to the same address sends none.
    emailed_to: Mapped[str] = mapped_column(String(254), default="")
    emailed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # How many times it was emailed, which numbers each email's outbox key.
    emails: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
