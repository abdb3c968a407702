"""An application, its ranked choices, the claims that stop duplicates, its history and its placement."""

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import Base, utcnow


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
    # The national filing batch that reported it (state `filed` on).
    filing_batch_id: Mapped[int | None] = mapped_column(Integer, index=True)

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
    # The unit's selection: on its shortlist, and how this choice ended (CHOICE_OUTCOMES).
    shortlisted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    outcome: Mapped[str | None] = mapped_column(String(20))

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


class Placement(Base):
    """An offered place: which position and which mentor (a mentor holds at most three at a time),
    the student's answer before the deadline, then the agreement, allowance and insurance."""

    __tablename__ = "placement"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    position_id: Mapped[str] = mapped_column(String(200), index=True)
    mentor: Mapped[str] = mapped_column(String(100))
    ended: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deadline: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    agreement_date: Mapped[dt.date | None] = mapped_column(Date)
    start_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    allowance: Mapped[int | None] = mapped_column(Integer)
    # The office approved an allowance below the position's advertised amount.
    allowance_approved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    insurer: Mapped[str | None] = mapped_column(String(100))
    policy_number: Mapped[str | None] = mapped_column(String(100))
    cover_start: Mapped[dt.date | None] = mapped_column(Date)
    cover_end: Mapped[dt.date | None] = mapped_column(Date)


class FilingBatch(Base):
    """One report to the national project office: who exported it, when, how many, and the file,
    kept so that downloading the batch again gives the same bytes."""

    __tablename__ = "filing_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(50))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    count: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
