"""The worker's tables. Applications and the emails they cause are committed together."""

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Application(Base):
    """A graduate's or student's application for up to three positions."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    state: Mapped[str] = mapped_column(String(40), default="submitted", index=True)
    flag: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    university: Mapped[str] = mapped_column(String(100))
    major: Mapped[str] = mapped_column(String(100))
    degree: Mapped[str] = mapped_column(String(10))
    graduation: Mapped[dt.date] = mapped_column(Date)
    current_status: Mapped[str] = mapped_column(String(20))
    society_post: Mapped[bool] = mapped_column(Boolean, default=False)
    society_post_detail: Mapped[str] = mapped_column(Text, default="")
    volunteering: Mapped[bool] = mapped_column(Boolean, default=False)
    volunteering_detail: Mapped[str] = mapped_column(Text, default="")
    priority_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Sensitive personal information: stored only with separate consent, shown only to staff.
    priority_groups: Mapped[list[str] | None] = mapped_column(JSON)
    statement: Mapped[str] = mapped_column(Text, default="")

    choices: Mapped[list["Choice"]] = relationship(
        back_populates="application", order_by="Choice.rank", cascade="all, delete-orphan"
    )
    transitions: Mapped[list["Transition"]] = relationship(
        back_populates="application", order_by="Transition.id", cascade="all, delete-orphan"
    )


class Choice(Base):
    __tablename__ = "choice"
    __table_args__ = (UniqueConstraint("application_id", "rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    rank: Mapped[int] = mapped_column(Integer)
    position_id: Mapped[str] = mapped_column(String(200), index=True)

    application: Mapped[Application] = relationship(back_populates="choices")


class Claim(Base):
    """One row per (position, phone) and (position, email): the database refuses a second one,
    so the same person cannot apply twice for a position even when two requests race."""

    __tablename__ = "claim"
    __table_args__ = (UniqueConstraint("position_id", "contact"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(254))
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))


class Transition(Base):
    """Who moved an application to which state, when and why."""

    __tablename__ = "transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="transitions")


class Outbox(Base):
    """An email to send. The row is the truth; queue tasks only carry its id."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Makes "the same email for the same event" impossible to store twice.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), index=True)


class StaffUser(Base):
    """A member of the municipal project office who reviews submissions and applications."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(254), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="reviewer")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """One staff action: who did what to which record, when, and why."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(50), index=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class Submission(Base):
    """A unit's offer of positions (the online 岗位征集表), kept as validated data until approved."""

    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
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
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

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


class Placement(Base):
    """An offered place: which position and which mentor. A mentor holds at most three at a time."""

    __tablename__ = "placement"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    position_id: Mapped[str] = mapped_column(String(200), index=True)
    mentor: Mapped[str] = mapped_column(String(100))
    ended: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CatalogueBuild(Base):
    """The one row that coalesces rebuild requests: a build serves every request made before it began."""

    __tablename__ = "catalogue_build"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    builds: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="idle")
    error: Mapped[str] = mapped_column(Text, default="")
