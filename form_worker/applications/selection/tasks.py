"""Selection's periodic work: offers past their deadline lapse, candidates are reminded of their
interviews, agreed internships start, and positions whose places are all signed are marked 已招满
in their files."""

from pathlib import Path

from huey import crontab

from ...catalogue.positions import current_positions
from ...core import clock
from ...core.db import sessions
from ...core.queue import app_context, chongqing_crontab, huey
from ...outbox.tasks import queue_emails
from ...publishing.files import marked_filled_by_worker, set_statuses
from ...publishing.forge import Forge
from ...publishing.tasks import publish_now
from .. import services
from . import agreements, answers, filled, interviews, offers


@huey.periodic_task(crontab(minute="7"))
def lapse_offers() -> list[int]:
    """Hourly: offers past their deadline lapse, freeing the place; student and unit are told."""
    with app_context() as app, sessions(app)() as session:
        released = answers.lapse_due(session, clock.now(), offers.Mail.of(app.config), current_positions())
        ids = services.pending_emails(session, *released)
    queue_emails(ids)
    return released


@huey.periodic_task(crontab(minute="37"))
def remind_interviews() -> list[int]:
    """Hourly: a reminder to each candidate whose interview starts within a day, once."""
    with app_context() as app, sessions(app)() as session:
        ids = interviews.remind_due(session, clock.now(), offers.Mail.of(app.config), current_positions())
        session.commit()
    queue_emails(ids)
    return ids


@huey.periodic_task(chongqing_crontab(hour=0, minute=20))
def start_placements() -> list[int]:
    """Daily: placements whose agreed start date has come become active."""
    with app_context() as app, sessions(app)() as session:
        started = agreements.start_due(session, clock.today(), app.config["MAIL_FROM"], current_positions())
        ids = services.pending_emails(session, *started)
    queue_emails(ids)
    return started


@huey.periodic_task(crontab(minute="*"))
def reflect_filled_positions() -> list[str]:
    """Each minute (and at once after an agreement is recorded): positions whose places are all
    signed become 已招满 in their files, and open again when a place frees before the start; the
    catalogue is rebuilt when any changed."""
    with app_context() as app, sessions(app)() as session:
        repo = Path(app.config["POSITIONS_ROOT"])
        # A unit's own 已招满 would be a candidate to reopen every minute: it is left out here, before
        # the lock, the pull and the load; set_statuses asks again of the files as just pulled.
        changes = [
            c
            for c in filled.status_changes(session, current_positions(), clock.today())
            if c.status == "filled" or marked_filled_by_worker(repo, c.path)
        ]
        if not changes:
            return []
        changed = set_statuses(
            repo,
            [(c.position_id, c.status, c.reason) for c in changes],
            clock.now(),
            app.config["PUBLISH_AUTHOR"],
            Forge.configured(app.config),
        )
        if changed:
            publish_now(app, session)
    return changed
