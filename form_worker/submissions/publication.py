"""Publishing an approved submission: the publish_submission task writes and commits its files
and records `published` with the commit, or `publish_failed` with the reason, which staff can
retry (approval.py is the request's side).
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from site_builder.model.catalogue import UNIT_FILE, validate_document
from site_builder.model.loader import read_document
from site_builder.model.schema import Contact, Unit

from ..accounts import handover, invitations
from ..core.clock import utcnow
from ..core.db import rowcount
from ..core.heartbeat import heartbeat
from ..core.logs import masked
from ..outbox import services as outbox
from ..publishing.checks import PublishError
from ..publishing.files import write_submission
from ..publishing.forge import Forge
from ..publishing.git import DEFAULT_AUTHOR, GitError
from ..publishing.lock import RepositoryUnavailable
from .folders import positions_of, target_folder, to_write, unit_of
from .models import Submission
from .services import SYSTEM_ACTOR, add_event

logger = logging.getLogger(__name__)


# Far longer than any publication takes (a commit waits at most seconds for the publishing lock).
# A publishing task renews its submission's updated_at every third of this while it runs, so a
# submission `publishing` for longer has lost its task: the next sweep (every minute) queues it again.
PUBLISH_TIMEOUT = dt.timedelta(seconds=45)


def contact_on_record(repo: Path, folder: str) -> Contact | None:
    """The contact of the unit as its published file names it, before this submission is written."""
    path = repo / "positions" / folder / UNIT_FILE
    if not path.is_file():
        return None
    published, _ = validate_document(read_document(str(path), path.read_bytes()), Unit)
    return published.contact if published is not None else None


@dataclass(frozen=True)
class Publication:
    """What a run of the publishing task did: published (with the unit's email), failed or skipped."""

    status: str
    outbox_ids: tuple[int, ...] = ()


def publish(
    session: Session,
    submission_id: int,
    repo: Path,
    mail_from: str,
    catalogue_url: str,
    now: dt.datetime,
    author: str = DEFAULT_AUTHOR,
    timeout: dt.timedelta = PUBLISH_TIMEOUT,
    clock: Callable[[], dt.datetime] = utcnow,
    invitation: tuple[str, str] | None = None,
    forge: Forge | None = None,
) -> Publication:
    """Write and commit a `publishing` submission, then record the outcome; safe to run twice.

    A second run finds the files already committed (write_submission names the earlier commit)
    and loses the conditional UPDATE, so nothing is written or emailed twice. While it writes, it
    keeps the submission's claim fresh (core.heartbeat), so the sweep queues it again only once
    this task is gone. With `invitation` (SECRET_KEY, WORKER_URL), a unit published for the first
    time gets its contact's account and the link to set a password. `clock` stamps the claim and
    the outcome when they happen; the task passes the configured clock (the default, the wall
    clock, serves callers without an app). With a `forge`, the commit lands on its branch
    (publishing.forge): a conflict there or a forge that is down ends in publish_failed with why.
    """
    submission = session.get(Submission, submission_id)
    if submission is None or submission.state != "publishing":
        return Publication("skipped")
    unit = unit_of(submission)
    claim = update(Submission).where(Submission.id == submission_id, Submission.state == "publishing")
    try:
        with heartbeat(session, timeout.total_seconds(), lambda: claim.values(updated_at=clock())):
            folder = target_folder(repo, submission, unit)
            on_record = contact_on_record(repo, folder)
            sha = write_submission(
                repo,
                folder,
                unit,
                to_write(repo, folder, submission),
                submission.reference or "",
                submission.approved_by or SYSTEM_ACTOR,
                now,
                author,
                publish_id=submission.publish_id,
                forge=forge,
            )
    except (PublishError, GitError, RepositoryUnavailable) as failure:
        logger.warning("publishing %s failed: %s", submission.reference, failure)
        return _failed(session, submission, str(failure), clock)
    if not _finish(
        session,
        submission,
        "published",
        clock,
        commit=sha,
        unit_slug=folder,
        is_edit=submission.is_edit or folder != submission.unit_slug,
    ):
        return Publication("skipped")
    event = add_event(session, submission, "publishing", "published", SYSTEM_ACTOR, sha)
    # The unit's account goes to the contact on record, not to an address an edit from outside
    # names (issue 21): the unit's own logged-in account may move it; else the office does.
    holder = unit.contact
    if (
        on_record is not None
        and on_record.email.lower() != unit.contact.email.lower()
        and not submission.submitted_by
    ):
        holder = on_record
    row = outbox.add(
        session,
        f"submission:{submission.id}:{event.id}:approved",
        unit.contact.email,
        "submission_approved",
        mail_from,
        submission=submission,
        unit=unit,
        positions=[p for _, p in positions_of(submission)],
        unit_url=f"{catalogue_url.rstrip('/')}/units/{folder}/",
        account_kept_by=masked(holder.email) if holder is not unit.contact else "",
    )
    rows = [row]
    if invitation is not None:
        secret, worker_url = invitation
        invited = invitations.ensure_unit_account(
            session, folder, holder.name, holder.email, secret, worker_url, mail_from, unit.name
        )
        rows += [invited] if invited is not None else []
        if holder is not unit.contact:  # the holder may hand the account to the new contact
            rows += handover.offer(
                session,
                folder,
                unit.contact.email,
                unit.contact.name,
                secret,
                worker_url,
                mail_from,
                unit.name,
            )
    session.commit()
    return Publication("published", tuple(r.id for r in rows))


def _failed(
    session: Session, submission: Submission, reason: str, clock: Callable[[], dt.datetime]
) -> Publication:
    if not _finish(session, submission, "publish_failed", clock, publish_error=reason[:4000]):
        return Publication("skipped")
    add_event(session, submission, "publishing", "publish_failed", SYSTEM_ACTOR, reason[:4000])
    session.commit()
    return Publication("failed")


def _finish(
    session: Session,
    submission: Submission,
    to_state: str,
    clock: Callable[[], dt.datetime],
    **values: object,
) -> bool:
    """Move publishing → to_state with values, unless another run already did."""
    moved = rowcount(
        session.execute(
            update(Submission)
            .where(Submission.id == submission.id, Submission.state == "publishing")
            .values(state=to_state, updated_at=clock(), **values)
            .execution_options(synchronize_session=False)
        )
    )
    if not moved:
        session.rollback()
        return False
    session.refresh(submission)
    return True


def stuck(session: Session, now: dt.datetime, timeout: dt.timedelta = PUBLISH_TIMEOUT) -> list[int]:
    """Submissions left `publishing` longer than timeout (their task was lost); marked as seen now.

    The caller queues their publishing task again, which is safe: a run after a commit that reached
    git records it without writing anything.
    """
    ids = list(
        session.scalars(
            select(Submission.id).where(
                Submission.state == "publishing", Submission.updated_at < now - timeout
            )
        )
    )
    if ids:
        session.execute(
            update(Submission)
            .where(Submission.id.in_(ids))
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return ids
