"""Letting time pass for the queue in a test: the retries it would run by then."""

import datetime as dt

from form_worker.core import queue
from form_worker.core.models import utcnow
from tests.form_worker.conftest import drain


def run_scheduled(app, seconds: float) -> list[object]:
    """Let `seconds` pass for the queue: run the retries due by then, as the scheduler would."""
    later = utcnow() + dt.timedelta(seconds=seconds)
    clock = app.config["UTCNOW"]
    app.config["UTCNOW"] = lambda: later
    try:
        with app.app_context():
            results = [queue.huey.execute(task, later) for task in queue.huey.read_schedule(later)]
        return results + drain(app)
    finally:
        app.config["UTCNOW"] = clock
