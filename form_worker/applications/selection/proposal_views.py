"""The unit's two proposal actions on a candidate's page: propose for the position (拟录用, for the
office to confirm) and take a proposal back. The offer itself stays on unit_views."""

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user

from ...accounts.auth import role_required
from ...catalogue.positions import current_positions
from ...core.db import get_session
from ..services import TransitionRefused
from . import proposals
from .unit_views import candidate_page, unit_choice

bp = Blueprint("unit_proposals", __name__, url_prefix="/staff/unit")


@bp.post("/candidates/<int:choice_id>/propose")
@role_required("unit")
def propose(choice_id: int):
    choice = unit_choice(choice_id)
    note = request.form.get("note", "").strip()[:200]
    try:
        proposals.propose(
            get_session(),
            choice,
            current_user.username,
            note,
            current_app.config["MAIL_FROM"],
            current_positions(),
        )
    except TransitionRefused as refusal:
        return candidate_page(unit_choice(choice_id), error=str(refusal), status=409)
    get_session().commit()
    flash(f"已把 {choice.application.reference} 列入拟录用名单，市项目办确认后即可发出录用通知。")
    return redirect(url_for("unit.candidate", choice_id=choice_id), code=303)


@bp.post("/candidates/<int:choice_id>/withdraw-proposal")
@role_required("unit")
def withdraw(choice_id: int):
    choice = unit_choice(choice_id)
    try:
        proposals.withdraw(get_session(), choice, current_user.username, current_app.config["MAIL_FROM"])
    except TransitionRefused as refusal:
        return candidate_page(unit_choice(choice_id), error=str(refusal), status=409)
    get_session().commit()
    flash(f"已撤回 {choice.application.reference} 的拟录用。")
    return redirect(url_for("unit.candidate", choice_id=choice_id), code=303)
