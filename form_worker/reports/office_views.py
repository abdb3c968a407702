"""The office's report pages: every unit's subsidy claim list and any intern's certificate."""

from collections.abc import Mapping

from flask import Blueprint, render_template, request

from ..accounts.auth import office_only
from ..catalogue.positions import Positions, current_positions
from ..core import clock
from ..core.db import get_session
from . import subsidy
from .pages import ALL_UNITS, certificate_page, month_range_of, send_claims

bp = Blueprint("reports", __name__, url_prefix="/staff")
# ---------------------------------------------------------------- the office's view of every unit


def _unit_choice(args: Mapping[str, str], positions: Positions) -> tuple[str, str]:
    """The chosen unit's folder ('' for every unit) and an error for one not in the catalogue."""
    unit = (args.get("unit") or "").strip()
    if unit == ALL_UNITS or unit in positions.catalogue.units:
        return unit, ""
    return ALL_UNITS, "请从列表中选择单位"


def _office_claims(
    positions: Positions, unit: str, month_range: subsidy.MonthRange
) -> list[subsidy.UnitClaims]:
    db, today = get_session(), clock.today()
    if unit == ALL_UNITS:
        return subsidy.all_claims(db, positions, month_range, today)
    return [subsidy.unit_claims(db, positions, unit, month_range, today)]


def _office_page(args: Mapping[str, str]):
    positions = current_positions()
    month_range, errors = month_range_of(args)
    unit, unit_error = _unit_choice(args, positions)
    if unit_error:
        errors = {**errors, "unit": unit_error}
    units = None
    if not errors and month_range is not None:
        # Units with gaps first, then those with interns, then the rest: the office works downwards.
        units = sorted(
            _office_claims(positions, unit, month_range),
            key=lambda u: (not u.with_gaps, not u.rows, u.slug),
        )
    return render_template(
        "staff/reports/subsidy_office.html",
        month_range=month_range,
        errors=errors,
        values={name: args.get(name, "") for name in ("from", "to")},
        unit=unit,
        unit_choices=sorted(
            ((slug, u.unit.name) for slug, u in positions.catalogue.units.items()), key=lambda u: u[0]
        ),
        units=units,
        **subsidy.TEMPLATE_HELPERS,
    ), (422 if errors else 200)


@bp.get("/reports/subsidy")
@office_only
def subsidy_report():
    return _office_page(request.args)


@bp.post("/reports/subsidy.xlsx")
@office_only
def subsidy_report_download():
    positions = current_positions()
    month_range, errors = month_range_of(request.form)
    unit, unit_error = _unit_choice(request.form, positions)
    if month_range is None or unit_error:
        return _office_page(request.form)
    units = _office_claims(positions, unit, month_range)
    title = units[0].name if unit != ALL_UNITS else "全部单位"
    return send_claims(units, month_range, f"unit:{unit or 'all'}", title)


@bp.get("/placements/<int:placement_id>/certificate")
@office_only
def certificate(placement_id: int):
    return certificate_page(placement_id, None)
