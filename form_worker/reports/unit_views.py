"""A unit's own report pages (/staff/unit/…): its subsidy claim list and its interns' certificates.

The unit comes from the account, never from the URL: another unit's placement is a 404.
"""

from collections.abc import Mapping

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..accounts.auth import role_required
from ..catalogue.positions import current_positions
from ..core import clock
from ..core.db import get_session
from . import subsidy
from .pages import certificate_page, month_range_of, send_claims

bp = Blueprint("unit_reports", __name__, url_prefix="/staff/unit")
# ---------------------------------------------------------------- the unit's own list


def _unit_page(args: Mapping[str, str]):
    month_range, errors = month_range_of(args)
    claims = None
    if month_range is not None:
        claims = subsidy.unit_claims(
            get_session(), current_positions(), current_user.unit, month_range, clock.today()
        )
    return render_template(
        "staff/reports/subsidy_unit.html",
        month_range=month_range,
        errors=errors,
        values={name: args.get(name, "") for name in ("from", "to")},
        claims=claims,
        **subsidy.TEMPLATE_HELPERS,
    ), (422 if errors else 200)


@bp.get("/subsidy", endpoint="subsidy")
@role_required("unit")
def unit_subsidy():
    return _unit_page(request.args)


@bp.post("/subsidy.xlsx", endpoint="subsidy_download")
@role_required("unit")
def unit_subsidy_download():
    month_range, _errors = month_range_of(request.form)
    if month_range is None:
        return _unit_page(request.form)
    positions = current_positions()
    claims = subsidy.unit_claims(get_session(), positions, current_user.unit, month_range, clock.today())
    return send_claims([claims], month_range, f"unit:{current_user.unit}", claims.name)


@bp.get("/placements/<int:placement_id>/certificate", endpoint="certificate")
@role_required("unit")
def unit_certificate(placement_id: int):
    return certificate_page(placement_id, current_user.unit)
