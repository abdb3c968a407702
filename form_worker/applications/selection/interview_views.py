"""Interview rounds (interviews.py): the office opens one for a position, a candidate picks a time
on a phone from the emailed link, a unit sets a candidate's time itself."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from wtforms import SelectChoice

from ...accounts.auth import office_only, role_required
from ...catalogue.positions import current_positions
from ...core import clock
from ...core.db import get_session
from ...core.throttle import limiter, post_limit
from ...outbox.tasks import queue_emails
from ..models import InterviewSlot
from . import interviews
from .forms import InterviewRoundForm, UnitInterviewForm
from .offers import Mail
from .unit_views import candidate_page, unit_choice

bp = Blueprint("interviews", __name__, url_prefix="/staff")
unit_bp = Blueprint("unit_interviews", __name__, url_prefix="/staff/unit")
public_bp = Blueprint("interview", __name__)
blueprints = (bp, unit_bp, public_bp)  # the office's, the unit's and the candidate's pages


def _office_page(form: InterviewRoundForm, problems: list[str] | None = None, status: int = 200):
    positions = current_positions()
    form.position.choices = [SelectChoice("", "请选择岗位")] + [
        SelectChoice(e.id, f"{positions.unit_of(e).name} · {e.position.title}")
        for e in positions.by_id.values()
    ]
    upcoming = get_session().scalars(
        select(InterviewSlot)
        .where(InterviewSlot.starts_at > clock.now())
        .order_by(InterviewSlot.position_id, InterviewSlot.starts_at)
    )
    return render_template(
        "staff/interviews.html",
        form=form,
        problems=problems or [],
        upcoming=list(upcoming),
        positions=positions,
    ), status


@bp.route("/interviews", methods=["GET", "POST"])
@office_only
def office_round():
    if request.method == "GET":
        return _office_page(InterviewRoundForm(formdata=None))
    form = InterviewRoundForm()
    positions = current_positions()
    if not form.validate() or form.position.data not in positions.by_id:
        if form.position.data not in positions.by_id:
            form.position.errors = [*form.position.errors, "请选择岗位"]
        return _office_page(form, status=422)
    slots, problems = interviews.parse_slots(form.slots.data or "", clock.now())
    if problems:
        return _office_page(form, problems, 422)
    db = get_session()
    ids = interviews.open_round(
        db, form.position.data, slots, current_user.username, Mail.of(current_app.config), positions
    )
    db.commit()
    queue_emails(ids)
    flash(f"已开放 {len(slots)} 个面试时间，已发邮件请 {len(ids)} 位候选人选择。")
    return redirect(url_for("interviews.office_round"), code=303)


@unit_bp.post("/candidates/<int:choice_id>/interview")
@role_required("unit")
def set_time(choice_id: int):
    choice = unit_choice(choice_id)
    form = UnitInterviewForm()
    if not interviews.in_selection(choice):
        return candidate_page(choice, error="这位候选人已不在遴选中，不能安排面试", status=409)
    if not form.validate():
        return candidate_page(
            choice, error="；".join(e for errors in form.errors.values() for e in errors), status=422
        )
    starts_at = interviews.to_utc(form.starts_at.data.date(), form.starts_at.data.time())
    if starts_at <= clock.now():
        return candidate_page(choice, error="面试时间已经过去，请重新选择", status=422)
    db = get_session()
    slot = interviews.set_by_unit(
        db, choice, interviews.Slot(starts_at, form.place.data.strip()), current_user.username, clock.now()
    )
    db.commit()
    when = interviews.local_time(slot.starts_at)
    flash(f"已安排 {choice.application.reference} 的面试：{when} {slot.place}。")
    return redirect(url_for("unit.candidate", choice_id=choice_id), code=303)


def _choice(token: str):
    choice = interviews.from_token(get_session(), token, current_app.config["SECRET_KEY"])
    if choice is None:
        abort(404)
    return choice


def _public_page(token: str, notice: str = "", status: int = 200):
    choice = _choice(token)
    db = get_session()
    entry = current_positions().by_id.get(choice.position_id)
    return render_template(
        "interview.html",
        choice=choice,
        entry=entry,
        unit=current_positions().unit_of(entry) if entry else None,
        held=interviews.booking(db, choice),
        free=interviews.free_slots(db, choice.position_id, clock.now())
        if interviews.in_selection(choice)
        else [],
        open=interviews.in_selection(choice),
        notice=notice,
        local_time=interviews.local_time,
    ), status


@public_bp.get("/interview/<token>")
def pick_page(token: str):
    """The invitation's link: the free times, and the one held."""
    return _public_page(token)


@public_bp.post("/interview/<token>")
@limiter.limit(post_limit)
def pick(token: str):
    choice = _choice(token)
    slot_id = request.form.get("slot", "")
    if not interviews.in_selection(choice):
        return _public_page(token, "这个岗位的遴选已经结束，不再需要选择面试时间。", 409)
    if not slot_id.isdigit():
        return _public_page(token, "请选择一个面试时间。", 422)
    try:
        slot = interviews.pick(get_session(), choice, int(slot_id), clock.now())
    except interviews.Taken:
        return _public_page(token, "这个时间刚刚被其他同学选走了，请换一个。", 409)
    get_session().commit()
    return _public_page(
        token,
        f"已选好面试时间：{interviews.local_time(slot.starts_at)} {slot.place}。面试前一天会发邮件提醒。",
    )


@public_bp.errorhandler(CSRFError)
def _expired(_error: CSRFError):
    """A page left open too long: the same page again, with a fresh token and a word why."""
    return _public_page((request.view_args or {}).get("token", ""), "页面停留时间过长，请重新选择一次。", 400)
