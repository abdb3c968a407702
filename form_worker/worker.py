"""The queue consumer's target: `huey_consumer form_worker.worker.huey`.

Importing this module registers every task (each domain's tasks module) and the periodic sweep,
points the queue at the environment's HUEY_URL, and tells tasks to build the app with create_app.
"""

import datetime as dt
import logging

from huey import crontab

from . import create_app
from .applications.intake import services as intake
from .applications.intake.tasks import check_application
from .applications.review import tasks as _review_tasks  # noqa: F401  (registers the daily digest)
from .applications.selection import tasks as _selection_tasks  # noqa: F401  (registers lapses, starts)
from .core import clock, config, logs, queue
from .core.db import sessions
from .core.queue import app_context, huey
from .outbox import services as outbox
from .outbox.tasks import queue_emails
from .publishing import tasks as _publishing_tasks  # noqa: F401  (registers its tasks)
from .retention import tasks as _retention_tasks  # noqa: F401  (registers its daily purge)
from .showcase import tasks as _showcase_tasks  # noqa: F401  (registers the showcase's publishing)
from .submissions import publication
from .submissions.tasks import publish_submission
from .units import tasks as _units_tasks  # noqa: F401  (registers the confirmations' write)

logger = logging.getLogger(__name__)

logs.install()
queue.use(str(config.load()["HUEY_URL"]))
queue.set_app_factory(create_app)


@huey.on_startup()
def _sweep_on_start() -> None:
    sweep.call_local()


@huey.periodic_task(crontab(minute="*"))
def sweep() -> int:
    """Re-queue what a lost task left behind: unchecked applications, unpublished approvals, emails.

    An unchecked application's check sends its emails itself, so those are not queued twice.
    """
    with app_context() as app, sessions(app)() as session:
        now = clock.now()
        stale = now - dt.timedelta(seconds=app.config["OUTBOX_CLAIM_TIMEOUT"])
        stuck = publication.stuck(session, now)
        unchecked = intake.unchecked(session, stale)
        ids = outbox.due(session, now, app.config["OUTBOX_CLAIM_TIMEOUT"], unchecked)
    for submission_id in stuck:
        publish_submission(submission_id)
    for application_id in unchecked:
        check_application(application_id)
    queue_emails(ids)
    total = len(ids) + len(unchecked) + len(stuck)
    if total:
        logger.info(
            "sweep re-queued %s emails, %s applications, %s publications",
            len(ids),
            len(unchecked),
            len(stuck),
        )
    return total
