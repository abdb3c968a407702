"""Anonymising applications and clearing emails when their retention period ends, or when an
applicant asks to be erased: one code path for both (`anonymise`).

An application is anonymised, not deleted, because the statistics of past years must keep counting
it: the row keeps its state, programme year, university, degree, discipline, current status, the
yes/no answers and its choices, and loses everything that names or describes the person. The work
file keeps its numbers, dates and grades and loses its free text. Everything runs in bounded
batches of UPDATE … WHERE id IN (chunk), so a year with 50,000 applications never loads them all.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, delete, exists, func, null, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..applications.models import (
    Application,
    Attendance,
    Claim,
    Evaluation,
    FilingBatch,
    FinalReport,
    InternRating,
    LogEntry,
    PerformanceNote,
    Placement,
    TrainingPlan,
    Transition,
    WorkTask,
)
from ..applications.review import filing
from ..applications.states import CLOSED_STATES
from ..applications.workfile.consent import CASE_CLEARED
from ..core.db import rowcount
from ..feedback.services import clear_contacts
from ..outbox.models import Outbox
from .rules import Rules, chongqing_year, created_before_year_end

BATCH = 500
# What an anonymised row shows instead of the person. The phone and email become empty: a real one
# is never empty (the form requires both), /status never matches an empty contact, and an empty
# string fits the NOT NULL columns and their indexes; nothing can collide with it.
ERASED_NAME = "（已删除）"
ERASED_TASK = "（已删除）"  # a task's title may name people or the intern's own project
MASKED_RECIPIENT = "（已隐去）"
# Emails not delivered (still pending, or failed for good) are deleted rather than cleared: they
# record nothing that happened, and a cleared one sent later would go out empty.
UNSENT = ("pending", "failed")


@dataclass
class Report:
    """What one purge did, per rule (Rules kinds; `email_failed` counts failed emails deleted)."""

    counts: Counter[str] = field(default_factory=Counter)

    def as_detail(self) -> dict[str, int]:
        """The counts for the audit entry: numbers only, every rule named even when nothing was due."""
        kinds = ("unplaced", "placed", "email", "email_failed", "filing", "feedback")
        return {kind: self.counts[kind] for kind in kinds}


def _answers_cleared() -> dict[str, object]:
    """The answers both anonymising and erasing remove: the free texts, the national system's
    account name, and the priority groups (sensitive) with both consents."""
    return {
        "society_post_detail": "",
        "volunteering_detail": "",
        "statement": "",
        "registry_account": "",
        "priority_consent": False,
        "priority_mark_consent": False,
        "priority_groups": null(),  # SQL NULL, not JSON null: no answers held
    }


def _signed() -> ColumnElement[bool]:
    """The application has a placement that reached a signed agreement."""
    return exists().where(Placement.application_id == Application.id, Placement.agreement_date.is_not(None))


def _ended() -> ColumnElement[dt.date]:
    """When a signed internship ended: the day the intern left, else the agreed end (else, for a row
    that somehow has neither, the agreement's date, so no placed application is kept forever)."""
    return func.coalesce(Placement.finished_on, Placement.end_date, Placement.agreement_date)


def due_unplaced(rules: Rules, today: dt.date) -> ColumnElement[bool]:
    """Never placed and RETAIN_UNPLACED_MONTHS past 31 December of its programme year.

    The deadline falls after its year is over, so every application it selects is closed or belongs
    to a year whose selection has ended; one still in an open state then was abandoned, and is
    anonymised too (its state stays as the statistics counted it). Rows older than programme_year
    count by the Chongqing year they were created in.
    """
    year = rules.unplaced_due_through(today)
    return and_(
        Application.anonymised_at.is_(None),
        ~_signed(),
        or_(
            Application.programme_year <= year,
            and_(
                Application.programme_year.is_(None),
                Application.created_at < created_before_year_end(year),
            ),
        ),
    )


def due_placed(rules: Rules, today: dt.date) -> ColumnElement[bool]:
    """Placed (a signed agreement) and RETAIN_PLACED_YEARS past the end of every signed internship."""
    running = exists().where(
        Placement.application_id == Application.id,
        Placement.agreement_date.is_not(None),
        _ended() > rules.placed_cutoff(today),
    )
    return and_(Application.anonymised_at.is_(None), _signed(), ~running)


@dataclass(frozen=True)
class Anonymised:
    """The rows one anonymisation touched, by kind: the counts an audit entry may hold."""

    applications: int = 0
    claims: int = 0
    transitions: int = 0
    emails_cleared: int = 0
    emails_deleted: int = 0
    placements: int = 0
    work_file: int = 0
    filing_rows: int = 0

    def as_detail(self) -> dict[str, int]:
        return dict(vars(self))


def _clear_emails(session: Session, where: ColumnElement[bool]) -> int:
    """Bodies emptied and recipient masked; the row, its subject and times stay as the record that
    it was sent (subjects name a reference and a position, never a person)."""
    values = {"body_text": "", "body_html": "", "recipient": MASKED_RECIPIENT, "last_error": ""}
    return rowcount(session.execute(update(Outbox).where(where).values(**values)))


def anonymise(session: Session, application_ids: Sequence[int], now: dt.datetime) -> Anonymised:
    """Remove the personal data of these applications, keeping what the statistics count.

    Claims go (they hold phone and email, and the person may apply again); history keeps who moved
    the application and when, not the reasons typed; emails about it are cleared, unsent ones
    deleted; the placement keeps dates, allowance, insurer and mentor, the work file its numbers.
    The caller commits. Running it again on the same ids changes nothing but anonymised_at.
    """
    ids = list(application_ids)
    if not ids:
        return Anonymised()
    applications = rowcount(
        session.execute(
            update(Application)
            .where(Application.id.in_(ids))
            .values(
                name=ERASED_NAME,
                phone="",
                email="",
                major="",
                anonymised_at=now,
                **_answers_cleared(),
            )
        )
    )
    claims = rowcount(session.execute(delete(Claim).where(Claim.application_id.in_(ids))))
    transitions = rowcount(
        session.execute(
            update(Transition)
            .where(Transition.application_id.in_(ids), Transition.reason != "")
            .values(reason="")
        )
    )
    mine = Outbox.application_id.in_(ids)
    deleted = rowcount(session.execute(delete(Outbox).where(mine, Outbox.status.in_(UNSENT))))
    cleared = _clear_emails(session, and_(mine, Outbox.recipient != MASKED_RECIPIENT))
    placement_ids = select(Placement.id).where(Placement.application_id.in_(ids)).scalar_subquery()
    placements = rowcount(
        session.execute(
            update(Placement)
            .where(Placement.application_id.in_(ids))
            .values(early_end_reason=None, policy_number=None, **CASE_CLEARED)
        )
    )
    work_file = sum(
        rowcount(session.execute(update(table).where(table.placement_id.in_(placement_ids)).values(**values)))
        for table, values in (
            (Attendance, {"note": ""}),
            (WorkTask, {"title": ERASED_TASK, "delivered": ""}),
            (PerformanceNote, {"text": ""}),
            (Evaluation, {"comment": ""}),
            (InternRating, {"comment": ""}),
            (TrainingPlan, {"goals": "", "teaching": "", "assessment": "", "milestones": {}}),
            (LogEntry, {"did": "", "learned": "", "problems": "", "comment": ""}),
            (FinalReport, {"text": "", "comment": ""}),
        )
    )
    filed = _strike_from_filing(session, ids)
    return Anonymised(applications, claims, transitions, cleared, deleted, placements, work_file, filed)


def _strike_from_filing(session: Session, application_ids: Sequence[int]) -> int:
    """Erase these applications' people from the national filing files the worker keeps."""
    rows = session.execute(
        select(Application.filing_batch_id, Application.reference).where(
            Application.id.in_(application_ids), Application.filing_batch_id.is_not(None)
        )
    ).all()
    by_batch: dict[int, set[str]] = {}
    for batch_id, reference in rows:
        if batch_id is not None and reference:
            by_batch.setdefault(batch_id, set()).add(reference)
    struck = 0
    for batch_id, references in by_batch.items():
        batch = session.get(FilingBatch, batch_id)
        if batch is not None:
            struck += filing.strike(batch, references)
    return struck


def _batches(
    session: Session, key: InstrumentedAttribute[int], where: ColumnElement[bool]
) -> Iterator[list[int]]:
    """The ids of the rows `where` selects, BATCH at a time in id order (keyset paging: never all
    at once, and a row a batch left as it was is not selected again)."""
    last = 0
    while True:
        ids = list(session.scalars(select(key).where(where, key > last).order_by(key).limit(BATCH)))
        if not ids:
            return
        yield ids
        last = ids[-1]


def purge(session: Session, today: dt.date, now: dt.datetime, rules: Rules) -> Report:
    """Anonymise the applications, clear the emails and position reports' contacts whose period ended.

    Commits after every batch, so a long first run holds no lock for long and a crash keeps what
    it did; a second run finds nothing due. `today` is the office's date, `now` naive UTC.
    """
    report = Report()
    for kind, due in (("unplaced", due_unplaced(rules, today)), ("placed", due_placed(rules, today))):
        for ids in _batches(session, Application.id, due):
            report.counts[kind] += anonymise(session, ids, now).applications
            session.commit()
    cutoff = rules.email_cutoff(now)
    sent = and_(Outbox.status == "sent", Outbox.sent_at <= cutoff, Outbox.recipient != MASKED_RECIPIENT)
    for ids in _batches(session, Outbox.id, sent):
        report.counts["email"] += _clear_emails(session, Outbox.id.in_(ids))
        session.commit()
    failed = and_(Outbox.status == "failed", Outbox.created_at <= cutoff)
    for ids in _batches(session, Outbox.id, failed):
        report.counts["email_failed"] += rowcount(session.execute(delete(Outbox).where(Outbox.id.in_(ids))))
        session.commit()
    report.counts["filing"] += clear_filing_files(session)
    report.counts["feedback"] += clear_contacts(session, rules.feedback_cutoff(now))
    session.commit()
    return report


def clear_filing_files(session: Session) -> int:
    """Empty the file of every filing batch whose applications are all anonymised (the row, its
    count and checksum stay as the record of what was filed)."""
    open_member = exists().where(
        Application.filing_batch_id == FilingBatch.id, Application.anonymised_at.is_(None)
    )
    statement = (
        update(FilingBatch)
        .where(func.length(FilingBatch.content) > 0, ~open_member)
        .values(content=b"")
        .execution_options(synchronize_session=False)
    )
    return rowcount(session.execute(statement))


@dataclass(frozen=True)
class Plan:
    """What an erasure request can do for this application today.

    `mode`: "anonymise" (everything goes, as at the end of its period), "keep_for_audit" (a signed
    agreement whose period has not ended: what the HR bureau may audit stays until `kept_until`,
    the rest goes; PIPL art. 47 para 2), or "open" (still being processed: withdraw it first).
    """

    mode: str
    kept_until: dt.date | None = None


def _signed_end(session: Session, application_id: int) -> dt.date | None:
    """When the application's last signed internship ended (or is agreed to end); None unplaced."""
    return session.scalar(
        select(func.max(_ended())).where(
            Placement.application_id == application_id, Placement.agreement_date.is_not(None)
        )
    )


def retention_date(session: Session, application: Application, rules: Rules) -> dt.date | None:
    """The day the daily purge anonymises this application (None once it is anonymised).

    For an internship still running it is counted from the agreed end; ending early brings it forward.
    """
    if application.anonymised_at is not None:
        return None
    ended = _signed_end(session, application.id)
    if ended is not None:
        return rules.placed_deadline(ended)
    return rules.unplaced_deadline(application.programme_year or chongqing_year(application.created_at))


def plan(session: Session, application: Application, today: dt.date, rules: Rules) -> Plan:
    """Decide how an erasure request is met (see Plan)."""
    ended = _signed_end(session, application.id)
    if ended is not None:
        deadline = rules.placed_deadline(ended)
        if application.anonymised_at is None and (application.state not in CLOSED_STATES or deadline > today):
            return Plan("keep_for_audit", deadline)
        return Plan("anonymise")
    if application.anonymised_at is None and application.state not in CLOSED_STATES:
        return Plan("open")
    return Plan("anonymise")


def _clear_digests(session: Session, reference: str) -> int:
    """Clear the sent university digests that list this reference (they belong to no one
    application, so `anonymise` does not find them; the 90-day rule would, this is sooner). One
    still waiting to go out is left to go, then to that rule."""
    listed = and_(
        Outbox.status == "sent",
        Outbox.application_id.is_(None),
        Outbox.key.startswith("digest:"),
        Outbox.body_text.contains(reference, autoescape=True),
    )
    return _clear_emails(session, listed)


def keep_for_audit(session: Session, application_id: int) -> Anonymised:
    """Erase what the HR bureau's audit of the internship does not need, keep the rest.

    Kept until the placed rule anonymises it: name, contact, university, major, degree, graduation,
    status (who the intern was and that they were eligible), the history, the placement and the
    whole work file, and the claims of an application still running. Gone now: the statement, the
    experience details, the priority groups (sensitive), and the emails sent (cleared; failed ones
    deleted). Emails still pending go out: the agreement is still being carried out.
    """
    applications = rowcount(
        session.execute(
            update(Application).where(Application.id == application_id).values(**_answers_cleared())
        )
    )
    # The summary evaluation and 成果展示 publish a typical case: a person asking to be erased is not one.
    session.execute(
        update(Placement).where(Placement.application_id == application_id).values(**CASE_CLEARED)
    )
    mine = Outbox.application_id == application_id
    deleted = rowcount(session.execute(delete(Outbox).where(mine, Outbox.status == "failed")))
    cleared = _clear_emails(
        session, and_(mine, Outbox.status.in_(("sent", "sending")), Outbox.recipient != MASKED_RECIPIENT)
    )
    filed = _strike_from_filing(session, [application_id])
    return Anonymised(applications, emails_cleared=cleared, emails_deleted=deleted, filing_rows=filed)


@dataclass(frozen=True)
class Erasure:
    plan: Plan
    done: Anonymised


def erase(
    session: Session, application: Application, today: dt.date, now: dt.datetime, rules: Rules
) -> Erasure:
    """Meet an erasure request as `plan` decides; the caller records the audit entry and commits.

    An open application is left alone (mode "open"): withdrawing it first releases its places and
    tells the units through the usual transition. A second request is harmless.
    """
    decided = plan(session, application, today, rules)
    if decided.mode != "open" and application.reference:
        _clear_digests(session, application.reference)
    if decided.mode == "anonymise":
        done = anonymise(session, [application.id], now)
    elif decided.mode == "keep_for_audit":
        done = keep_for_audit(session, application.id)
    else:
        done = Anonymised()
    session.expire(application)
    return Erasure(decided, done)
