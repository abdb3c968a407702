"""Accounts of the programme's parties and the audit log of what they did."""

import datetime as dt

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import Base, utcnow


class Account(Base):
    """An account of one of the programme's parties: the office (`admin`, `reviewer`), a
    university's employment office (`university`, bound to `university`), a host unit's contact
    (`unit`, bound to the unit's folder under positions/, `unit`) or a district's 区县科协
    (`district_cast`) or 区县人力社保 (`district_hr`), bound to `district`."""

    # The table keeps the name it was created with: a rename buys nothing a reader of the code sees.
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(254), default="")
    # Empty until the invited user sets a password through the one-time link: nothing opens it.
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="reviewer")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    university: Mapped[str | None] = mapped_column(String(100), index=True)
    unit: Mapped[str | None] = mapped_column(String(200), index=True)
    # A district account's district (one of the vocabulary's 41): it sees that district's units.
    district: Mapped[str | None] = mapped_column(String(20), index=True)
    # When the daily digest last told this university account of applications waiting for it.
    digest_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Part of every session's user id: raising it ends every session of the account, even one whose
    # signed cookie was copied (logout, a password change or reset, deactivation).
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """One staff action: who did what to which record, when, and why."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(50), index=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
