"""Position submissions of host units (the online 岗位征集表): record, resubmit, review, publish.

Views and tasks call these functions with a session. Like applications, a submission and every
email it causes are committed in one transaction; the caller then queues the emails.

What a Submission row holds (the publishing path reads it back with publish.submission_positions):

- `unit_data`: the Unit as JSON (`model_dump(mode="json", exclude_none=True)`).
- `positions_data`: a list of Position dicts in the same form. A position that edits a published
  file of the unit also carries `"_slug"` (publish.SLUG_KEY): that file's name without `.yaml`, in
  `positions/<unit_slug>/`. A position without it becomes a new file. Published positions that a
  submission does not mention are left as they are; a unit closes one by sending it with status
  closed or filled.
- `unit_slug` and `is_edit`: the folder the approval writes into. A unit whose credit code already
  owns a folder edits that folder (is_edit); a new unit gets a folder named after its website or,
  failing that, its credit code.

States: submitted → approved | rejected, or → changes_requested → (the unit resubmits) submitted.
While an approval writes to git the row is briefly `publishing`: claiming that state with a
conditional UPDATE is what stops two staff members publishing, answering or rejecting one
submission twice.
"""

import datetime as dt
import difflib
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from markupsafe import Markup
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from site_builder.model.catalogue import (
    SLUG,
    UNIT_FILE,
    Catalogue,
    PositionEntry,
    UnitEntry,
    validate_document,
)
from site_builder.model.loader import read_document
from site_builder.model.schema import Position, Unit
from site_builder.model.writer import unit_files
from site_builder.pages import PageRenderer, Site

from . import audit, outbox, publish
from .catalogue import Offer
from .models import StaffUser, Submission, SubmissionEvent, utcnow

logger = logging.getLogger(__name__)

SLUG_KEY = publish.SLUG_KEY
# Far longer than any approval takes (a commit waits at most seconds for the publishing lock).
PUBLISH_TIMEOUT = dt.timedelta(minutes=10)

STATE_LABELS = {
    "submitted": "待审核",
    "publishing": "发布中",
    "changes_requested": "待单位修改",
    "approved": "已通过并发布",
    "rejected": "未通过",
}
SOURCE_LABELS = {"form": "网上填报", "xlsx": "上传征集表"}
UNIT_ACTOR = "设岗单位"


class Refused(Exception):
    """The submission is no longer in a state that allows this; the message is Chinese."""


@dataclass(frozen=True)
class Draft:
    """A unit and its positions as validated from the form or a spreadsheet, not yet stored."""

    unit: Unit
    positions: list[tuple[str | None, Position]]
    unit_slug: str
    is_edit: bool
    source: str = "form"

    def unit_data(self) -> dict:
        return self.unit.model_dump(mode="json", exclude_none=True)

    def positions_data(self) -> list[dict]:
        result = []
        for slug, position in self.positions:
            data = position.model_dump(mode="json", exclude_none=True)
            if slug:
                data[SLUG_KEY] = slug
            result.append(data)
        return result


def reference(submission_id: int, year: int) -> str:
    return f"DW{year}-{submission_id:06d}"


def existing_unit(offer: Offer, credit_code: str) -> UnitEntry | None:
    """The published unit with this credit code, if the catalogue has one."""
    code = credit_code.strip().upper()
    for entry in offer.catalogue.units.values():
        if entry.unit.credit_code.upper() == code:
            return entry
    return None


def published_positions(offer: Offer, unit_slug: str) -> dict[str, PositionEntry]:
    """The unit's published positions by file name (slug)."""
    return {e.slug: e for e in offer.catalogue.positions if e.unit_slug == unit_slug}


def new_unit_slug(unit: Unit, taken: Iterable[str]) -> str:
    """A folder name for a unit not yet in the catalogue: its website's host, else its credit code.

    Names are Chinese, so they give no ASCII name; the credit code is unique by law.
    """
    used = set(taken)
    if unit.website:
        host = (urlsplit(unit.website).hostname or "").removeprefix("www.")
        candidate = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")
        if candidate and SLUG.fullmatch(candidate) and candidate not in used and len(candidate) <= 60:
            return candidate
    return f"unit-{unit.credit_code.lower()}"


def folder_for(offer: Offer, root: Path, unit: Unit) -> tuple[str, bool]:
    """The folder a unit's submission writes into, and whether that folder already exists."""
    entry = existing_unit(offer, unit.credit_code)
    if entry is not None:
        return entry.slug, True
    folders = {p.name for p in (root / "positions").iterdir()} if (root / "positions").is_dir() else set()
    return new_unit_slug(unit, folders | set(offer.catalogue.units)), False


def staff_recipients(session: Session) -> list[StaffUser]:
    query = select(StaffUser).where(StaffUser.active.is_(True), StaffUser.email != "").order_by(StaffUser.id)
    return list(session.scalars(query))


def positions_of(submission: Submission) -> list[tuple[str | None, Position]]:
    return publish.submission_positions(submission.positions_data)


def unit_of(submission: Submission) -> Unit:
    return Unit.model_validate(submission.unit_data)


def _event(
    session: Session,
    submission: Submission,
    from_state: str | None,
    to_state: str,
    actor: str,
    reason: str = "",
) -> SubmissionEvent:
    event = SubmissionEvent(
        submission_id=submission.id, from_state=from_state, to_state=to_state, actor=actor, reason=reason
    )
    session.add(event)
    session.flush()
    return event


def _receipts(
    session: Session,
    submission: Submission,
    event: SubmissionEvent,
    mail_from: str,
    staff_url: str,
    resubmitted: bool,
) -> list:
    """One email to the unit's contact and one to every active staff member with an address."""
    unit = unit_of(submission)
    positions = [p for _, p in positions_of(submission)]
    context = {"submission": submission, "unit": unit, "positions": positions, "resubmitted": resubmitted}
    rows = [
        outbox.add(
            session,
            f"submission:{submission.id}:{event.id}:unit",
            unit.contact.email,
            "submission_received",
            mail_from,
            **context,
        )
    ]
    for member in staff_recipients(session):
        rows.append(
            outbox.add(
                session,
                f"submission:{submission.id}:{event.id}:staff:{member.id}",
                member.email,
                "submission_staff",
                mail_from,
                staff_url=staff_url,
                **context,
            )
        )
    return rows


def record(
    session: Session, draft: Draft, year: int, mail_from: str, staff_url: str
) -> tuple[Submission, list[int]]:
    """Store a new submission with its receipts in one commit; return it and the outbox ids.

    staff_url is the address of the staff detail page with `{id}` where the id goes.
    """
    submission = Submission(
        state="submitted",
        source=draft.source,
        unit_slug=draft.unit_slug,
        is_edit=draft.is_edit,
        unit_data=draft.unit_data(),
        positions_data=draft.positions_data(),
        token=secrets.token_urlsafe(32),
    )
    session.add(submission)
    session.flush()
    submission.reference = reference(submission.id, year)
    event = _event(session, submission, None, "submitted", UNIT_ACTOR)
    rows = _receipts(session, submission, event, mail_from, staff_url.format(id=submission.id), False)
    session.commit()
    return submission, [row.id for row in rows]


def by_token(session: Session, token: str) -> Submission | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(select(Submission).where(Submission.token == token))


def _claim(session: Session, submission: Submission, from_states: tuple[str, ...], to_state: str) -> str:
    """Move the row from one of from_states to to_state only if no one moved it first; return the old state.

    The UPDATE is conditional on the state, so of two requests acting at once exactly one wins.
    """
    current = session.scalar(select(Submission.state).where(Submission.id == submission.id))
    claimed = session.execute(
        update(Submission)
        .where(Submission.id == submission.id, Submission.state.in_(from_states))
        .values(state=to_state, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        session.rollback()
        session.refresh(submission)
        state = STATE_LABELS.get(submission.state, submission.state)
        raise Refused(f"申报 {submission.reference} 已被他人处理，当前状态为“{state}”，本次操作没有执行。")
    submission.state = to_state
    return current or from_states[0]


def resubmit(
    session: Session, submission: Submission, draft: Draft, mail_from: str, staff_url: str
) -> list[int]:
    """The unit's corrected submission replaces the data of the same row, back in the review queue."""
    before = _claim(session, submission, ("changes_requested",), "submitted")
    submission.unit_data = draft.unit_data()
    submission.positions_data = draft.positions_data()
    submission.unit_slug, submission.is_edit, submission.source = draft.unit_slug, draft.is_edit, draft.source
    event = _event(session, submission, before, "submitted", UNIT_ACTOR, "单位修改后重新提交")
    rows = _receipts(session, submission, event, mail_from, staff_url.format(id=submission.id), True)
    session.commit()
    return [row.id for row in rows]


def _answer(
    session: Session,
    submission: Submission,
    from_states: tuple[str, ...],
    to_state: str,
    staff: str,
    staff_name: str,
    mail_from: str,
    mail_kind: str,
    **words: str,
) -> list[int]:
    """Move the submission on with staff's words (message or reason), email the unit, audit it."""
    text = next(iter(words.values()))
    before = _claim(session, submission, from_states, to_state)
    submission.message = text
    event = _event(session, submission, before, to_state, staff_name, text)
    unit = unit_of(submission)
    row = outbox.add(
        session,
        f"submission:{submission.id}:{event.id}:{mail_kind.removeprefix('submission_')}",
        unit.contact.email,
        mail_kind,
        mail_from,
        submission=submission,
        unit=unit,
        **words,
    )
    detail = {key: value for key, value in words.items() if key in ("message", "reason")}
    audit.record(session, staff, f"submission_{to_state}", submission.reference or "", **detail)
    session.commit()
    return [row.id]


def request_changes(
    session: Session,
    submission: Submission,
    staff: str,
    staff_name: str,
    message: str,
    mail_from: str,
    resubmit_url: str,
) -> list[int]:
    """Send the submission back to the unit with staff's message and the link to correct it."""
    return _answer(
        session,
        submission,
        ("submitted",),
        "changes_requested",
        staff,
        staff_name,
        mail_from,
        "submission_changes",
        message=message,
        resubmit_url=resubmit_url,
    )


def reject(
    session: Session, submission: Submission, staff: str, staff_name: str, reason: str, mail_from: str
) -> list[int]:
    return _answer(
        session,
        submission,
        ("submitted", "changes_requested"),
        "rejected",
        staff,
        staff_name,
        mail_from,
        "submission_rejected",
        reason=reason,
    )


def _unchanged(repo: Path, unit_slug: str, slug: str, position: Position) -> bool:
    path = repo / "positions" / unit_slug / f"{slug}.yaml"
    if not path.is_file():
        return False
    published, _ = validate_document(read_document(str(path), path.read_bytes()), Position)
    return published == position


def to_write(repo: Path, unit_slug: str, submission: Submission) -> list[tuple[str | None, Position]]:
    """The positions that change something: a unit that edited one of its loaded positions does not
    rewrite the others."""
    return [
        (slug, p)
        for slug, p in positions_of(submission)
        if not (slug and _unchanged(repo, unit_slug, slug, p))
    ]


def _target_folder(repo: Path, submission: Submission, unit: Unit) -> str:
    """The stored folder, unless it has meanwhile gone to another unit or the code found its own folder."""
    from site_builder.model.writer import find_unit_folder

    owner = find_unit_folder(repo, unit.credit_code.upper())
    if owner is not None:
        return owner
    existing = repo / "positions" / submission.unit_slug / UNIT_FILE
    if not existing.is_file():
        return submission.unit_slug
    taken = {p.name for p in (repo / "positions").iterdir()}
    return new_unit_slug(unit, taken)


def approve(
    session: Session,
    submission: Submission,
    staff: str,
    staff_name: str,
    repo: Path,
    mail_from: str,
    catalogue_url: str,
    now: dt.datetime,
    author: str = publish.DEFAULT_AUTHOR,
) -> list[int]:
    """Publish the submission into the git working copy at repo, then record the approval.

    Raises Refused when someone else acted first, publish.PublishError (nothing written, state
    back to submitted) when the validator refuses the files.
    """
    _claim(session, submission, ("submitted",), "publishing")
    session.commit()
    try:
        unit = unit_of(submission)
        unit_slug = _target_folder(repo, submission, unit)
        sha = publish.write_submission(
            repo,
            unit_slug,
            unit,
            to_write(repo, unit_slug, submission),
            submission.reference or "",
            staff_name,
            now,
            author,
        )
    except BaseException:
        session.execute(
            update(Submission)
            .where(Submission.id == submission.id, Submission.state == "publishing")
            .values(state="submitted")
            .execution_options(synchronize_session=False)
        )
        session.commit()
        submission.state = "submitted"
        raise
    submission.is_edit = submission.is_edit or unit_slug != submission.unit_slug
    submission.state, submission.commit, submission.unit_slug = "approved", sha, unit_slug
    event = _event(session, submission, "submitted", "approved", staff_name)
    row = outbox.add(
        session,
        f"submission:{submission.id}:{event.id}:approved",
        unit.contact.email,
        "submission_approved",
        mail_from,
        submission=submission,
        unit=unit,
        positions=[p for _, p in positions_of(submission)],
        unit_url=f"{catalogue_url.rstrip('/')}/units/{unit_slug}/",
    )
    audit.record(
        session, staff, "submission_approved", submission.reference or "", commit=sha, folder=unit_slug
    )
    session.commit()
    return [row.id]


def release_stuck(session: Session, now: dt.datetime, timeout: dt.timedelta = PUBLISH_TIMEOUT) -> int:
    """Put back in the queue submissions left "publishing" by a worker that died mid-approval.

    Safe because publishing is idempotent: approving again commits nothing new if the first attempt
    already reached git, and records the approval this time.
    """
    released = session.execute(
        update(Submission)
        .where(Submission.state == "publishing", Submission.updated_at < now - timeout)
        .values(state="submitted", updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return released


def enqueue_emails(outbox_ids: list[int]) -> None:
    """Queue the stored emails; if the queue is down the periodic sweep sends them later."""
    from .tasks import send_email

    try:
        for outbox_id in outbox_ids:
            send_email(outbox_id)
    except Exception:
        logger.exception("could not queue emails %s; the sweeper will", outbox_ids)


# --- what staff see ------------------------------------------------------------------------------


def preview(
    submission: Submission, site_url: str, worker_url: str, today: dt.date
) -> list[tuple[str, Markup]]:
    """Each position rendered with the catalogue's own page template, as it would be published.

    The template autoescapes every field, so the HTML can go into the staff page as it is.
    """
    unit = unit_of(submission)
    slug = submission.unit_slug
    catalogue = Catalogue(units={slug: UnitEntry(slug, f"positions/{slug}/{UNIT_FILE}", unit)})
    for number, (file_slug, position) in enumerate(positions_of(submission), start=1):
        name = file_slug or f"new-{number}"
        catalogue.positions.append(
            PositionEntry(f"{slug}/{name}", name, slug, f"positions/{slug}/{name}.yaml", position)
        )
    renderer = PageRenderer(catalogue, Site(site_url=site_url, worker_url=worker_url, today=today))
    return [(e.position.title, Markup(renderer.position(e).body)) for e in catalogue.positions]


@dataclass(frozen=True)
class FileDiff:
    path: str
    new: bool
    lines: list[str]


def diff(submission: Submission, repo: Path) -> list[FileDiff]:
    """What approving would change in the repository: a unified diff per file it would write."""
    unit = unit_of(submission)
    unit_slug = _target_folder(repo, submission, unit)
    files = unit_files(repo, unit_slug, unit, to_write(repo, unit_slug, submission))
    result = []
    for relative, text in files.items():
        current = repo / relative
        old = current.read_text(encoding="utf-8") if current.is_file() else ""
        lines = list(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"a/{relative}" if current.is_file() else "/dev/null",
                tofile=f"b/{relative}",
            )
        )
        if lines:
            result.append(FileDiff(relative, not current.is_file(), [line.rstrip("\n") for line in lines]))
    return result
