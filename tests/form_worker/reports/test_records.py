"""The statistics count what the later steps record (issue 22): registration, confirmed and read
training plans, approved log weeks and reports, and ratings; scoped like every other figure."""

import datetime as dt

import pytest
from sqlalchemy import select, update

from form_worker.applications.models import (
    Application,
    FinalReport,
    InternRating,
    LogEntry,
    Placement,
    TrainingPlan,
)
from form_worker.reports.filters import Filters
from form_worker.reports.records import records
from tests.form_worker.conftest import StaffClient
from tests.helpers.statistics import YEAR, Tables, positions_of

NOW = dt.datetime(2026, 10, 1)


def placement_of(session, application: Application) -> Placement:
    return session.scalar(select(Placement).where(Placement.application_id == application.id))


@pytest.mark.backend
def test_what_the_later_steps_recorded_is_counted(app, session, figures) -> None:
    a1, a2, a3 = (placement_of(session, figures[k]) for k in ("a1", "a2", "a3"))
    session.execute(
        update(Application)
        .where(Application.id.in_([figures["a1"].id, figures["a7"].id]))
        .values(registered=True)
    )
    plan = {"goals": "g", "teaching": "t", "assessment": "a", "milestones": {}, "updated_by": "unit_a"}
    session.add(TrainingPlan(placement_id=a1.id, signed_off_at=NOW, read_at=NOW, **plan))
    session.add(TrainingPlan(placement_id=a2.id, signed_off_at=NOW, **plan))
    session.add(TrainingPlan(placement_id=a3.id, **plan))  # written, not confirmed
    for week, state in (
        (dt.date(2026, 7, 6), "approved"),
        (dt.date(2026, 7, 13), "approved"),
        (dt.date(2026, 7, 20), "submitted"),
    ):
        session.add(LogEntry(placement_id=a1.id, week=week, state=state))
    session.add(FinalReport(placement_id=a1.id, text="总结", state="approved"))
    session.add(FinalReport(placement_id=a2.id, text="总结", state="returned"))
    session.add(InternRating(placement_id=a1.id, mentor=5, tasks=4, learning=4))
    session.commit()

    found = records(session, positions_of(app), Filters(YEAR))
    assert (found.applications, found.registered, found.interns) == (11, 2, 5)
    assert (found.plans_confirmed, found.plans_read, found.weeks_approved) == (2, 1, 2)
    assert (found.reports_approved, found.ratings) == (1, 1)
    assert (found.registered_rate, found.plan_rate) == (18.2, 40.0)
    assert records(session, positions_of(app), Filters(2025)).weeks_approved == 0


def test_the_statistics_page_shows_them(reviewer: StaffClient, session, figures) -> None:
    tables = Tables(reviewer.get("/staff/stats").text).tables
    rows = {row[0]: row[1:] for row in tables["table-records"][1:]}
    assert rows["已在智慧科协见习计划系统注册的报名"] == ["0", "0.0%"]
    assert rows["培养计划经导师确认的见习生"] == ["0", "0.0%"]
