"""Staff accounts: creating one, checking a password, and who gets the office's emails."""

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .models import StaffUser

ROLES = ("admin", "reviewer")
# Computed once: an unknown username costs the same one hash check as a known one.
_DUMMY_HASH = generate_password_hash("not a password")


def create_staff(
    session: Session, username: str, name: str, password: str, role: str, email: str = ""
) -> StaffUser:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if len(password) < 10:
        raise ValueError("密码至少 10 位")
    user = StaffUser(
        username=username, name=name, email=email, role=role, password_hash=generate_password_hash(password)
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


def staff_recipients(session: Session) -> list[StaffUser]:
    """Active staff with an email address, who hear of new submissions and failed builds."""
    query = select(StaffUser).where(StaffUser.active.is_(True), StaffUser.email != "").order_by(StaffUser.id)
    return list(session.scalars(query))
