"""An intern with a signed agreement, whose work file the unit and the intern keep."""

import datetime as dt

from sqlalchemy import update

from form_worker.applications.models import Application, FinalReport, Placement
from tests.form_worker.conftest import OPEN_POSITION, recorded_application

START, END = dt.date(2026, 7, 15), dt.date(2027, 1, 14)


def intern(app, session, position: str = OPEN_POSITION, state: str = "active", **fields) -> Placement:
    """An intern at `position` with a signed agreement, in `state`."""
    received = recorded_application(app, session, [position], **fields)
    session.execute(update(Application).where(Application.id == received.id).values(state=state))
    placement = Placement(
        application_id=received.id,
        position_id=position,
        mentor="李示例",
        accepted_at=dt.datetime(2026, 7, 1),
        agreement_date=dt.date(2026, 7, 10),
        start_date=START,
        end_date=END,
        allowance=3000,
        insurer="示例保险公司",
        policy_number="SL-0001",
        cover_start=START,
        cover_end=END,
    )
    session.add(placement)
    session.commit()
    return placement


def approved_report(session, placement: Placement) -> None:
    """The intern's end-of-internship report, approved by the mentor: completing needs it."""
    session.add(FinalReport(placement_id=placement.id, text="见习总结（示例）", state="approved"))
    session.commit()
