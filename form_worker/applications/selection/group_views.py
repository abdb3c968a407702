"""A unit records one group insurance policy and agreement date for several interns at once (issue
21: ten interns were ten pages of eight fields), each checked as if recorded alone."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ...accounts.auth import role_required
from ...catalogue.positions import Positions, current_positions
from ...core import clock
from ...core.db import get_session
from ...core.queue import enqueue
from .. import scope
from ..models import Application, Placement
from ..services import TransitionRefused
from ..tasks import queue_application_emails
from . import agreements
from .forms import GroupAgreementForm
from .tasks import reflect_filled_positions

bp = Blueprint("unit_agreements", __name__, url_prefix="/staff/unit")


def _waiting(positions: Positions) -> list[tuple[Application, Placement]]:
    """This unit's interns who accepted and have no agreement yet, oldest offer first."""
    db = get_session()
    query = (
        select(Application, Placement)
        .join(Placement, Placement.application_id == Application.id)
        .where(
            Placement.position_id.in_(scope.unit_position_ids(positions, current_user.unit)),
            Placement.ended.is_(False),
            Placement.accepted_at.is_not(None),
            Application.state == "offered",
        )
        .order_by(Placement.id)
    )
    return [(row[0], row[1]) for row in db.execute(query).all()]


def _page(form: GroupAgreementForm, waiting: list, problems: dict[str, str] | None = None, status: int = 200):
    return render_template(
        "staff/unit/group_agreement.html", form=form, waiting=waiting, problems=problems or {}
    ), status


@bp.route("/placements/agreements", methods=["GET", "POST"])
@role_required("unit")
def group_agreement():
    positions = current_positions()
    waiting = _waiting(positions)
    form = GroupAgreementForm()
    form.placements.choices = [
        (p.id, f"{a.reference} {a.name}（{positions.by_id[p.position_id].position.title}）")
        if p.position_id in positions.by_id
        else (p.id, f"{a.reference} {a.name}")
        for a, p in waiting
    ]
    if not form.is_submitted() or not form.validate():
        return _page(form, waiting, status=422 if form.errors else 200)
    chosen = set(form.placements.data or [])
    common = {
        name: getattr(form, name).data
        for name in (
            "agreement_date",
            "start_date",
            "end_date",
            "insurer",
            "policy_number",
            "cover_start",
            "cover_end",
        )
    }
    signed = [
        (a, p, agreements.Agreement(allowance=positions.by_id[p.position_id].position.allowance, **common))
        for a, p in waiting
        if p.id in chosen and p.position_id in positions.by_id
    ]
    db = get_session()
    try:
        agreements.record_group(
            db, signed, positions, current_user.username, current_app.config["MAIL_FROM"], clock.today()
        )
    except (agreements.AgreementRefused, TransitionRefused) as refusal:
        db.rollback()
        problems = refusal.fields if isinstance(refusal, agreements.AgreementRefused) else {"": str(refusal)}
        return _page(form, _waiting(positions), problems, 422)
    db.commit()
    queue_application_emails(db, *(a.id for a, _, _ in signed))
    enqueue("a look for filled positions", reflect_filled_positions)
    flash(f"已为 {len(signed)} 名见习生登记见习协议和团体保险。")
    return redirect(url_for("unit.placements"), code=303)
