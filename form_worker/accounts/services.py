"""Accounts: creating one, checking a password, and who gets the office's emails."""

import datetime as dt
import functools
import re

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from site_builder.model.vocab import DISTRICTS

from ..core import throttle
from ..outbox import services as outbox
from ..outbox.models import Outbox
from .models import Account

ROLES = ("admin", "reviewer", "university", "unit", "district_cast", "district_hr")
OFFICE_ROLES = ROLES[:2]
# The districts' two roles: each sees its district's units, positions and interns; the HR
# bureau's also confirms its district's units as 就业见习单位 (form_worker.units).
DISTRICT_HR = "district_hr"
DISTRICT_ROLES = ("district_cast", DISTRICT_HR)
ROLE_LABELS = {
    "admin": "市项目办管理员",
    "reviewer": "市项目办审核员",
    "university": "高校",
    "unit": "见习单位",
    "district_cast": "区县科协",
    "district_hr": "区县人力社保",
}
# werkzeug's default. The app config's PASSWORD_HASH_METHOD may name another werkzeug method; only
# the tests do (a single-round PBKDF2, since scrypt costs some 70 ms a hash), so it is not read from
# the environment. A stored hash names its own method, so checking never depends on the setting.
DEFAULT_HASH_METHOD = "scrypt"


MIN_PASSWORD = 10
# The hash of an account whose holder has not set a password yet: it matches nothing.
NO_PASSWORD = ""  # nosec B105  # the empty hash, not a password
# Attempts in a row for one username before the next is refused and locks it (1, 2, 4 … 60 minutes).
FREE_LOGINS = 5


def hash_method() -> str:
    """The method new password hashes use: the app's PASSWORD_HASH_METHOD, outside an app the default."""
    if has_app_context():
        return str(current_app.config.get("PASSWORD_HASH_METHOD", DEFAULT_HASH_METHOD))
    return DEFAULT_HASH_METHOD


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash that no password opens, made once per method: an unknown username then costs the same
    one hash check as a known one, whose hash has that method too."""
    return generate_password_hash("not a password", method=method)


def end_sessions(user: Account) -> None:
    """End every session of the account: cookies carry the old session version and are refused."""
    user.session_version += 1


def set_password(user: Account, password: str) -> None:
    """A new password (own change or an admin's reset) ends every session signed before it."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"密码至少 {MIN_PASSWORD} 位")
    user.password_hash = generate_password_hash(password, method=hash_method())
    end_sessions(user)


def new_account(
    session: Session,
    username: str,
    name: str,
    role: str,
    email: str = "",
    university: str | None = None,
    unit: str | None = None,
    district: str | None = None,
) -> Account:
    """Stage an account without a password (an invitation sets it), bound to its party."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if (role == "university") != bool(university) or (role == "unit") != bool(unit):
        raise ValueError("a university account names its university, a unit account its folder")
    if (role in DISTRICT_ROLES) != (district in DISTRICTS):
        raise ValueError("a district account names its district, of the vocabulary; no other does")
    user = Account(
        username=username,
        name=name,
        email=email.strip().lower(),
        role=role,
        university=university,
        unit=unit,
        district=district,
        password_hash=NO_PASSWORD,
        session_version=1,
    )
    session.add(user)
    session.flush()
    return user


def create_account(
    session: Session,
    username: str,
    name: str,
    password: str,
    role: str,
    email: str = "",
    university: str | None = None,
    unit: str | None = None,
    district: str | None = None,
) -> Account:
    """An account with a password, committed (the CLI's first admin, and tests)."""
    user = new_account(session, username, name, role, email, university, unit, district)
    set_password(user, password)
    user.session_version = 1
    session.commit()
    return user


def username_for(session: Session, email: str) -> str:
    """A free username made from an email address's local part (users may also log in by email)."""
    base = re.sub(r"[^A-Za-z0-9_.-]", "", email.split("@", 1)[0])[:40] or "user"
    taken = set(session.scalars(select(Account.username).where(Account.username.startswith(base))))
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}{number}"
    return name


def email_taken(session: Session, email: str) -> bool:
    return (
        session.scalar(select(Account.id).where(func.lower(Account.email) == email.lower()).limit(1))
        is not None
    )


def account_by_email(session: Session, email: str) -> Account | None:
    """The one account with this email address, if exactly one has it."""
    found = list(session.scalars(select(Account).where(func.lower(Account.email) == email.strip().lower())))
    return found[0] if len(found) == 1 else None


def authenticate(session: Session, username: str, password: str) -> Account | None:
    """The active account named by username (or by its email) if the password opens it."""
    user = session.scalar(select(Account).where(Account.username == username))
    if user is None and "@" in username:
        user = account_by_email(session, username)
    if user is None or not user.active or not user.password_hash:
        # Spend the same time as a real check, so timing does not tell which usernames exist.
        check_password_hash(_dummy_hash(hash_method()), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def login_key(username: str) -> str:
    return throttle.key("login", username)


def log_in(
    session: Session, username: str, password: str, now: dt.datetime
) -> tuple[Account | None, dt.datetime | None]:
    """The account these credentials open, or None and the end of the lock they caused or met.

    Every path costs one password hash (a locked or unknown username checks the dummy), so the
    answer's timing tells nothing. The attempt is counted (and committed) before the password is
    checked; the caller commits a success's clearing of the count.
    """
    name = login_key(username)
    until = throttle.attempt(session, name, now, FREE_LOGINS)
    if until is not None:
        check_password_hash(_dummy_hash(hash_method()), password)
        return None, until
    user = authenticate(session, username, password)
    if user is not None:
        throttle.clear(session, name)
    return user, None


def office_recipients(session: Session) -> list[Account]:
    """The office's active staff with an email address, who hear of new submissions and failed
    builds (never a university's or a unit's account)."""
    query = (
        select(Account)
        .where(Account.active.is_(True), Account.email != "", Account.role.in_(OFFICE_ROLES))
        .order_by(Account.id)
    )
    return list(session.scalars(query))


def email_office(
    session: Session, key: str, template: str, mail_from: str, **context: object
) -> list[Outbox]:
    """Stage one email to each of office_recipients, keyed `<key>:<account id>` (so a rerun stages
    none twice); flushed, so the caller can queue their ids after its commit. No application is
    linked: the office hears of submissions, builds and the forge."""
    rows = [
        outbox.add(session, f"{key}:{member.id}", member.email, template, mail_from, None, **context)
        for member in office_recipients(session)
    ]
    session.flush()
    return rows
