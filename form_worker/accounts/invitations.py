"""One-time links to set a password: how an invited user gets into their account.

Nobody sends a password by email. An admin (or the system, for a unit's first approved
submission) creates the account without one, and the user gets a link, signed with SECRET_KEY,
that expires after `LIFETIME`. The link names the account and its session version; setting the
password raises that version (services.set_password), so a link opens the page once and never
again, and an admin's resend makes every earlier link of the account dead.
"""

import datetime as dt

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..outbox import services as outbox
from ..outbox.models import Outbox
from .models import Account
from .services import ROLE_LABELS, email_taken, new_account, username_for

LIFETIME = dt.timedelta(hours=72)
_SALT = "jianxi.set-password"


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def token(user: Account, secret: str) -> str:
    """The link's token: this account at its current session version."""
    return _serializer(secret).dumps({"u": user.id, "v": user.session_version})


def user_for(session: Session, value: str, secret: str) -> Account | None:
    """The active account a token still opens: signed by us, younger than LIFETIME, unused."""
    try:
        data = _serializer(secret).loads(value, max_age=int(LIFETIME.total_seconds()))
    except BadSignature:  # also SignatureExpired, its subclass
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = session.get(Account, data["u"])
    if user is None or not user.active or user.session_version != data.get("v"):
        return None
    return user


def invite(
    session: Session, user: Account, secret: str, worker_url: str, mail_from: str, place: str = ""
) -> Outbox:
    """Stage the email with the link in the caller's transaction (after any change of the
    account's session version, which would end the link). `place`: the university or unit."""
    session.flush()
    link = f"{worker_url.rstrip('/')}/staff/welcome/{token(user, secret)}"
    return outbox.add(
        session,
        f"invite:{user.id}:{user.session_version}",
        user.email,
        "account_invitation",
        mail_from,
        user=user,
        role_label=ROLE_LABELS[user.role],
        place=place or user.university or "",
        link=link,
        hours=int(LIFETIME.total_seconds() // 3600),
    )


def ensure_unit_account(
    session: Session,
    unit: str,
    name: str,
    email: str,
    secret: str,
    worker_url: str,
    mail_from: str,
    place: str,
) -> Outbox | None:
    """The system's account for a unit's contact, made when its first submission is published:
    staged with its invitation, or None when the unit already has an account (or the address
    has one of another role, which an admin then binds by hand)."""
    exists = select(Account.id).where(Account.role == "unit", Account.unit == unit).limit(1)
    if session.scalar(exists) is not None or not email or email_taken(session, email):
        return None
    user = new_account(session, username_for(session, email), name, "unit", email, unit=unit)
    return invite(session, user, secret, worker_url, mail_from, place)
