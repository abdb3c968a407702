"""The showcase's queued work: write the approved cases and figures into showcase/ (one commit,
publishing.showcase), then publish the catalogue as every publishing commit does.

Queued after each approval, withdrawal and consent; every ten minutes the periodic run catches
anything else that changed what may be shown (a lost task, an erasure, retention, an intern who
left) and commits only when the files differ.
"""

import logging
from pathlib import Path

from flask import Flask
from huey import crontab

from ..catalogue.positions import current_positions
from ..core import clock
from ..core.db import sessions
from ..core.queue import app_context, enqueue, huey
from ..publishing.forge import Forge
from ..publishing.showcase import pending, write_showcase
from ..publishing.tasks import publish_now
from . import figures, services

logger = logging.getLogger(__name__)


def _wanted(app: Flask) -> tuple[dict[str, str], dict[str, str]]:
    """The cases and the figures the page should show now (path -> YAML)."""
    with sessions(app)() as session:
        positions = current_positions()
        return services.case_files(session, positions), figures.figures_files(session)


def _publish(app: Flask, actor: str) -> str | None:
    cases, years = _wanted(app)
    sha = write_showcase(
        Path(app.config["POSITIONS_ROOT"]),
        cases,
        years,
        actor,
        clock.now(),
        author=app.config["PUBLISH_AUTHOR"],
        forge=Forge.configured(app.config),
    )
    if sha:
        with sessions(app)() as session:
            publish_now(app, session)
    return sha


@huey.task(retries=3, retry_delay=60)
def publish_showcase() -> str | None:
    """Commit the showcase as the database has it now; return the commit, None when unchanged."""
    with app_context() as app:
        return _publish(app, "成果展示发布任务")


def queue_showcase() -> None:
    """Queue the publishing after the change committed; the periodic run catches a lost one."""
    enqueue("the showcase's publishing", publish_showcase)


@huey.periodic_task(crontab(minute="*/10"))
def publish_showcase_if_changed() -> bool:
    """Every ten minutes: publish when the files differ from what the database allows now."""
    with app_context() as app:
        write, remove = pending(Path(app.config["POSITIONS_ROOT"]), *_wanted(app))
        if not write and not remove:
            return False
        _publish(app, "成果展示定时检查")
    return True
