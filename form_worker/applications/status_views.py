"""/status: reference plus phone or email gives the state and its history; anything else gives
the same neutral answer, so the page reveals nothing about who applied."""

from flask import Blueprint, render_template
from flask_wtf.csrf import CSRFError

from ..core.db import get_session
from ..core.limits import limiter, post_limit
from .forms import StatusForm
from .services import find_for_status
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
    application = find_for_status(get_session(), form.reference.data, form.contact.data)
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
