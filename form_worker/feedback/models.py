"""A reader's report of a problem with a published position, and what the office did with it."""

import datetime as dt

from sqlalchemy import Boolean, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import Base, utcnow

# What a reader may say is wrong, as the form offers it.
PROBLEMS = {"closed": "岗位已关闭或已招满", "wrong": "信息有误", "other": "其他问题"}
# Where a report is: the office forwards it to the unit or closes it with a note (a forwarded one
# is closed too once it is dealt with).
STATES = {"new": "待处理", "forwarded": "已转交单位", "closed": "已关闭"}


class Feedback(Base):
    """One report. The contact is optional, held only to answer the report and cleared by the
    retention rules (RETAIN_FEEDBACK_DAYS); the unit sees it only when the reader agreed."""

    __tablename__ = "position_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[str] = mapped_column(String(200), index=True)
    unit_slug: Mapped[str] = mapped_column(String(100), index=True)  # the scope of a unit's account
    position_title: Mapped[str] = mapped_column(String(200))  # as published when reported
    problem: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(254), default="")
    share_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20), index=True, default="new")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True, default=utcnow)
    forwarded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    forwarded_by: Mapped[str] = mapped_column(String(50), default="")
    forward_note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[str] = mapped_column(String(50), default="")
    close_note: Mapped[str] = mapped_column(Text, default="")

    @property
    def problem_label(self) -> str:
        return PROBLEMS.get(self.problem, self.problem)

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)
