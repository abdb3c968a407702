"""The applications queue and one application's page: its answers, history and the next steps.

Views validate and persist; the state rules are services.transition and the placement rules
placements.place. Emails are queued after the commit, and the sweeper catches any that are not.
"""

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from site_builder.model.schema import MENTOR_LIMIT
from site_builder.model.vocab import POSITION_TYPES

from ...accounts import audit
from ...accounts.auth import office_only
from ...accounts.models import Account
from ...catalogue.positions import Positions, current_positions
from ...core import clock
from ...core.db import get_session
from ...core.forms import row_ids
from ...core.paging import paginate
from .. import placements, services
from ..models import Application, Choice
from ..selection import offers
from ..services import TransitionRefused
from ..states import ALLOWED, BACK_TO_FILED, BULK_TARGETS, STATE_LABELS, action_label
from ..tasks import queue_application_emails
from .forms import BulkForm, OfferForm, TransitionForm

bp = Blueprint("office_applications", __name__, url_prefix="/staff")

logger = logging.getLogger(__name__)


@bp.app_context_processor
def _state_labels() -> dict[str, object]:
    """Application states in Chinese on every staff page (the dashboard counts them too)."""
    return {"state_labels": STATE_LABELS}


def _filters() -> dict[str, str]:
    names = ("state", "type", "district", "unit", "university", "flagged", "unregistered", "q")
    return {name: request.args.get(name, "").strip() for name in names}


def _position_ids(positions: Positions, filters: dict[str, str]) -> set[str] | None:
    """Positions matching the type, district and unit filters; None when none of them is set."""
    wanted = [
        (filters["type"], lambda e: e.position.type),
        (filters["district"], lambda e: e.position.workplace.district),
        (filters["unit"], lambda e: e.unit_slug),
    ]
    if not any(value for value, _ in wanted):
        return None
    return {
        e.id for e in positions.by_id.values() if all(not value or key(e) == value for value, key in wanted)
    }


def _matching(positions: Positions, filters: dict[str, str]):
    """The applications the queue's filters select, oldest first (the list, and a bulk action on
    every matching row)."""
    query = select(Application).order_by(Application.id)
    if filters["state"] in STATE_LABELS:
        query = query.where(Application.state == filters["state"])
    if filters["flagged"]:
        query = query.where(Application.flag.is_not(None))
    if filters["unregistered"]:
        query = query.where(Application.registered.is_(False))
    if filters["university"]:
        query = query.where(Application.university.contains(filters["university"], autoescape=True))
    ids = _position_ids(positions, filters)
    if ids is not None:
        query = query.where(Application.choices.any(Choice.position_id.in_(sorted(ids))))
    if filters["q"]:
        text = filters["q"]
        query = query.where(
            or_(Application.reference == text.upper(), Application.name.contains(text, autoescape=True))
        )
    return query


@bp.get("/applications")
@office_only
def application_queue(bulk_form: BulkForm | None = None, error: str = "", status: int = 200):
    db = get_session()
    positions = current_positions()
    filters = _filters()
    query = _matching(positions, filters).options(selectinload(Application.choices))
    universities = db.scalars(select(Application.university).distinct().order_by(Application.university))
    state = filters["state"]
    bulk = {s: action_label(state, s) for s in ALLOWED.get(state, ()) if s in BULK_TARGETS}
    return render_template(
        "staff/applications.html",
        page=paginate(db, query),
        bulk=bulk,
        bulk_form=bulk_form or BulkForm(formdata=None, state=state),
        error=error,
        filters=filters,
        positions=positions,
        types=[(t, t) for t in POSITION_TYPES],
        districts=[(d, d) for d in sorted({e.position.workplace.district for e in positions.by_id.values()})],
        units=sorted(
            ((slug, u.unit.name) for slug, u in positions.catalogue.units.items()), key=lambda u: u[0]
        ),
        universities=list(universities),
    ), status


@bp.post("/applications/bulk")
@office_only
def application_bulk():
    """The selected rows of one state moved at once (approve, return to the university, reject)."""
    form = BulkForm()
    from_state, to_state = form.state.data or "", form.action.data or ""
    ids = row_ids(form.ids.data)
    if not form.validate() or to_state not in ALLOWED.get(from_state, ()) or to_state not in BULK_TARGETS:
        return application_queue(form, "请选择要办理的操作", 422)
    filters = _filters()
    if request.form.get("all") == "1" and filters["state"] == from_state:
        # Every row the filters select, not only this page's: a June afternoon's 1,000 approvals;
        # but only the rows the page counted, not ones that arrived since.
        ids = list(
            get_session().scalars(_matching(current_positions(), filters).with_only_columns(Application.id))
        )
        seen = request.form.get("seen", "")
        if seen != str(len(ids)):
            error = f"符合筛选条件的报名刚刚有变化（页面显示 {seen} 份，现在 {len(ids)} 份），请核对后再操作"
            return application_queue(form, error, 409)
    if not ids:
        return application_queue(form, "请先勾选要办理的报名", 422)
    db = get_session()
    try:
        moved = services.bulk_move(
            db,
            ids,
            from_state,
            to_state,
            current_user.username,
            form.reason.data or "",
            current_app.config["MAIL_FROM"],
            today=clock.today(),
        )
    except TransitionRefused as refusal:
        return application_queue(form, str(refusal), 422)
    db.commit()
    queue_application_emails(db, *moved)
    message = f"已办理 {len(moved)} 份报名（{action_label(from_state, to_state)}），已通知申请人。"
    if len(set(ids)) > len(moved):
        message += f"另有 {len(set(ids)) - len(moved)} 份状态已变化，未作改动。"
    flash(message)
    return redirect(url_for("office_applications.application_queue", state=from_state), code=303)


def _load(application_id: int) -> Application:
    application = get_session().get(Application, application_id)
    if application is None:
        abort(404)
    return application


def _fill_offer(form: OfferForm, application: Application, positions: Positions) -> dict[str, object]:
    """Offer choices with what is left at each position and mentor; returns the numbers for the page."""
    db = get_session()
    options: list[SelectChoice] = []
    mentors: list[SelectChoice] = []
    room: dict[str, object] = {}
    for choice in application.choices:
        entry = positions.by_id.get(choice.position_id)
        if entry is None:
            continue
        total, per_mentor = placements.taken_for(db, positions, entry)
        headcount = entry.position.headcount
        room[entry.id] = (total, headcount)
        label = f"第{choice.rank}志愿：{entry.position.title}（已录用 {total}/{headcount}）"
        options.append(SelectChoice(entry.id, label))
        mentors += [
            SelectChoice(
                m.name,
                f"{m.name}（{m.title}，在带 {per_mentor.get(m.name, 0)}/{MENTOR_LIMIT}）",
                optgroup=entry.position.title,
            )
            for m in entry.position.mentors
        ]
    form.position.choices = [SelectChoice("", "请选择岗位"), *options]
    form.mentor.choices = [SelectChoice("", "请选择导师"), *mentors]
    return room


def _detail(
    application: Application,
    transition_form: TransitionForm | None = None,
    offer_form: OfferForm | None = None,
    error: str = "",
    status: int = 200,
):
    db = get_session()
    positions = current_positions()
    transition_form = transition_form or TransitionForm()
    offer_form = offer_form or OfferForm()
    # The page shows the current state, so the next press acts on it.
    transition_form.state.data = offer_form.state.data = application.state
    room = _fill_offer(offer_form, application, positions)
    actors = [t.actor for t in application.transitions]
    names = dict(db.execute(select(Account.username, Account.name).where(Account.username.in_(actors))).all())
    # Filing goes through /staff/filing and offering through the offer form below; a proposal is
    # the unit's, for one of its positions (selection/proposals.py). Sending a proposal back to
    # filed is the office's.
    actions = {
        s: action_label(application.state, s)
        for s in ALLOWED[application.state]
        if s not in ("offered", "filed", "proposed") or (s == "filed" and application.state in BACK_TO_FILED)
    }
    # The priority-group answers only for admins, and every showing of them in the audit log.
    sensitive = current_user.is_admin and application.priority_consent
    if sensitive:
        audit.record(db, current_user.username, "view_sensitive", application.reference or "")
        db.commit()
    return render_template(
        "staff/application.html",
        application=application,
        sensitive=sensitive,
        positions=positions,
        placement=placements.placement_of(db, application.id),
        names=names,
        actions=actions,
        can_offer="offered" in ALLOWED[application.state],
        transition_form=transition_form,
        offer_form=offer_form,
        room=room,
        error=error,
        catalogue_url=current_app.config["CATALOGUE_URL"].rstrip("/") + "/",
    ), status


@bp.get("/applications/<int:application_id>")
@office_only
def application_detail(application_id: int):
    return _detail(_load(application_id))


def _move_if_current(application: Application, form: TransitionForm | OfferForm, to_state: str, **place: str):
    """Run the transition if the page the staff member saw is still current; commit it with its
    audit entry and queue the email. A refusal gives the page back with the reason."""
    kind = "offer_form" if isinstance(form, OfferForm) else "transition_form"
    if form.state.data != application.state:
        error = (
            f"这份报名刚刚已被其他工作人员处理（当前状态：{STATE_LABELS[application.state]}），"
            "请查看最新状态后再操作"
        )
        return _detail(application, error=error, status=409, **{kind: form})
    db = get_session()
    try:
        if to_state == "offered":
            offers.make_offer(
                db,
                application,
                place["position_id"],
                place["mentor"],
                offers.DEFAULT_DAYS,
                current_user.username,
                form.reason.data or "",
                offers.Mail.of(current_app.config),
                current_positions(),
                clock.now(),
            )
        else:
            services.transition(
                db,
                application,
                to_state,
                current_user.username,
                form.reason.data or "",
                current_app.config["MAIL_FROM"],
                positions=current_positions(),
                today=clock.today(),
            )
    except TransitionRefused as refusal:
        status = 409 if refusal.conflict else 422
        return _detail(_load(application.id), error=str(refusal), status=status, **{kind: form})
    db.commit()
    queue_application_emails(db, application.id)
    flash(f"已更新：{application.reference} 现为“{STATE_LABELS[to_state]}”，已通知申请人。")
    return redirect(
        url_for("office_applications.application_detail", application_id=application.id), code=303
    )


@bp.post("/applications/<int:application_id>/transition")
@office_only
def application_transition(application_id: int):
    application = _load(application_id)
    form = TransitionForm()
    if not form.validate():
        return _detail(application, transition_form=form, status=422)
    if form.to_state.data == "offered":
        error = "录用请使用下方的录用表，选择岗位和导师"
        return _detail(application, transition_form=form, error=error, status=422)
    return _move_if_current(application, form, form.to_state.data or "")


@bp.post("/applications/<int:application_id>/offer")
@office_only
def application_offer(application_id: int):
    application = _load(application_id)
    form = OfferForm()
    if not form.validate():
        return _detail(application, offer_form=form, status=422)
    return _move_if_current(
        application, form, "offered", position_id=form.position.data or "", mentor=form.mentor.data or ""
    )
