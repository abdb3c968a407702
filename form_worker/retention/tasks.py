"""The daily retention purge, and the one audit entry that says what it did."""

from ..accounts import audit
from ..core import clock
from ..core.db import sessions
from ..core.queue import app_context, chongqing_crontab, huey
from . import rules, services

# Who the audit log names for what the system does on its own.
SYSTEM_ACTOR = "系统"


# At night, after the drafts purge (01:35), when no one is working on the applications it anonymises.
@huey.periodic_task(chongqing_crontab(hour=2, minute=50))
def purge_personal_data() -> dict[str, int]:
    """Daily: anonymise and clear what the retention rules say is due; log the counts, no names."""
    with app_context() as app, sessions(app)() as session:
        report = services.purge(session, clock.today(), clock.now(), rules.from_config(app.config))
        counts = report.as_detail()
        audit.record(session, SYSTEM_ACTOR, "retention_purge", "retention", **counts)
        session.commit()
    return counts
