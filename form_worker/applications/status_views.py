"""/status: reference plus phone or email gives the state and its history; anything else gives
the same neutral answer, so the page reveals nothing about who applied."""

from flask import Blueprint, render_template
from flask_wtf.csrf import CSRFError

from ..core import throttle
from ..core.db import get_session
from ..core.limits import limiter, post_limit
from ..core.models import utcnow
from .forms import StatusForm
from .services import look_up_status
from .states import STATE_LABELS

bp = Blueprint("status", __name__)


@bp.get("/status")
def ask():
    return render_template("status.html", form=StatusForm(), application=None, not_found=False)


@bp.post("/status")
@limiter.limit(post_limit)
def answer():
    form = StatusForm()
    if not form.validate():
        return render_template("status.html", form=form, application=None, not_found=False), 422
    db, now = get_session(), utcnow()
    application, locked = look_up_status(db, form.reference.data, form.contact.data, now)
    db.commit()
    if locked is not None:
        notice = f"这个报名编号的查询次数过多，请 {throttle.minutes_left(locked, now)} 分钟后再试。"
        return render_template(
            "status.html", form=form, application=None, not_found=False, notice=notice
        ), 429
    return render_template(
        "status.html", form=form, application=application, not_found=application is None, labels=STATE_LABELS
    )


@bp.errorhandler(CSRFError)
def _expired(_error: CSRFError):
    return render_template(
        "status.html",
        form=StatusForm(),
        application=None,
        not_found=False,
        notice="页面停留时间过长，请再查询一次。",
    ), 400
