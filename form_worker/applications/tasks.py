"""The queued work every stage shares: an application's pending emails, sent after a move commits."""

from sqlalchemy.orm import Session

from ..outbox.tasks import queue_emails
from . import services


def queue_application_emails(session: Session, *application_ids: int) -> None:
    """Queue the applications' pending emails after someone moved them and committed."""
    queue_emails(services.pending_emails(session, *application_ids))
