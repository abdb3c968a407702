"""/status: reference plus phone or email gives the state, its history and the positions applied
for; anything else gives the same neutral answer, so the page reveals nothing about who applied.
An open application can be withdrawn from here, with a reason."""

from flask import Blueprint, current_app, render_template
from flask_wtf.csrf import CSRFError

from ..catalogue.positions import current_positions
from ..core import throttle
from ..core.db import get_session
from ..core.limits import limiter, post_limit
from ..core.models import utcnow
from . import services
from .forms import StatusForm, WithdrawForm
from .models import Application
from .services import TransitionRefused, look_up_status
from .states import ALLOWED, STATE_LABELS
from .tasks import queue_application_emails

bp = Blueprint("status", __name__)


def _page(
    form: StatusForm,
    application: Application | None = None,
    not_found: bool = False,
    notice: str = "",
    withdraw: WithdrawForm | None = None,
    status: int = 200,
):
    """The page, with the application's choices and, while it is open, the withdraw form."""
    can_withdraw = application is not None and "withdrawn" in ALLOWED[application.state]
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
    ), status


def _locked(form: StatusForm, until, now):
    minutes = throttle.minutes_left(until, now)
    return _page(form, notice=f"这个报名编号的查询次数过多，请 {minutes} 分钟后再试。", status=429)


@bp.get("/status")
def ask():
    return _page(StatusForm())


@bp.post("/status")
@limiter.limit(post_limit)
def answer():
    form = StatusForm()
    if not form.validate():
        return _page(form, status=422)
    db, now = get_session(), utcnow()
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
    form = StatusForm(
        formdata=None, reference=withdraw_form.reference.data, contact=withdraw_form.contact.data
    )
    db, now = get_session(), utcnow()
    application, locked = look_up_status(db, form.reference.data or "", form.contact.data or "", now)
    db.commit()
    if locked is not None:
        return _locked(form, locked, now)
    if application is None:
        return _page(form, not_found=True)
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
        )
    except TransitionRefused as refusal:
        return _page(form, db.get(Application, application.id), notice=str(refusal), status=409)
    db.commit()
    queue_application_emails(db, application.id)
    return _page(form, application, notice="您的报名已撤回，确认邮件已发往报名邮箱。")


@bp.errorhandler(CSRFError)
def _expired(_error: CSRFError):
    return _page(StatusForm(), notice="页面停留时间过长，请再查询一次。", status=400)
