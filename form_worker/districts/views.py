"""A district account's own page: the interns placed in its district's units (interns.py). Its
units and their positions are on the units pages, its statistics on /staff/stats, both held to
its district."""

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from ..accounts.auth import role_required
from ..accounts.services import DISTRICT_ROLES
from ..applications.states import STATE_LABELS
from ..catalogue.positions import current_positions
from ..core.db import get_session
from ..core.paging import PAGE_SIZE, Page, page_number
from . import interns

bp = Blueprint("district", __name__, url_prefix="/staff/district")


@bp.get("/interns")
@role_required(*DISTRICT_ROLES)
def interns_list():
    positions = current_positions()
    db = get_session()
    state = request.args.get("state", "")
    query = interns.placed_query(interns.district_positions(positions, current_user.district), state)
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = min(page_number(), max(1, -(-total // PAGE_SIZE)))
    rows = db.execute(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).all()
    return render_template(
        "staff/district/interns.html",
        page=Page([interns.as_intern(a, p) for a, p in rows], number, total, PAGE_SIZE),
        positions=positions,
        state=state,
        states=[(s, STATE_LABELS[s]) for s in interns.PLACED_STATES],
        state_labels=STATE_LABELS,
    )
