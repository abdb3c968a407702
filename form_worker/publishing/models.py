"""The one row through which catalogue rebuild requests coalesce."""

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import Base


class CatalogueBuild(Base):
    """The one row that coalesces rebuild requests: a build serves every request made before it began."""

    __tablename__ = "catalogue_build"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    builds: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="idle")
    error: Mapped[str] = mapped_column(Text, default="")


FORGE_SYNC_ROW = 1  # the id of ForgeSync's one row


class ForgeSync(Base):
    """The one row recording the last look at the forge (POSITIONS_REMOTE): when, the commit the
    working copy then stood at, and what went wrong, which the office's dashboard shows."""

    __tablename__ = "forge_sync"

    id: Mapped[int] = mapped_column(primary_key=True)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    head: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(20), default="ok")
    error: Mapped[str] = mapped_column(Text, default="")
    # The error last emailed to the office: a problem that persists is emailed once, not each minute.
    alerted: Mapped[str] = mapped_column(Text, default="")
