"""The submission's queued work: publishing an approved one into git, then asking for a rebuild;
deleting the drafts whose link expired."""

from pathlib import Path

from ..core import clock
from ..core.db import sessions
from ..core.queue import app_context, chongqing_crontab, enqueue, huey
from ..outbox.tasks import queue_emails
from ..publishing.forge import Forge
from ..publishing.tasks import publish_now
from . import drafts, publication


@huey.task()
def publish_submission(submission_id: int) -> str:
    """Write, commit and record an approved submission; on success email the unit and rebuild."""
    with app_context() as app, sessions(app)() as session:
        config = app.config
        result = publication.publish(
            session,
            submission_id,
            Path(config["POSITIONS_ROOT"]),
            config["MAIL_FROM"],
            config["CATALOGUE_URL"],
            clock.now(),
            config["PUBLISH_AUTHOR"],
            clock=clock.now_source(),
            invitation=(config["SECRET_KEY"], config["WORKER_URL"]),
            forge=Forge.configured(config),
        )
        if result.status == "published":
            publish_now(app, session)
    queue_emails(result.outbox_ids)
    return result.status


def queue_publication(submission_id: int) -> None:
    """Queue the publishing task after the approval committed; the sweep re-queues a lost one."""
    enqueue(f"the publication of submission {submission_id}", lambda: publish_submission(submission_id))


@huey.periodic_task(chongqing_crontab(hour=1, minute=35))
def purge_drafts() -> int:
    """Daily: drafts not saved again within DRAFT_DAYS go, with the contact details they kept."""
    with app_context() as app, sessions(app)() as session:
        return drafts.purge(session, clock.now())
