"""/status: reference plus phone or email gives the state, its history and the positions applied
for; anything else gives the same neutral answer, so the page reveals nothing about who applied.
An open application can be withdrawn from here, with a reason."""

from flask import Blueprint, abort, current_app, render_template
from flask_wtf.csrf import CSRFError

from ...catalogue.positions import current_positions
from ...core import clock, throttle
from ...core.db import get_session
from ...core.throttle import limiter, post_limit
from .. import placements, services
from ..models import Application
from ..selection import answers, offers
from ..selection.outcomes import all_passed_over
from ..services import TransitionRefused
from ..states import ALLOWED, CHOICE_OUTCOMES, STATE_LABELS
from ..tasks import queue_application_emails
from ..workfile import destinations, plans, ratings, rules
from ..workfile import services as workfile
from ..workfile.forms import with_errors
from .forms import AnswerForm, DestinationForm, PlanReadForm, RatingForm, StatusForm, WithdrawForm
from .services import look_up_status

bp = Blueprint("status", __name__)


def _page(
    form: StatusForm,
    application: Application | None = None,
    not_found: bool = False,
    notice: str = "",
    withdraw: WithdrawForm | None = None,
    status: int = 200,
    destination: DestinationForm | None = None,
    rating: RatingForm | None = None,
):
    """The page, with the application's choices, while it is open the withdraw form, and once the
    internship has ended the destination to confirm."""
    can_withdraw = application is not None and "withdrawn" in ALLOWED[application.state]
    placement = placements.placement_of(get_session(), application.id) if application is not None else None
    if can_withdraw and withdraw is None:
        withdraw = WithdrawForm(
            formdata=None, prefix="withdraw", reference=form.reference.data, contact=form.contact.data
        )
    work = _work_file(application)
    return render_template(
        "status.html",
        form=form,
        application=application,
        positions=current_positions() if application is not None else None,
        not_found=not_found,
        notice=notice,
        withdraw=withdraw if can_withdraw else None,
        labels=STATE_LABELS,
        outcomes=CHOICE_OUTCOMES,
        passed_over=application is not None and all_passed_over(application),
        positions_url=current_app.config["CATALOGUE_URL"].rstrip("/") + "/positions/",
        placement=placement if placement is not None and not placement.ended else None,
        offer_link=_offer_link(application, placement),
        work=work,
        **_at_the_end(form, application, work, destination, rating),
        **_training_plan(form, work),
        statuses=rules.TASK_STATUSES,
        criteria=rules.CRITERIA,
        month_label=rules.month_label,
    ), status


def _at_the_end(
    form: StatusForm,
    application: Application | None,
    work: workfile.WorkFile | None,
    destination: DestinationForm | None,
    rating: RatingForm | None,
) -> dict[str, object]:
    """What the intern does once the internship has ended: confirm the destination the unit
    recorded, and rate the internship once it has completed (or read the rating given)."""
    if work is None or application is None:
        return {"destination": None, "rating": None, "rated": None}
    carried = {"reference": form.reference.data, "contact": form.contact.data}
    placement = work.placement
    if destination is None and placement.destination is not None:
        destination = DestinationForm(
            formdata=None,
            prefix="destination",
            destination=placement.destination,
            destination_detail=placement.destination_detail,
            **carried,
        )
    rated = ratings.rating_of(get_session(), placement) if application.state == "completed" else None
    if rating is None and rated is None and application.state == "completed":
        rating = RatingForm(formdata=None, prefix="rating", **carried)
    return {
        "destination": destination,
        "destination_label": destinations.label(placement),
        "rating": rating if rated is None else None,
        "rated": rated,
        "aspects": ratings.ASPECTS,
    }


def _training_plan(form: StatusForm, work: workfile.WorkFile | None) -> dict[str, object]:
    """The training plan once the mentor confirmed it, with the button to confirm reading it."""
    plan = plans.plan_of(get_session(), work.placement) if work is not None else None
    if plan is None or plan.signed_off_at is None:
        return {"plan": None}
    carried = {"reference": form.reference.data, "contact": form.contact.data}
    return {
        "plan": plan,
        "plan_milestones": plans.milestones_of(plan),
        "plan_read": PlanReadForm(formdata=None, prefix="plan", **carried) if plan.read_at is None else None,
    }


def _work_file(application: Application | None) -> workfile.WorkFile | None:
    """The intern's own attendance, tasks and evaluation, once the unit keeps a work file; the
    mentor's notes stay the unit's."""
    if application is None or application.state not in rules.KEPT_IN:
        return None
    kept = workfile.kept_placement(get_session(), application.id)
    return workfile.load(get_session(), kept) if kept is not None else None


def _offer_link(application: Application | None, placement) -> str:
    """The answer page of an offer still waiting for the student."""
    if application is None or placement is None or application.state != "offered" or placement.accepted_at:
        return ""
    return f"/offer/{offers.token(placement, current_app.config['SECRET_KEY'])}"


def _locked(form: StatusForm, until, now):
    minutes = throttle.minutes_left(until, now)
    return _page(form, notice=f"这个报名编号的查询次数过多，请 {minutes} 分钟后再试。", status=429)


def _look_up_again(reference: str | None, contact: str | None):
    """An action on /status looks the application up again with the reference and contact its form
    carried, throttled like the look-up: the status form, the application, and the page to answer
    with when there is none (locked or not found)."""
    form = StatusForm(formdata=None, reference=reference, contact=contact)
    db, now = get_session(), clock.now()
    application, locked = look_up_status(db, reference or "", contact or "", now)
    db.commit()
    if locked is not None:
        return form, None, _locked(form, locked, now)
    return form, application, None if application is not None else _page(form, not_found=True)


@bp.get("/status")
def ask():
    return _page(StatusForm())


@bp.post("/status")
@limiter.limit(post_limit)
def answer():
    form = StatusForm()
    if not form.validate():
        return _page(form, status=422)
    db, now = get_session(), clock.now()
    application, locked = look_up_status(db, form.reference.data, form.contact.data, now)
    db.commit()
    if locked is not None:
        return _locked(form, locked, now)
    return _page(form, application, not_found=application is None)


@bp.post("/status/withdraw")
@limiter.limit(post_limit)
def withdraw():
    """Withdraw after looking the application up again with the same reference and contact."""
    withdraw_form = WithdrawForm(prefix="withdraw")
    form, application, answered = _look_up_again(withdraw_form.reference.data, withdraw_form.contact.data)
    if application is None:
        return answered
    db = get_session()
    if not withdraw_form.validate():
        return _page(form, application, withdraw=withdraw_form, status=422)
    try:
        services.transition(
            db,
            application,
            "withdrawn",
            services.APPLICANT_ACTOR,
            withdraw_form.reason.data.strip(),
            current_app.config["MAIL_FROM"],
            positions=current_positions(),
            today=clock.today(),
        )
    except TransitionRefused as refusal:
        return _page(form, db.get(Application, application.id), notice=str(refusal), status=409)
    answers.withdrawn(
        db,
        application,
        offers.Mail.of(current_app.config),
        current_positions(),
    )
    db.commit()
    queue_application_emails(db, application.id)
    return _page(form, application, notice="您的报名已撤回，确认邮件已发往报名邮箱。")


@bp.post("/status/destination")
@limiter.limit(post_limit)
def confirm_destination():
    """The intern confirms or corrects the destination, after the same look-up as withdrawing."""
    given = DestinationForm(prefix="destination")
    form, application, answered = _look_up_again(given.reference.data, given.contact.data)
    if application is None:
        return answered
    db, now = get_session(), clock.now()
    kept = workfile.kept_placement(db, application.id)
    if kept is None or kept.destination is None:
        return _page(form, application, notice="单位尚未登记您的去向，登记后可以在这里确认。", status=409)
    if not given.validate():
        return _page(form, application, destination=given, status=422)
    try:
        changed = destinations.confirm_by_intern(
            db, kept, given.destination.data, given.destination_detail.data or "", now
        )
    except rules.Refused as refused:
        return _page(form, application, destination=with_errors(given, refused), status=422)
    db.commit()
    notice = "已更正您的去向，谢谢。" if changed else "已确认您的去向，谢谢。"
    return _page(form, application, notice=notice)


@bp.post("/status/plan")
@limiter.limit(post_limit)
def read_plan():
    """The intern confirms having read the training plan, after the same look-up as withdrawing."""
    given = PlanReadForm(prefix="plan")
    form, application, answered = _look_up_again(given.reference.data, given.contact.data)
    if application is None:
        return answered
    db = get_session()
    kept = workfile.kept_placement(db, application.id)
    if kept is None or not plans.confirm_read(db, kept, clock.now()):
        return _page(form, application, notice="导师确认培养计划后才能阅读确认。", status=409)
    db.commit()
    return _page(form, application, notice="已确认阅读培养计划。")


@bp.post("/status/rating")
@limiter.limit(post_limit)
def rate():
    """The intern rates the internship once it has completed, after the same look-up as withdrawing."""
    given = RatingForm(prefix="rating")
    form, application, answered = _look_up_again(given.reference.data, given.contact.data)
    if application is None:
        return answered
    db = get_session()
    kept = workfile.kept_placement(db, application.id)
    if kept is None or application.state != "completed":
        return _page(form, application, notice="见习结束后才能评价本次见习。", status=409)
    if not given.validate():
        return _page(form, application, rating=given, status=422)
    try:
        ratings.rate(db, kept, given.scores(), given.comment.data or "", clock.now())
    except rules.Refused as refused:
        return _page(form, application, rating=with_errors(given, refused), status=422)
    except ratings.AlreadyRated:
        return _page(form, db.get(Application, application.id), notice=ratings.RATED, status=409)
    db.commit()
    return _page(form, application, notice="感谢您的评价！单位看不到您的评价，市项目办只汇总统计。")


def _offer(token: str):
    found = offers.from_token(get_session(), token, current_app.config["SECRET_KEY"])
    if found is None:
        abort(404)
    return found


def _offer_page(
    token: str, application, placement, form: AnswerForm | None = None, notice: str = "", status: int = 200
):
    positions = current_positions()
    entry = positions.by_id.get(placement.position_id)
    waiting = application.state == "offered" and not placement.ended and placement.accepted_at is None
    return render_template(
        "offer.html",
        token=token,
        application=application,
        placement=placement,
        entry=entry,
        unit=positions.unit_of(entry) if entry else None,
        waiting=waiting and (placement.deadline is None or placement.deadline >= clock.now()),
        lapsed=waiting and placement.deadline is not None and placement.deadline < clock.now(),
        form=form or AnswerForm(formdata=None),
        notice=notice,
        labels=STATE_LABELS,
    ), status


@bp.get("/offer/<token>")
def offer(token: str):
    """The offer email's link: the offer, its deadline, and the accept and decline buttons."""
    application, placement = _offer(token)
    return _offer_page(token, application, placement)


@bp.post("/offer/<token>")
@limiter.limit(post_limit)
def answer_offer(token: str):
    application, placement = _offer(token)
    form = AnswerForm()
    if not form.validate() or form.answer.data not in ("accept", "decline"):
        return _offer_page(token, application, placement, form, "请选择接受或谢绝录用", 422)
    db, mail = get_session(), offers.Mail.of(current_app.config)
    try:
        if form.answer.data == "accept":
            answers.accept(db, application, placement, mail, current_positions(), clock.now())
            notice = (
                "您已接受录用，确认邮件已发出。单位将联系您签订见习协议；您其他尚在进行的报名已自动撤回。"
            )
        else:
            answers.decline(
                db, application, placement, form.reason.data or "", mail, current_positions(), clock.now()
            )
            notice = "您已谢绝这份录用，确认邮件已发出；您其他意向岗位的遴选照常进行。"
    except answers.AnswerRefused as refusal:
        application, placement = _offer(token)
        return _offer_page(token, application, placement, notice=str(refusal), status=409)
    db.commit()
    queue_application_emails(db, application.id)
    application, placement = _offer(token)
    return _offer_page(token, application, placement, notice=notice)


@bp.errorhandler(CSRFError)
def _expired(_error: CSRFError):
    return _page(StatusForm(), notice="页面停留时间过长，请再查询一次。", status=400)
