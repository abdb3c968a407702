"""What the programme's later steps recorded (issue 22), counted for the statistics and the summary
report: registration in the national system, the training plans, the intern's weekly log and report
the mentor approved, and the interns' ratings, in three statements scoped like every figure.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from ..applications.models import Application, FinalReport, InternRating, LogEntry, Placement, TrainingPlan
from ..catalogue.positions import Positions
from .filters import Filters, count_if, in_year, percent, placed


@dataclass(frozen=True)
class Records:
    applications: int
    registered: int  # said they registered in 智慧科协见习计划系统
    interns: int  # placements with a signed agreement
    plans_confirmed: int  # a training plan the mentor confirmed
    plans_read: int  # … that the intern confirmed reading
    weeks_approved: int  # weeks of the intern's log the mentor approved
    reports_approved: int
    ratings: int

    @property
    def registered_rate(self) -> float | None:
        return percent(self.registered, self.applications)

    @property
    def plan_rate(self) -> float | None:
        return percent(self.plans_confirmed, self.interns)


def records(session: Session, positions: Positions, filters: Filters) -> Records:
    """Three statements: the applications, the interns with what their files hold, the weeks."""
    scope, interns = in_year(filters, positions), placed(filters, positions)
    applications, registered = session.execute(
        select(func.count(), func.count().filter(Application.registered.is_(True))).where(*scope)
    ).one()

    def has(model, *conditions: ColumnElement[bool]) -> ColumnElement[int]:
        return count_if(exists().where(model.placement_id == Placement.id, *conditions))

    # One pass over the year's placements rather than one statement per figure.
    placements, plans_confirmed, plans_read, reports_approved, ratings = session.execute(
        select(
            func.count(),
            has(TrainingPlan, TrainingPlan.signed_off_at.is_not(None)),
            has(TrainingPlan, TrainingPlan.read_at.is_not(None)),
            has(FinalReport, FinalReport.state == "approved"),
            has(InternRating),
        )
        .select_from(Placement)
        .join(Application, Application.id == Placement.application_id)
        .where(*interns)
    ).one()
    weeks = session.scalar(
        select(func.count())
        .select_from(LogEntry)
        .join(Placement, Placement.id == LogEntry.placement_id)
        .join(Application, Application.id == Placement.application_id)
        .where(*interns, LogEntry.state == "approved")
    )
    return Records(
        applications=applications,
        registered=registered,
        interns=placements,
        plans_confirmed=int(plans_confirmed),
        plans_read=int(plans_read),
        weeks_approved=weeks or 0,
        reports_approved=int(reports_approved),
        ratings=int(ratings),
    )
