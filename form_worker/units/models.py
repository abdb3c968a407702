"""A district HR bureau's confirmation of a host unit as 就业见习单位, asked for by a signed link."""

import datetime as dt

from sqlalchemy import Date, DateTime, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import Base, utcnow


class UnitConfirmation(Base):
    """One request to a unit's district HR bureau, and its answer.

    A unit holds at most one open request (outcome ""): sending the link again raises
    `link_version`, which ends every earlier link; 0 means no link went out yet (the unit proposed
    a contact for the office to check, or a district HR account answered from its own page). A
    decline closes the request; a new one may follow. `decided_via` records where the answer came
    from: the emailed link (with its version) or a district account.
    """

    __tablename__ = "unit_confirmation"
    # One open request per unit, even when two people send at the same moment.
    __table_args__ = (
        Index(
            "uq_unit_confirmation_open",
            "unit",
            unique=True,
            sqlite_where=text("outcome = ''"),
            postgresql_where=text("outcome = ''"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(200), index=True)
    district: Mapped[str] = mapped_column(String(20), index=True)
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_email: Mapped[str] = mapped_column(String(254))
    requested_by: Mapped[str] = mapped_column(String(50))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    link_version: Mapped[int] = mapped_column(Integer, default=1)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20), default="", index=True)
    document: Mapped[str] = mapped_column(String(100), default="")
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(50), default="")
    decided_via: Mapped[str] = mapped_column(String(100), default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    # The commit that wrote the confirmation into the unit's unit.yaml (units.tasks).
    published_sha: Mapped[str] = mapped_column(String(40), default="")
