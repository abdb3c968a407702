"""/status: reference plus phone or email gives the state, its history and the positions applied
for; anything else gives the same neutral answer, so the page reveals nothing about who applied.
An open application can be withdrawn from here, with a reason; the offer is answered here too. What
the intern does here once placed (the plan, the weekly log, the destination, the rating) is in
status_parts.py and intern_views.py."""

from flask import Blueprint, abort, current_app, render_template
from flask_wtf.csrf import CSRFError

from ...catalogue.positions import current_positions
from ...core import clock, throttle
from ...core.db import get_session
from ...core.forms import Form
from ...core.throttle import limiter, post_limit
from .. import placements, services
from ..models import Application
from ..selection import answers, offers
from ..selection.outcomes import all_passed_over
from ..services import TransitionRefused
from ..states import ALLOWED, CHOICE_OUTCOMES, STATE_LABELS
from ..tasks import queue_application_emails
from . import status_parts
from .forms import AnswerForm, StatusForm, WithdrawForm
from .services import look_up_status

bp = Blueprint("status", __name__)


def status_page(
    form: StatusForm,
    application: Application | None = None,
    not_found: bool = False,
    notice: str = "",
    status: int = 200,
    withdraw: WithdrawForm | None = None,
    **given: Form,
):
    """The page, with the application's choices, while it is open the withdraw form, and from the
    signed agreement on the intern's part (status_parts). `given`: a form the intern posted, by
    its part's name, to show again with its errors."""
    can_withdraw = application is not None and "withdrawn" in ALLOWED[application.state]
    placement = placements.placement_of(get_session(), application.id) if application is not None else None
    if can_withdraw and withdraw is None:
        withdraw = WithdrawForm(
            formdata=None, prefix="withdraw", reference=form.reference.data, contact=form.contact.data
        )
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
        **status_parts.intern_part(form, application, clock.today(), given),
    ), status


def _offer_link(application: Application | None, placement) -> str:
    """The answer page of an offer still waiting for the student."""
    if application is None or placement is None or application.state != "offered" or placement.accepted_at:
        return ""
    return f"/offer/{offers.token(placement, current_app.config['SECRET_KEY'])}"


def _locked(form: StatusForm, until, now):
    minutes = throttle.minutes_left(until, now)
    return status_page(form, notice=f"这个报名编号的查询次数过多，请 {minutes} 分钟后再试。", status=429)


def look_up_again(reference: str | None, contact: str | None):
    """An action on /status looks the application up again with the reference and contact its form
    carried, throttled like the look-up: the status form, the application, and the page to answer
    with when there is none (locked or not found)."""
    form = StatusForm(formdata=None, reference=reference, contact=contact)
    db, now = get_session(), clock.now()
    application, locked = look_up_status(db, reference or "", contact or "", now)
    db.commit()
    if locked is not None:
        return form, None, _locked(form, locked, now)
    return form, application, None if application is not None else status_page(form, not_found=True)


@bp.get("/status")
def ask():
    return status_page(StatusForm())


@bp.post("/status")
@limiter.limit(post_limit)
def answer():
    form = StatusForm()
    if not form.validate():
        return status_page(form, status=422)
    db, now = get_session(), clock.now()
    application, locked = look_up_status(db, form.reference.data, form.contact.data, now)
    db.commit()
    if locked is not None:
        return _locked(form, locked, now)
    return status_page(form, application, not_found=application is None)


@bp.post("/status/withdraw")
@limiter.limit(post_limit)
def withdraw():
    """Withdraw after looking the application up again with the same reference and contact."""
    withdraw_form = WithdrawForm(prefix="withdraw")
    form, application, answered = look_up_again(withdraw_form.reference.data, withdraw_form.contact.data)
    if application is None:
        return answered
    db = get_session()
    if not withdraw_form.validate():
        return status_page(form, application, withdraw=withdraw_form, status=422)
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
        return status_page(form, db.get(Application, application.id), notice=str(refusal), status=409)
    answers.withdrawn(
        db,
        application,
        offers.Mail.of(current_app.config),
        current_positions(),
    )
    db.commit()
    queue_application_emails(db, application.id)
    return status_page(form, application, notice="您的报名已撤回，确认邮件已发往报名邮箱。")


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
def expired(_error: CSRFError):
    return status_page(StatusForm(), notice="页面停留时间过长，请再查询一次。", status=400)
