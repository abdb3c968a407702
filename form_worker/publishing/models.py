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
