"""A programme year's figures for the public 成果展示 page, as the office approved them."""

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import Base


class ShowcaseFigures(Base):
    """One row per year: the figures (JSON, site_builder.model.showcase.ShowcaseFigures) the office
    approved, who approved them and when; approving again replaces them."""

    __tablename__ = "showcase_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    figures: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(50))
    approved_at: Mapped[dt.datetime] = mapped_column(DateTime)
