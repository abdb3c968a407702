"""An application, its ranked choices, the claims that stop duplicates, its history, its placement
and the placement's work file (工作档案): attendance, tasks, notes, allowance paid, evaluation."""

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
    # The discipline (学科门类, MAJOR_GROUPS) the statistics group majors by; None before it was asked.
    major_group: Mapped[str | None] = mapped_column(String(20))
    degree: Mapped[str] = mapped_column(String(10))
    graduation: Mapped[dt.date] = mapped_column(Date)
    current_status: Mapped[str] = mapped_column(String(20))
    society_post: Mapped[bool] = mapped_column(Boolean, default=False)
    society_post_detail: Mapped[str] = mapped_column(Text, default="")
    volunteering: Mapped[bool] = mapped_column(Boolean, default=False)
    volunteering_detail: Mapped[str] = mapped_column(Text, default="")
    priority_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # A second, separate consent: selectors (the university, the unit) may see a neutral
    # 同等条件下优先考虑 mark, never which group (issue 22). Meaningless without priority_groups.
    priority_mark_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Sensitive personal information: stored only with separate consent, shown only to staff.
    priority_groups: Mapped[list[str] | None] = mapped_column(JSON)
    statement: Mapped[str] = mapped_column(Text, default="")
    # Whether they say they registered in the national system (智慧科协见习计划系统), where the
    # notice has graduates register too, and the account name they used there, if they gave it.
    registered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    registry_account: Mapped[str] = mapped_column(String(50), default="", server_default="")
    # The national filing batch that reported it (state `filed` on).
    filing_batch_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The programme year applied for (PROGRAMME_YEAR then): statistics and retention go by it.
    programme_year: Mapped[int | None] = mapped_column(Integer, index=True)
    # Set when retention or an erasure request removed the personal fields; the counts stay.
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

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
    # The unit proposed the applicant for this position (拟录用): the application is then proposed,
    # confirmed and offered for this choice; cleared when it goes back to filed.
    proposed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

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
    # How it ended: the day the intern left, and why when before the agreed end (提前结束).
    finished_on: Mapped[dt.date | None] = mapped_column(Date)
    early_end_reason: Mapped[str | None] = mapped_column(Text)
    # Where the intern went next (去向, DESTINATIONS), as the unit recorded it at the end, or as the
    # intern confirmed or corrected it from /status (destination_by then reads 本人, with the time).
    destination: Mapped[str | None] = mapped_column(String(20), index=True)
    destination_detail: Mapped[str] = mapped_column(String(100), default="", server_default="")
    destination_by: Mapped[str | None] = mapped_column(String(10))
    destination_confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The unit offers it to the summary evaluation as a typical case (典型案例), with a short story.
    typical_case: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    case_story: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The intern's answer on /status to publishing it on the public 成果展示 page (workfile/consent.py:
    # named, surname, anonymous, or no), when given or last changed; then the office's approval of
    # the text it publishes (title, story lightly edited), void once the answer changes after it.
    case_consent: Mapped[str | None] = mapped_column(String(10))
    case_consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    case_title: Mapped[str] = mapped_column(String(40), default="", server_default="")
    case_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    case_approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


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
    # Rows whose person was erased since: their personal cells in `content` read （已删除）.
    erased: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Attendance(Base):
    """One month of an intern's attendance, as the unit records it (`month` is the month's first day)."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("placement_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), index=True)
    month: Mapped[dt.date] = mapped_column(Date, index=True)
    expected: Mapped[int] = mapped_column(Integer)
    present: Mapped[int] = mapped_column(Integer)
    personal_leave: Mapped[int] = mapped_column(Integer, default=0)
    sick_leave: Mapped[int] = mapped_column(Integer, default=0)
    absent: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class WorkTask(Base):
    """A task the intern was given: its period, what was delivered and how far it is."""

    __tablename__ = "work_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    delivered: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10))
    percent: Mapped[int] = mapped_column(Integer, default=0)
    # The training plan's month (its first day) this task works towards, if the unit linked one.
    milestone: Mapped[dt.date | None] = mapped_column(Date)
    updated_by: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class PerformanceNote(Base):
    """A dated note by the mentor on how the intern is doing (the intern does not see these)."""

    __tablename__ = "performance_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AllowancePayment(Base):
    """The living allowance paid for one month: the subsidy claim lists it."""

    __tablename__ = "allowance_payment"
    __table_args__ = (UniqueConstraint("placement_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), index=True)
    month: Mapped[dt.date] = mapped_column(Date, index=True)
    amount: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    updated_by: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Evaluation(Base):
    """The mentor's evaluation at the end: each criterion 1–5, a comment and the overall grade.
    Required before the placement can be completed."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), unique=True)
    scores: Mapped[dict[str, int]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    grade: Mapped[str] = mapped_column(String(10), index=True)
    author: Mapped[str] = mapped_column(String(50))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class InternRating(Base):
    """The intern's own view of the internship at its end (issue 22): the mentor's guidance, the
    tasks and what was learned, 1–5 each, and a comment. Given once, from /status. The unit never
    sees one; the summary report shows a unit's averages only from MIN_SHOWN ratings on."""

    __tablename__ = "intern_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), unique=True)
    mentor: Mapped[int] = mapped_column(Integer)
    tasks: Mapped[int] = mapped_column(Integer)
    learning: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class TrainingPlan(Base):
    """The unit's training plan (培养计划) for one intern (issue 22): goals, a milestone per month of
    the internship, what the mentor will teach and how it is assessed. The mentor's dated sign-off
    and the intern's reading both lapse when the plan changes."""

    __tablename__ = "training_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), unique=True)
    goals: Mapped[str] = mapped_column(Text)
    # {"2026-08-01": "…"}: one milestone per month the internship touches.
    milestones: Mapped[dict[str, str]] = mapped_column(JSON)
    teaching: Mapped[str] = mapped_column(Text)
    assessment: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    signed_off_by: Mapped[str | None] = mapped_column(String(100))
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class LogEntry(Base):
    """One week of the intern's own log (见习周志, issue 22), written from /status: what they did,
    what they learned, problems. Saved as a draft, submitted, then approved or returned with a
    comment by the mentor (through the unit's account). `week` is the week's Monday."""

    __tablename__ = "log_entry"
    __table_args__ = (UniqueConstraint("placement_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), index=True)
    week: Mapped[dt.date] = mapped_column(Date)
    did: Mapped[str] = mapped_column(Text, default="")
    learned: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="draft")
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(50))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class FinalReport(Base):
    """The intern's end-of-internship report (见习总结), reviewed like a week of the log; the
    mentor's approval of it is part of completing the internship."""

    __tablename__ = "final_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), unique=True)
    text: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="draft")
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(50))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class InterviewSlot(Base):
    """A time and place for an interview at one position (面试, issue 22): the office opens a round
    of slots and the position's candidates each pick one from the link in their email, or the unit
    sets one for a candidate. A candidate holds at most one slot per position."""

    __tablename__ = "interview_slot"
    __table_args__ = (UniqueConstraint("position_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[str] = mapped_column(String(200), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)  # naive UTC
    place: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(50))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    booked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
