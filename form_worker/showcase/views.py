"""The office's 成果展示 pages: the year's typical cases with the interns' answers, a case's text to
approve (lightly edited) or withdraw, and the year's figures to approve. Each action is audited,
committed, then the publishing task is queued; git is the task's."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts.auth import office_only
from ..applications.workfile import consent
from ..applications.workfile.forms import with_errors
from ..applications.workfile.rules import Refused
from ..catalogue.positions import current_positions
from ..core import clock
from ..core.db import get_session
from . import figures, services
from .forms import CaseForm, FiguresForm
from .tasks import queue_showcase

bp = Blueprint("showcase", __name__, url_prefix="/staff/showcase")


def _year() -> int:
    default = int(current_app.config["PROGRAMME_YEAR"])
    value = request.values.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2099 else default


def _cases_page(year: int, form: FiguresForm | None = None, status: int = 200):
    db, positions = get_session(), current_positions()
    computed = figures.compute(db, positions, year)
    form = form or FiguresForm(formdata=None, year=str(year), seen=figures.fingerprint(computed))
    return render_template(
        "staff/showcase/cases.html",
        year=year,
        cases=services.cases(db, positions, year),
        states=services.STATES,
        consents=consent.CONSENTS,
        computed=computed,
        approved=figures.approved(db, year),
        form=form,
    ), status


@bp.get("/")
@office_only
def cases_page():
    return _cases_page(_year())


@bp.post("/figures")
@office_only
def approve_figures():
    """Approve the figures the page showed; refused when they changed since (reload and read again)."""
    form = FiguresForm()
    year = _year()
    computed = figures.compute(get_session(), current_positions(), year)
    if form.seen.data != figures.fingerprint(computed):
        form.seen.errors = ["数据在您查看后有变化，请核对下面的最新数据后再审定"]
        form.seen.data = figures.fingerprint(computed)
        return _cases_page(year, form, 409)
    figures.approve(get_session(), computed, current_user.username, clock.now(), clock.today())
    get_session().commit()
    queue_showcase()
    flash(f"已审定 {year} 年度数据，将发布到成果展示页面。")
    return redirect(url_for(".cases_page", year=year), 303)


def _case_or_404(placement_id: int) -> services.Case:
    case = services.case_of(get_session(), current_positions(), placement_id)
    if case is None:
        abort(404)
    return case


def _case_page(case: services.Case, form: CaseForm | None = None, status: int = 200):
    placement = case.placement
    form = form or CaseForm(
        formdata=None,
        title=placement.case_title or case.position,
        story=placement.case_text or placement.case_story,
    )
    return render_template(
        "staff/showcase/case.html",
        case=case,
        form=form,
        states=services.STATES,
        consents=consent.CONSENTS,
        published=services.draft(case) if case.state == "approved" else None,
    ), status


@bp.get("/<int:placement_id>")
@office_only
def case_page(placement_id: int):
    return _case_page(_case_or_404(placement_id))


@bp.post("/<int:placement_id>")
@office_only
def act_on_case(placement_id: int):
    """批准公开 with the text in the form, or 撤下."""
    case = _case_or_404(placement_id)
    db = get_session()
    if request.form.get("action") == "withdraw":
        if services.withdraw(db, case, current_user.username):
            db.commit()
            queue_showcase()
        flash("已撤下：该案例将在下次发布时从成果展示页面移除。")
        return redirect(url_for(".case_page", placement_id=placement_id), 303)
    form = CaseForm()
    if not form.validate():
        return _case_page(case, form, 422)
    try:
        services.approve(
            db, case, form.title.data or "", form.story.data or "", current_user.username, clock.now()
        )
    except Refused as refused:
        db.rollback()
        return _case_page(case, with_errors(form, refused), 422)
    db.commit()
    queue_showcase()
    flash("已批准公开：该案例将发布到成果展示页面。")
    return redirect(url_for(".case_page", placement_id=placement_id), 303)
