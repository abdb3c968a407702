"""A host unit's work: its filed candidates per position in the applicants' rank order, the
shortlist, offers with a mentor and an answer deadline, then the agreement, insurance and start.

Every row is one choice of one of the unit's positions (scope.of_unit), from `filed` on; a choice
of another unit, or before filing, is a 404. The applicant's contact details appear once this unit
has made the offer; the priority-group answers and the other choices never appear.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager
from wtforms import SelectChoice

from site_builder.model.schema import MENTOR_LIMIT

from ...accounts import audit
from ...accounts.auth import role_required
from ...catalogue.positions import Positions, current_positions
from ...core import clock
from ...core.db import get_session
from ...core.paging import paginate
from ...core.queue import enqueue
from ...units import standing
from .. import placements, priority, scope, services
from ..models import Application, Choice, Placement
from ..services import TransitionRefused
from ..states import BACK_TO_FILED, CHOICE_OUTCOMES, STATE_LABELS
from ..tasks import queue_application_emails
from ..workfile import plans
from . import agreements, interviews, offers, outcomes, rules
from .forms import AgreementForm, UnitOfferForm
from .tasks import reflect_filled_positions

bp = Blueprint("unit", __name__, url_prefix="/staff/unit")


def _placements_here(db, positions: Positions, application_ids: list[int]) -> dict[int, Placement]:
    """This unit's open placements of these applications, by application."""
    ids = scope.unit_position_ids(positions, current_user.unit)
    query = select(Placement).where(
        Placement.application_id.in_(application_ids),
        Placement.position_id.in_(ids),
        Placement.ended.is_(False),
    )
    return {p.application_id: p for p in db.scalars(query)}


# How a unit reads its own proposal's stage.
SELECTION_STATUS = {
    "proposed": "已列入拟录用名单，待市项目办确认",
    "confirmed": "市项目办已确认拟录用，请发出录用通知",
}


def unit_status(choice: Choice, placement: Placement | None) -> str:
    """The choice as this unit reads it: never how the applicant fares at another unit."""
    state = choice.application.state
    if placement is not None and placement.position_id == choice.position_id:
        if state == "offered":
            return "学生已接受录用，请登记协议" if placement.accepted_at else "已发录用通知，待学生答复"
        return STATE_LABELS[state]
    if choice.outcome:
        return CHOICE_OUTCOMES[choice.outcome]
    if state == "filed":
        return "已入围" if choice.shortlisted else "待遴选"
    if state in BACK_TO_FILED:
        return SELECTION_STATUS[state] if choice.proposed else "暂不能遴选"
    return "已不再参加遴选"


@bp.get("/")
@role_required("unit")
def queue():
    db = get_session()
    positions = current_positions()
    mine = [positions.by_id[i] for i in scope.unit_position_ids(positions, current_user.unit)]
    position = request.args.get("position", "")
    shortlisted = request.args.get("shortlisted", "") == "1"
    query = (
        select(Choice)
        .join(Application, Application.id == Choice.application_id)
        .options(contains_eager(Choice.application))
        .where(scope.of_unit(positions, current_user.unit))
        .order_by(Choice.position_id, Choice.rank, Application.id)
    )
    if position:
        query = query.where(Choice.position_id == position)
    if shortlisted:
        query = query.where(Choice.shortlisted.is_(True))
    page = paginate(db, query)
    here = _placements_here(db, positions, [c.application_id for c in page.items])
    unit = positions.catalogue.units.get(current_user.unit or "")
    return render_template(
        "staff/unit/queue.html",
        page=page,
        mine=mine,
        # Its own positions, prefilled from the catalogue: edit them or add more (issue 21).
        edit_url=url_for("submit.start", credit_code=unit.unit.credit_code)
        if unit
        else url_for("submit.start"),
        position=position,
        shortlisted=shortlisted,
        positions=positions,
        status={c.id: unit_status(c, here.get(c.application_id)) for c in page.items},
        taken=placements.taken_at(db, [e.id for e in mine]),
    )


def unit_choice(choice_id: int) -> Choice:
    choice = scope.unit_choice(get_session(), choice_id, current_positions(), current_user.unit)
    if choice is None:
        abort(404)
    return choice


def _fill_mentors(form: UnitOfferForm, positions: Positions, entry) -> int:
    """The position's mentors with their load across the unit; returns the places taken."""
    total, per_mentor = placements.taken_for(get_session(), positions, entry)
    form.mentor.choices = [SelectChoice("", "请选择导师")] + [
        SelectChoice(m.name, f"{m.name}（{m.title}，在带 {per_mentor.get(m.name, 0)}/{MENTOR_LIMIT}）")
        for m in entry.position.mentors
    ]
    return total


def candidate_page(choice: Choice, form: UnitOfferForm | None = None, error: str = "", status: int = 200):
    db = get_session()
    positions = current_positions()
    entry = positions.by_id[choice.position_id]
    placement = _placements_here(db, positions, [choice.application_id]).get(choice.application_id)
    if form is None:  # a fresh form carries the state shown; a posted one keeps what was seen
        form = UnitOfferForm(formdata=None, state=choice.application.state)
    total = _fill_mentors(form, positions, entry)
    state = choice.application.state
    can_offer = state == "confirmed" and choice.proposed and not choice.outcome
    # A unit 认定中 sees why it cannot offer yet, and whom to call, instead of the form.
    waiting = (
        standing.refusal(db, entry.unit_slug, positions.unit_of(entry), "发出录用") if can_offer else None
    )
    mark = bool(priority.marked(db, current_user.username, [choice.application]))
    db.commit()
    return render_template(
        "staff/unit/candidate.html",
        choice=choice,
        application=choice.application,
        mark=mark,
        entry=entry,
        placement=placement,
        contact=placement is not None,
        status=unit_status(choice, placement),
        form=form,
        can_offer=can_offer,
        waiting=waiting,
        can_select=state == "filed" and not choice.outcome,
        interview=interviews.booking(db, choice),
        total=total,
        error=error,
    ), status


@bp.get("/candidates/<int:choice_id>")
@role_required("unit")
def candidate(choice_id: int):
    return candidate_page(unit_choice(choice_id))


@bp.post("/candidates/<int:choice_id>/shortlist")
@role_required("unit")
def shortlist(choice_id: int):
    choice = unit_choice(choice_id)
    choice.shortlisted = request.form.get("on") == "1"
    db = get_session()
    audit.record(
        db,
        current_user.username,
        "shortlist",
        choice.application.reference or "",
        position=choice.position_id,
        on=choice.shortlisted,
    )
    db.commit()
    flash(f"已{'加入' if choice.shortlisted else '移出'}入围名单：{choice.application.reference}。")
    return redirect(url_for("unit.candidate", choice_id=choice.id), code=303)


@bp.post("/candidates/<int:choice_id>/pass")
@role_required("unit")
def not_selected(choice_id: int):
    """This unit will not take the candidate; the application stays open for its other choices."""
    choice = unit_choice(choice_id)
    if choice.outcome or choice.application.state != "filed":
        return candidate_page(choice, error="这位候选人已不在待遴选状态", status=409)
    db = get_session()
    positions = current_positions()
    titles = {
        c.position_id: f"{entry.position.title} · {positions.unit_of(entry).name}"
        for c in choice.application.choices
        if (entry := positions.by_id.get(c.position_id)) is not None
    }
    config = current_app.config
    outcomes.not_selected(
        db,
        choice,
        current_user.username,
        config["MAIL_FROM"],
        titles,
        config["CATALOGUE_URL"],
    )
    db.commit()
    queue_application_emails(db, choice.application_id)
    flash(f"已登记未录用：{choice.application.reference}，已通知申请人。")
    return redirect(url_for("unit.queue"), code=303)


@bp.post("/candidates/<int:choice_id>/offer")
@role_required("unit")
def offer(choice_id: int):
    choice = unit_choice(choice_id)
    form = UnitOfferForm()
    _fill_mentors(form, current_positions(), current_positions().by_id[choice.position_id])
    if not form.validate():
        return candidate_page(choice, form, status=422)
    application = choice.application
    if form.state.data != application.state:
        return candidate_page(choice, form, "这位候选人的状态刚刚变了，请查看最新状态后再操作", 409)
    if application.state != "confirmed" or not choice.proposed:
        return candidate_page(choice, form, "请先列入拟录用名单，市项目办确认后再发录用通知", 409)
    db = get_session()
    try:
        offers.make_offer(
            db,
            application,
            choice.position_id,
            form.mentor.data or "",
            form.days.data or offers.DEFAULT_DAYS,
            current_user.username,
            form.reason.data or "",
            offers.Mail.of(current_app.config),
            current_positions(),
            clock.now(),
        )
    except TransitionRefused as refusal:
        status = 409 if refusal.conflict else 422
        return candidate_page(unit_choice(choice_id), form, str(refusal), status)
    db.commit()
    queue_application_emails(db, application.id)
    flash(f"已向 {application.reference} 发出录用通知，学生须在 {form.days.data} 天内答复。")
    return redirect(url_for("unit.candidate", choice_id=choice_id), code=303)


def _placement(placement_id: int) -> Placement:
    positions = current_positions()
    placement = get_session().get(Placement, placement_id)
    if placement is None or placement.position_id not in scope.unit_position_ids(
        positions, current_user.unit
    ):
        abort(404)
    return placement


@bp.get("/placements", endpoint="placements")
@role_required("unit")
def placements_list():
    db = get_session()
    positions = current_positions()
    ids = scope.unit_position_ids(positions, current_user.unit)
    query = (
        select(Placement)
        .join(Application, Application.id == Placement.application_id)
        # Open placements, and ended ones with a signed agreement: their work file stays here.
        .where(
            Placement.position_id.in_(ids),
            or_(Placement.ended.is_(False), Placement.agreement_date.is_not(None)),
        )
        .order_by(Placement.ended, Placement.id.desc())
    )
    page = paginate(db, query)
    plan = plans.plan_gaps(db, page.items, clock.today())
    applications = {
        a.id: a
        for a in db.scalars(
            select(Application).where(Application.id.in_([p.application_id for p in page.items]))
        )
    }
    return render_template(
        "staff/unit/placements.html",
        page=page,
        applications=applications,
        positions=positions,
        missing={p.id: rules.agreement_gaps(p) + plan[p.id] for p in page.items},
        today=clock.today(),
    )


def _agreement_page(placement: Placement, form: AgreementForm, status: int = 200):
    positions = current_positions()
    return render_template(
        "staff/unit/agreement.html",
        placement=placement,
        application=get_session().get(Application, placement.application_id),
        entry=positions.by_id.get(placement.position_id),
        form=form,
    ), status


@bp.route("/placements/<int:placement_id>/agreement", methods=["GET", "POST"])
@role_required("unit")
def agreement(placement_id: int):
    placement = _placement(placement_id)
    application = get_session().get(Application, placement.application_id)
    assert application is not None  # nosec B101  # a placement's application is never deleted
    form = AgreementForm(obj=placement) if request.method == "GET" else AgreementForm()
    if request.method == "GET" or not form.validate():
        return _agreement_page(placement, form, 422 if form.errors else 200)
    if application.state != "offered":
        form.agreement_date.errors.append(f"报名当前状态为“{STATE_LABELS[application.state]}”，不能登记协议")
        return _agreement_page(placement, form, 409)
    db = get_session()
    values = agreements.Agreement(
        **{name: getattr(form, name).data for name in agreements.Agreement.__annotations__}
    )
    try:
        agreements.record(
            db,
            application,
            placement,
            values,
            current_positions(),
            current_user.username,
            current_app.config["MAIL_FROM"],
            clock.today(),
        )
    except agreements.AgreementRefused as refusal:
        db.rollback()
        for name, message in refusal.fields.items():
            getattr(form, name).errors.append(message)
        return _agreement_page(_placement(placement_id), form, 422)
    except TransitionRefused as refusal:
        form.agreement_date.errors.append(str(refusal))
        return _agreement_page(_placement(placement_id), form, 409)
    db.commit()
    queue_application_emails(db, application.id)
    enqueue("a look for filled positions", reflect_filled_positions)
    flash(f"已登记 {application.reference} 的见习协议和保险。")
    return redirect(url_for("unit.placements"), code=303)


@bp.post("/placements/<int:placement_id>/start")
@role_required("unit")
def start(placement_id: int):
    placement = _placement(placement_id)
    db = get_session()
    application = db.get(Application, placement.application_id)
    assert application is not None  # nosec B101
    today = clock.today()
    if placement.start_date is None or placement.start_date > today:
        flash("见习开始日期还没到，到期后系统会自动登记上岗。")
        return redirect(url_for("unit.placements"), code=303)
    try:
        services.transition(
            db,
            application,
            "active",
            current_user.username,
            "",
            current_app.config["MAIL_FROM"],
            positions=current_positions(),
        )
    except TransitionRefused as refusal:
        flash(str(refusal))
        return redirect(url_for("unit.placements"), code=303)
    db.commit()
    queue_application_emails(db, application.id)
    flash(f"已登记 {application.reference} 上岗。")
    return redirect(url_for("unit.placements"), code=303)
