"""Confirmations written into the files: a unit a bureau confirmed becomes `approved` in its
unit.yaml, so the catalogue drops its 见习单位认定中 mark (and a pull request sees it too)."""

import logging
from pathlib import Path

from huey import crontab
from sqlalchemy import select

from ..core import clock
from ..core.db import sessions
from ..core.queue import app_context, enqueue, huey
from ..publishing.files import confirm_unit
from ..publishing.forge import Forge
from ..publishing.tasks import publish_now
from .models import UnitConfirmation

logger = logging.getLogger(__name__)


def request_publishing() -> None:
    """Queue the write at once (the ten-minute sweep catches one whose task was lost)."""
    enqueue("writing a unit's confirmation", publish_confirmations)


@huey.periodic_task(crontab(minute="*/10"))
def publish_confirmations() -> list[str]:
    """Write every confirmation not yet in the files, one commit each; return the units written."""
    written: list[str] = []
    with app_context() as app, sessions(app)() as session:
        due = session.scalars(
            select(UnitConfirmation)
            .where(UnitConfirmation.outcome == "confirmed", UnitConfirmation.published_sha == "")
            .order_by(UnitConfirmation.id)
        )
        for row in list(due):
            assert row.decided_on is not None  # nosec B101  # a confirmation always has its date
            try:
                sha = confirm_unit(
                    Path(app.config["POSITIONS_ROOT"]),
                    row.unit,
                    row.decided_on,
                    row.document,
                    row.id,
                    clock.now(),
                    app.config["PUBLISH_AUTHOR"],
                    Forge.configured(app.config),
                )
            except Exception:
                logger.exception("could not write the confirmation of %s; the sweep tries again", row.unit)
                continue
            # "" when the file already said approved: nothing to write, nothing to try again.
            row.published_sha = sha or "-"
            session.commit()
            if sha:
                written.append(row.unit)
        if written:
            publish_now(app, session)
    return written
