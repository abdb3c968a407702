"""Reports on finished and running internships: the subsidy claim list and the certificate.

A unit account's pages sit on the `unit` blueprint (/staff/unit/…, endpoints `unit.*`), as all of
its pages do (the role × route matrix reads a route's party from its endpoint), and take the unit
from the account, never from the URL; the office's sit on the staff blueprint. The certificate has
one page per party over the same scoped query: `unit.certificate` answers 404 for another unit's
placement, `staff.certificate` shows any.

Downloads are posted forms (CSRF and an audit entry, like staff.exports); the month range of a page
is a GET query, `?from=2026-07&to=2026-12`, checked by subsidy.parse_range.
"""

import io
from collections.abc import Mapping

from flask import abort, current_app, render_template, request, send_file
from flask_login import current_user

from ..accounts import audit
from ..accounts.auth import staff_required
from ..applications.unit_views import bp as unit_bp
from ..catalogue.positions import Positions, current_positions
from ..core.db import get_session
from ..core.downloads import XLSX_TYPE, download_name, write_xlsx
from . import certificates, subsidy
from .views import bp

ALL_UNITS = ""


def _range(args: Mapping[str, str]) -> tuple[subsidy.MonthRange | None, dict[str, str]]:
    return subsidy.parse_range(args, current_app.config["CLOCK"]())


def _workbook(units: list[subsidy.UnitClaims], month_range: subsidy.MonthRange) -> bytes:
    return write_xlsx(
        [
            ("申领名单", *subsidy.claim_table(units, month_range)),
            ("缺漏情况", *subsidy.gap_table(units)),
        ]
    )


def _download(units: list[subsidy.UnitClaims], month_range: subsidy.MonthRange, target: str, title: str):
    """Record the download in the audit log, then send the workbook."""
    db = get_session()
    audit.record(
        db,
        current_user.username,
        "report_subsidy",
        target,
        **month_range.args(),
        rows=sum(len(u.rows) for u in units),
        gaps=sum(len(r.gaps) for u in units for r in u.rows),
    )
    db.commit()
    day = current_app.config["CLOCK"]().strftime("%Y%m%d")
    months = f"{month_range.first:%Y%m}-{month_range.last:%Y%m}"
    name = download_name("见习补贴申领名单", title, months, day) + ".xlsx"
    data = _workbook(units, month_range)
    return send_file(io.BytesIO(data), mimetype=XLSX_TYPE, as_attachment=True, download_name=name)


# ---------------------------------------------------------------- the unit's own list


def _unit_page(args: Mapping[str, str]):
    month_range, errors = _range(args)
    claims = None
    if month_range is not None:
        claims = subsidy.unit_claims(
            get_session(), current_positions(), current_user.unit, month_range, current_app.config["CLOCK"]()
        )
    return render_template(
        "staff/reports/subsidy_unit.html",
        month_range=month_range,
        errors=errors,
        values={name: args.get(name, "") for name in ("from", "to")},
        claims=claims,
        gap_kinds=subsidy.GAP_KINDS,
        month_label=subsidy.month_label,
        period=subsidy.internship_period,
        cover=subsidy.cover_period,
    ), (422 if errors else 200)


@unit_bp.get("/subsidy", endpoint="subsidy")
@staff_required("unit")
def unit_subsidy():
    return _unit_page(request.args)


@unit_bp.post("/subsidy.xlsx", endpoint="subsidy_download")
@staff_required("unit")
def unit_subsidy_download():
    month_range, _errors = _range(request.form)
    if month_range is None:
        return _unit_page(request.form)
    positions = current_positions()
    claims = subsidy.unit_claims(
        get_session(), positions, current_user.unit, month_range, current_app.config["CLOCK"]()
    )
    return _download([claims], month_range, f"unit:{current_user.unit}", claims.name)


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
    db, today = get_session(), current_app.config["CLOCK"]()
    if unit == ALL_UNITS:
        return subsidy.all_claims(db, positions, month_range, today)
    return [subsidy.unit_claims(db, positions, unit, month_range, today)]


def _office_page(args: Mapping[str, str]):
    positions = current_positions()
    month_range, errors = _range(args)
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
        gap_kinds=subsidy.GAP_KINDS,
        month_label=subsidy.month_label,
        period=subsidy.internship_period,
        cover=subsidy.cover_period,
    ), (422 if errors else 200)


@bp.get("/reports/subsidy")
@staff_required()
def subsidy_report():
    return _office_page(request.args)


@bp.post("/reports/subsidy.xlsx")
@staff_required()
def subsidy_report_download():
    positions = current_positions()
    month_range, errors = _range(request.form)
    unit, unit_error = _unit_choice(request.form, positions)
    if month_range is None or unit_error:
        return _office_page(request.form)
    units = _office_claims(positions, unit, month_range)
    title = units[0].name if unit != ALL_UNITS else "全部单位"
    return _download(units, month_range, f"unit:{unit or 'all'}", title)


# ---------------------------------------------------------------- the certificate


def _certificate(placement_id: int, unit: str | None):
    positions = current_positions()
    db = get_session()
    try:
        found = certificates.certificate(db, placement_id, positions, unit)
    except certificates.NotReady as not_ready:
        return render_template("staff/reports/certificate_missing.html", not_ready=not_ready), 409
    if found is None:
        abort(404)
    audit.record(db, current_user.username, "certificate_view", found.reference, placement=found.placement_id)
    db.commit()
    return render_template(
        "staff/reports/certificate.html",
        certificate=found,
        chinese_date=certificates.chinese_date,
        programme_year=found.programme_year or current_app.config["PROGRAMME_YEAR"],
    )


@unit_bp.get("/placements/<int:placement_id>/certificate", endpoint="certificate")
@staff_required("unit")
def unit_certificate(placement_id: int):
    return _certificate(placement_id, current_user.unit)


@bp.get("/placements/<int:placement_id>/certificate")
@staff_required()
def certificate(placement_id: int):
    return _certificate(placement_id, None)
