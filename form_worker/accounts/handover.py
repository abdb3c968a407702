"""Handing a unit's account to a new contact, only when the contact who holds it says so.

An edit sent from outside may name a new contact email for a unit (issue 21: approving one gave
that address the unit's account). Approving publishes the new contact, but the account stays with
its holder, who gets a signed link (invitations.LIFETIME, one use) to hand it over. Confirming moves
the account's email and name to the new contact, clears its password, ends every session and link
of it, and sends the new contact the link to set a password. An admin may do the same explicitly
by inviting the new contact and deactivating the old account.
"""

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..outbox import services as outbox
from ..outbox.models import Outbox
from .invitations import LIFETIME, invite
from .models import Account
from .services import NO_PASSWORD, email_taken, end_sessions

_SALT = "jianxi.hand-over"


class HandOverRefused(Exception):
    """The account cannot move to that address; the message is Chinese."""


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def token(user: Account, email: str, name: str, secret: str) -> str:
    return _serializer(secret).dumps({"u": user.id, "v": user.session_version, "e": email, "n": name})


def read(session: Session, value: str, secret: str) -> tuple[Account, str, str] | None:
    """The active unit account a link still hands over, with the new contact's email and name."""
    try:
        data = _serializer(secret).loads(value, max_age=int(LIFETIME.total_seconds()))
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = session.get(Account, data["u"])
    if user is None or not user.active or user.role != "unit" or user.session_version != data.get("v"):
        return None
    return user, str(data.get("e", "")), str(data.get("n", ""))


def offer(
    session: Session,
    unit: str,
    email: str,
    name: str,
    secret: str,
    worker_url: str,
    mail_from: str,
    place: str,
) -> list[Outbox]:
    """Stage, for each active account of the unit, the email with the link to hand it over."""
    holders = session.scalars(
        select(Account).where(Account.role == "unit", Account.unit == unit, Account.active.is_(True))
    )
    rows = []
    for user in holders:
        if user.email.lower() == email.lower():
            continue
        link = f"{worker_url.rstrip('/')}/staff/hand-over/{token(user, email, name, secret)}"
        rows.append(
            outbox.add(
                session,
                f"hand-over:{user.id}:{user.session_version}:{email.lower()}",
                user.email,
                "account_handover",
                mail_from,
                user=user,
                place=place,
                new_name=name,
                new_email=email,
                link=link,
                hours=int(LIFETIME.total_seconds() // 3600),
            )
        )
    return rows


def hand_over(
    session: Session,
    user: Account,
    email: str,
    name: str,
    secret: str,
    worker_url: str,
    mail_from: str,
    place: str,
) -> Outbox:
    """Move the account to the new contact and stage their invitation; the caller commits."""
    if email_taken(session, email):
        raise HandOverRefused("这个邮箱已有本系统的账号，无法转交；请联系市项目办处理。")
    user.email, user.name, user.password_hash = email.strip().lower(), name, NO_PASSWORD
    end_sessions(user)
    return invite(session, user, secret, worker_url, mail_from, place)
