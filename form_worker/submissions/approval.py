"""Approving a submission, in the staff member's request: a dry run of the files the commit would
write (in memory, nothing written, no git run, no wait for the publisher), then the row moves to
`publishing` and the caller queues the publishing task (publication.py).
"""

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from ..accounts import audit
from ..publishing.checks import PublishError, check_submission
from .folders import target_folder, to_write, unit_of
from .models import Submission
from .services import add_event, claim


def approve(
    session: Session, submission: Submission, staff: str, staff_name: str, repo: Path, now: dt.datetime
) -> None:
    """Check the files the approval would write, then hand the submission to the publishing task.

    Raises PublishError (nothing changes, the submission stays submitted) when the validator refuses
    the files, PublisherBusy while a publication is being written (the request does not wait for
    it), RepositoryUnavailable when the positions folder is no git working copy, Refused when
    someone else acted first. On success the row is `publishing`, the
    approval is audited and committed; the caller queues publish_submission.
    """
    unit = unit_of(submission)
    folder = target_folder(repo, submission, unit)
    problems = check_submission(repo, folder, unit, to_write(repo, folder, submission))
    if problems:
        raise PublishError(problems)
    _start_publishing(session, submission, ("submitted",), staff, staff_name, "submission_approved", now)


def retry(session: Session, submission: Submission, staff: str, staff_name: str, now: dt.datetime) -> None:
    """Send a submission whose publication failed back to the publishing task."""
    _start_publishing(
        session, submission, ("publish_failed",), staff, staff_name, "submission_publish_retry", now
    )


def _start_publishing(
    session: Session,
    submission: Submission,
    from_states: tuple[str, ...],
    staff: str,
    staff_name: str,
    action: str,
    now: dt.datetime,
) -> None:
    before = claim(session, submission, from_states, "publishing", now)
    submission.approved_by, submission.publish_error = staff_name, ""
    add_event(session, submission, before, "publishing", staff_name)
    audit.record(session, staff, action, submission.reference or "", folder=submission.unit_slug)
    session.commit()
