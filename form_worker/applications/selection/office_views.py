"""The office's overview of placements: every open placement with what is still missing (agreement,
dates, allowance, insurance, and a month after the start a training plan the mentor confirmed),
and the approval of an allowance below the advertised amount.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ...accounts import audit
from ...accounts.auth import office_only
from ...catalogue.positions import current_positions
from ...core import clock
from ...core.db import get_session
from ...core.paging import paginate
from ..models import Application, Placement
from ..workfile import plans
from . import rules

bp = Blueprint("placements", __name__, url_prefix="/staff")


@bp.get("/placements")
@office_only
def placements_overview():
    db = get_session()
    query = (
        select(Placement)
        .join(Application, Application.id == Placement.application_id)
        .where(Placement.ended.is_(False), Application.state.in_(("offered", "agreement_signed", "active")))
        .order_by(Placement.id)
    )
    page = paginate(db, query)
    plan = plans.plan_gaps(db, page.items, clock.today())
    ids = [p.application_id for p in page.items]
    applications = {a.id: a for a in db.scalars(select(Application).where(Application.id.in_(ids)))}
    return render_template(
        "staff/placements.html",
        page=page,
        applications=applications,
        positions=current_positions(),
        missing={p.id: rules.agreement_gaps(p) + plan[p.id] for p in page.items},
    )


@bp.post("/placements/<int:placement_id>/allowance")
@office_only
def allowance_approval(placement_id: int):
    """The office approves an allowance below the position's advertised amount for one placement."""
    db = get_session()
    placement = db.get(Placement, placement_id)
    if placement is None:
        abort(404)
    placement.allowance_approved = True
    audit.record(db, current_user.username, "allowance_approval", str(placement.application_id))
    db.commit()
    flash("已批准：该见习生的每月基本生活费可低于岗位公布的标准，单位可登记协议。")
    return redirect(url_for("placements.placements_overview"), code=303)
