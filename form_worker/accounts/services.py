"""Staff accounts: creating one, checking a password, and who gets the office's emails."""

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..core import throttle
from .models import StaffUser

ROLES = ("admin", "reviewer")
# Computed once: an unknown username costs the same one hash check as a known one.
_DUMMY_HASH = generate_password_hash("not a password")


MIN_PASSWORD = 10
# Attempts in a row for one username before the next is refused and locks it (1, 2, 4 … 60 minutes).
FREE_LOGINS = 5


def end_sessions(user: StaffUser) -> None:
    """End every session of the account: cookies carry the old session version and are refused."""
    user.session_version += 1


def set_password(user: StaffUser, password: str) -> None:
    """A new password (own change or an admin's reset) ends every session signed before it."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"密码至少 {MIN_PASSWORD} 位")
    user.password_hash = generate_password_hash(password)
    end_sessions(user)


def create_staff(
    session: Session, username: str, name: str, password: str, role: str, email: str = ""
) -> StaffUser:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"密码至少 {MIN_PASSWORD} 位")
    user = StaffUser(
        username=username,
        name=name,
        email=email,
        role=role,
        password_hash=generate_password_hash(password),
        session_version=1,
    )
    session.add(user)
    session.commit()
    return user


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None or not user.active:
        # Spend the same time as a real check, so timing does not tell which usernames exist.
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def login_key(username: str) -> str:
    return throttle.key("login", username)


def log_in(
    session: Session, username: str, password: str, now: dt.datetime
) -> tuple[StaffUser | None, dt.datetime | None]:
    """The account these credentials open, or None and the end of the lock they caused or met.

    Every path costs one password hash (a locked or unknown username checks the dummy), so the
    answer's timing tells nothing. The attempt is counted (and committed) before the password is
    checked; the caller commits a success's clearing of the count.
    """
    name = login_key(username)
    until = throttle.attempt(session, name, now, FREE_LOGINS)
    if until is not None:
        check_password_hash(_DUMMY_HASH, password)
        return None, until
    user = authenticate(session, username, password)
    if user is not None:
        throttle.clear(session, name)
    return user, None


def staff_recipients(session: Session) -> list[StaffUser]:
    """Active staff with an email address, who hear of new submissions and failed builds."""
    query = select(StaffUser).where(StaffUser.active.is_(True), StaffUser.email != "").order_by(StaffUser.id)
    return list(session.scalars(query))
