"""The daily digest to university accounts: their students' applications that arrived in the
recommendation queue since the last digest (listed, up to LISTED), and how many wait in all.

Sent only when something new arrived, at most once a day per account (the outbox key names the
day, so a second run the same day adds nothing).
"""

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from site_builder.clock import beijing_time

from ...accounts.models import Account
from ...outbox import services as outbox
from ...outbox.models import Outbox
from ..models import Application, Transition

# The digest names at most this many of the new applications; the work list has them all.
LISTED = 50


def send_digests(session: Session, now: dt.datetime, worker_url: str, mail_from: str) -> list[int]:
    """Stage each university account's digest and commit; the outbox ids to send."""
    users = list(
        session.scalars(
            select(Account).where(Account.role == "university", Account.active.is_(True), Account.email != "")
        )
    )
    day = beijing_time(now).date().isoformat()
    ids = []
    for user in users:
        waiting = session.scalar(
            select(func.count())
            .select_from(Application)
            .where(Application.university == user.university, Application.state == "checked")
        )
        new_query = (
            select(func.count(func.distinct(Application.id)))
            .select_from(Application)
            .join(Transition, Transition.application_id == Application.id)
            .where(
                Application.university == user.university,
                Application.state == "checked",
                Transition.to_state == "checked",
            )
        )
        if user.digest_at is not None:
            new_query = new_query.where(Transition.at > user.digest_at)
        new = session.scalar(new_query) or 0
        if not new:
            continue
        listed = session.execute(
            new_query.with_only_columns(Application.reference, Application.name, Application.major)
            .distinct()
            .order_by(Application.reference)
            .limit(LISTED)
        ).all()
        key = f"digest:{user.id}:{day}"
        if session.scalar(select(Outbox.id).where(Outbox.key == key)) is not None:
            continue
        row = outbox.add(
            session,
            key,
            user.email,
            "university_digest",
            mail_from,
            user=user,
            university=user.university,
            new=new,
            waiting=waiting,
            listed=listed,
            more=new - len(listed),
            link=f"{worker_url.rstrip('/')}/staff/university/",
        )
        user.digest_at = now
        session.flush()
        ids.append(row.id)
    session.commit()
    return ids
