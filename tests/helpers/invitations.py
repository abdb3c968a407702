"""The link an invitation email carries."""

import re

from sqlalchemy import select

from form_worker.outbox.models import Outbox


def invitation_link(session, email: str) -> str:
    """The one-time link of the newest invitation sent to email, as a path."""
    row = session.scalar(
        select(Outbox)
        .where(Outbox.recipient == email, Outbox.key.startswith("invite:"))
        .order_by(Outbox.id.desc())
    )
    return re.search(r"http://[^/\s]+(/staff/welcome/\S+)", row.body_text).group(1)
