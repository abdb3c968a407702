"""Offers: a unit (or the office) offers a place with a deadline, and who hears of it.

The student's answer, and the lapse of an offer not answered in time, are in answers.py.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from site_builder.clock import local_time

from ...accounts.models import Account
from ...catalogue.positions import Positions
from ...outbox import services as outbox
from .. import placements, services
from ..models import Application, Placement, Transition
from ..states import CHOICE_OUTCOMES

DEFAULT_DAYS = 7
MAX_DAYS = 30
SYSTEM = "系统"
_SALT = "jianxi.offer"


@dataclass(frozen=True)
class Mail:
    """What the emails of this module need from the configuration."""

    mail_from: str
    worker_url: str
    secret: str

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> "Mail":
        """From the app's configuration (a view's current_app.config, a task's app.config)."""
        return cls(config["MAIL_FROM"], config["WORKER_URL"], config["SECRET_KEY"])

    def url(self, path: str) -> str:
        return f"{self.worker_url.rstrip('/')}{path}"


def token(placement: Placement, secret: str) -> str:
    """The answer link's token: the application and the placement it offers (a new offer after a
    decline is another placement, so an old link never answers it)."""
    return URLSafeSerializer(secret, salt=_SALT).dumps([placement.application_id, placement.id])


def from_token(session: Session, value: str, secret: str) -> tuple[Application, Placement] | None:
    try:
        data = URLSafeSerializer(secret, salt=_SALT).loads(value)
    except BadSignature:
        return None
    if not (isinstance(data, list) and len(data) == 2 and all(isinstance(n, int) for n in data)):
        return None
    application, placement = session.get(Application, data[0]), session.get(Placement, data[1])
    if application is None or placement is None or placement.application_id != application.id:
        return None
    return application, placement


def unit_recipients(session: Session, positions: Positions, position_id: str) -> list[str]:
    """Who hears of a position's candidates: its contact (the unit's, if it names none) and the
    unit's active accounts, each address once."""
    entry = positions.by_id.get(position_id)
    if entry is None:
        return []
    unit = positions.unit_of(entry)
    accounts = session.scalars(
        select(Account.email).where(
            Account.role == "unit", Account.unit == entry.unit_slug, Account.active.is_(True)
        )
    )
    addresses = [(entry.position.contact or unit.contact).email, *accounts]
    return list(dict.fromkeys(a.strip().lower() for a in addresses if a))


def tell_unit(
    session: Session,
    key: str,
    positions: Positions,
    position_id: str,
    subject: str,
    lines: list[str],
    mail: Mail,
    application_id: int | None = None,
) -> None:
    """Stage an email to each of the unit's recipients for this position."""
    entry = positions.by_id.get(position_id)
    if entry is None:
        return
    for number, recipient in enumerate(unit_recipients(session, positions, position_id)):
        outbox.add(
            session,
            f"{key}:{number}",
            recipient,
            "unit_notice",
            mail.mail_from,
            application_id,
            unit=positions.unit_of(entry),
            subject=subject,
            lines=lines,
            link=mail.url("/staff/unit/"),
        )


def make_offer(
    session: Session,
    application: Application,
    position_id: str,
    mentor: str,
    days: int,
    actor: str,
    reason: str,
    mail: Mail,
    positions: Positions,
    now: dt.datetime,
) -> Placement:
    """Offer a place (headcount and mentor limit checked in the transaction) with a deadline
    `days` from now, and stage the offer email with its answer link; the caller commits."""
    choice = next((c for c in application.choices if c.position_id == position_id), None)
    if choice is not None and choice.outcome:
        raise services.TransitionRefused(f"这个志愿已结束（{CHOICE_OUTCOMES[choice.outcome]}），不能再录用")
    if application.state == "confirmed" and (choice is None or not choice.proposed):
        raise services.TransitionRefused("拟录用名单确认的是另一个岗位，只能按名单录用")
    if not 1 <= days <= MAX_DAYS:
        raise services.TransitionRefused(f"答复期限应为 1 至 {MAX_DAYS} 天")
    # notify=False: the offer email below carries the answer link instead of the state email.
    move = services.transition
    move(
        session, application, "offered", actor, reason, mail.mail_from, mentor, position_id, positions, False
    )
    placement = placements.placement_of(session, application.id)
    assert placement is not None  # nosec B101  # transition placed it or raised
    placement.deadline = now + dt.timedelta(days=days)
    session.flush()
    entry = positions.by_id[position_id]
    outbox.add(
        session,
        f"offer:{placement.id}",
        application.email,
        "application_offer",
        mail.mail_from,
        application.id,
        application=application,
        entry=entry,
        unit=positions.unit_of(entry),
        placement=placement,
        reason=reason.strip(),
        deadline=local_time(placement.deadline),
        link=mail.url(f"/offer/{token(placement, mail.secret)}"),
    )
    return placement


def record_offer(
    session: Session, application: Application, from_state: str, to_state: str, actor: str, reason: str
) -> None:
    session.add(
        Transition(
            application_id=application.id,
            from_state=from_state,
            to_state=to_state,
            actor=actor,
            reason=reason,
        )
    )
