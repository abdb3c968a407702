"""The intern's part of /status, from the signed agreement on: the work file they may see, the
training plan to read, the weekly log and the end-of-internship report to write, and at the end
the destination to confirm and the internship to rate. Each part is the facts and the forms its
template section needs; a form the intern just posted comes back with its errors.
"""

import datetime as dt

from ...core.db import get_session
from ...core.forms import Form
from ..models import Application, Placement
from ..workfile import consent, destinations, logs, plans, ratings, rules
from ..workfile import services as workfile
from .forms import CaseConsentForm, DestinationForm, LogForm, PlanReadForm, RatingForm, ReportForm, StatusForm

# Where the log and the report may be written: while the internship runs.
WRITING = ("active",)


def intern_part(
    form: StatusForm, application: Application | None, today: dt.date, given: dict[str, Form]
) -> dict[str, object]:
    """Everything of the intern's part for the template; empty parts when there is none yet."""
    work = _work_file(application)
    if work is None or application is None:
        return {
            "work": None, "plan": None, "destination": None, "rating": None, "rated": None, "log": None,
            "case": None,
        }  # fmt: skip
    carried = {"reference": form.reference.data, "contact": form.contact.data}
    return {
        "work": work,
        "statuses": rules.TASK_STATUSES,
        "criteria": rules.CRITERIA,
        "month_label": rules.month_label,
        **_training_plan(work.placement, carried),
        **_log(application, work.placement, today, carried, given),
        **_at_the_end(application, work.placement, carried, given),
        **_case(application, work.placement, carried, given),
    }


def case_form(application: Application, placement: Placement, carried: dict[str, str]) -> CaseConsentForm:
    """The consent question, filled with the intern's last answer, each choice showing its byline."""
    form = CaseConsentForm(formdata=None, prefix="case", consent=placement.case_consent, **carried)
    return with_consent_choices(form, application)


def with_consent_choices(form: CaseConsentForm, application: Application) -> CaseConsentForm:
    form.consent.choices = consent.choices(application.name)
    return form


def _case(
    application: Application, placement: Placement, carried: dict[str, str], given: dict[str, Form]
) -> dict[str, object]:
    """The consent to the public 成果展示 page, asked once the unit marked a typical case."""
    if not consent.asked(placement):
        return {"case": None}
    form = given.get("case") or case_form(application, placement, carried)
    return {"case": form, "case_placement": placement, "case_consents": consent.CONSENTS}


def _work_file(application: Application | None) -> workfile.WorkFile | None:
    """The intern's own attendance, tasks and evaluation, once the unit keeps a work file; the
    mentor's notes stay the unit's."""
    if application is None or application.state not in rules.KEPT_IN:
        return None
    kept = workfile.kept_placement(get_session(), application.id)
    return workfile.load(get_session(), kept) if kept is not None else None


def _training_plan(placement: Placement, carried: dict[str, str]) -> dict[str, object]:
    """The training plan once the mentor confirmed it, with the button to confirm reading it."""
    plan = plans.plan_of(get_session(), placement)
    if plan is None or plan.signed_off_at is None:
        return {"plan": None}
    return {
        "plan": plan,
        "plan_milestones": plans.milestones_of(plan),
        "plan_read": PlanReadForm(formdata=None, prefix="plan", **carried) if plan.read_at is None else None,
    }


def log_form(
    placement: Placement, today: dt.date, carried: dict[str, str], week: dt.date | None = None
) -> LogForm | None:
    """The week's form, filled with its draft: the week asked for, else the latest one the intern
    may still write; None when every week so far is submitted or approved."""
    written = logs.entries(get_session(), placement)
    open_weeks = [
        w for w in logs.weeks(placement, today) if w not in written or written[w].state in logs.WRITABLE
    ]
    if week not in open_weeks:
        week = open_weeks[0] if open_weeks else None
    if week is None:
        return None
    draft = written.get(week)
    form = LogForm(
        formdata=None,
        prefix="log",
        week=week.isoformat(),
        did=draft.did if draft else "",
        learned=draft.learned if draft else "",
        problems=draft.problems if draft else "",
        **carried,
    )
    return with_week_choices(form, placement, today)


def with_week_choices(form: LogForm, placement: Placement, today: dt.date) -> LogForm:
    """The weeks the intern may still write, each with where it stands."""
    written = logs.entries(get_session(), placement)
    form.week.choices = [
        (
            week.isoformat(),
            f"{logs.week_label(week)}（{logs.STATES[written[week].state] if week in written else '未填写'}）",
        )
        for week in logs.weeks(placement, today)
        if week not in written or written[week].state in logs.WRITABLE
    ]
    return form


def _log(
    application: Application,
    placement: Placement,
    today: dt.date,
    carried: dict[str, str],
    given: dict[str, Form],
) -> dict[str, object]:
    """The weeks written with their state and the mentor's comments, the form for a week, and the
    end-of-internship report with its form while the internship runs."""
    if application.state not in (*WRITING, "completed"):
        return {"log": None}
    writing = application.state in WRITING
    report = logs.report_of(get_session(), placement)
    report_form = given.get("report")
    if report_form is None and writing and (report is None or report.state in logs.WRITABLE):
        report_form = ReportForm(
            formdata=None, prefix="report", text=report.text if report else "", **carried
        )
    return {
        "log": sorted(logs.entries(get_session(), placement).values(), key=lambda e: e.week, reverse=True),
        "log_form": given.get("log") or (log_form(placement, today, carried) if writing else None),
        "approved_weeks": logs.approved_weeks(get_session(), placement),
        "log_states": logs.STATES,
        "week_label": logs.week_label,
        "report": report,
        "report_form": report_form,
    }


def _at_the_end(
    application: Application, placement: Placement, carried: dict[str, str], given: dict[str, Form]
) -> dict[str, object]:
    """Once the internship has ended: confirm the destination the unit recorded, and rate the
    internship once it has completed (or read the rating given)."""
    destination = given.get("destination")
    if destination is None and placement.destination is not None:
        destination = DestinationForm(
            formdata=None,
            prefix="destination",
            destination=placement.destination,
            destination_detail=placement.destination_detail,
            **carried,
        )
    completed = application.state == "completed"
    rated = ratings.rating_of(get_session(), placement) if completed else None
    rating = given.get("rating")
    if rating is None and rated is None and completed:
        rating = RatingForm(formdata=None, prefix="rating", **carried)
    return {
        "destination": destination,
        "destination_label": destinations.label(placement),
        "rating": rating if rated is None else None,
        "rated": rated,
        "aspects": ratings.ASPECTS,
    }
