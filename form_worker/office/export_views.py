"""Downloads for staff: applications per position, unit or university, the whole catalogue, and the
positions laid out for re-keying into the national systems (one unit, or the programme year's).

Exports are posted forms, so each one is an action with a CSRF token and an audit entry. Sensitive
priority-group columns need an admin who ticks the box; that export is logged as export_sensitive.
"""

import io

from flask import Blueprint, Response, abort, current_app, render_template, send_file
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from site_builder import spreadsheet
from site_builder.model.catalogue import PositionEntry

from ..accounts import audit
from ..accounts.auth import office_only
from ..applications.models import Application, Choice, Placement
from ..applications.states import STATE_LABELS
from ..applications.tables import application_table
from ..catalogue.positions import Positions, current_positions
from ..core import clock
from ..core.db import get_session
from ..core.downloads import CSV_TYPE, XLSX_TYPE, download_name, write_csv, write_xlsx
from . import national
from .forms import ExportForm, NationalExportForm

bp = Blueprint("exports", __name__, url_prefix="/staff")
SCOPES = {"position": "岗位", "unit": "单位", "university": "高校"}


def _keys(scope: str, positions: Positions) -> list[tuple[str, str]]:
    """What one can export by: positions, units, or the universities applicants named."""
    if scope == "position":
        return [
            (e.id, f"{positions.unit_of(e).name} · {e.position.title}")
            for e in sorted(positions.by_id.values(), key=lambda e: e.id)
        ]
    if scope == "unit":
        return sorted(
            ((slug, u.unit.name) for slug, u in positions.catalogue.units.items()), key=lambda u: u[0]
        )
    found = get_session().scalars(select(Application.university).distinct().order_by(Application.university))
    return [(name, name) for name in found]


def _forms(positions: Positions) -> dict[str, ExportForm]:
    forms = {}
    for scope in SCOPES:
        form = ExportForm(scope=scope, prefix=scope)
        form.key.choices = _keys(scope, positions)
        forms[scope] = form
    return forms


def _national_form(positions: Positions) -> NationalExportForm:
    form = NationalExportForm(prefix="national")
    year = current_app.config["PROGRAMME_YEAR"]
    form.unit.choices = [("", f"全部单位（{year} 年发布的岗位）"), *_keys("unit", positions)]
    return form


def _page(
    positions: Positions,
    forms: dict[str, ExportForm] | None = None,
    national_form: NationalExportForm | None = None,
) -> str:
    return render_template(
        "staff/exports.html",
        forms=forms or _forms(positions),
        scopes=SCOPES,
        national=national_form or _national_form(positions),
        year=current_app.config["PROGRAMME_YEAR"],
    )


@bp.get("/exports")
@office_only
def exports():
    return _page(current_positions())


def _applications(scope: str, key: str) -> list[Application]:
    query = select(Application).options(selectinload(Application.choices)).order_by(Application.id)
    if scope == "university":
        query = query.where(Application.university == key)
    elif scope == "position":
        query = query.where(Application.choices.any(Choice.position_id == key))
    else:
        query = query.where(
            Application.choices.any(Choice.position_id.startswith(key + "/", autoescape=True))
        )
    return list(get_session().scalars(query))


@bp.post("/exports/applications/<scope>")
@office_only
def export_applications(scope: str):
    if scope not in SCOPES:
        abort(404)
    positions = current_positions()
    form = ExportForm(prefix=scope)
    keys = dict(_keys(scope, positions))
    if not form.validate() or form.key.data not in keys or form.format.data not in ("xlsx", "csv"):
        forms = _forms(positions)
        forms[scope] = form
        form.key.choices = list(keys.items())
        form.key.errors = [*form.key.errors, f"请选择要导出的{SCOPES[scope]}"]
        return _page(positions, forms), 422
    sensitive = bool(form.sensitive.data)
    if sensitive and not current_user.is_admin:
        abort(403)
    db = get_session()
    rows = _applications(scope, form.key.data)
    # Ended placements first, so an application's open (or latest) placement is the one kept.
    query = (
        select(Placement)
        .where(Placement.application_id.in_([a.id for a in rows]))
        .order_by(Placement.ended.desc(), Placement.id)
    )
    placements = {p.application_id: p for p in db.scalars(query)}
    headers, table = application_table(rows, positions, STATE_LABELS, placements, sensitive=sensitive)
    audit.record(
        db,
        current_user.username,
        "export_sensitive" if sensitive else "export",
        f"{scope}:{form.key.data}",
        format=form.format.data,
        rows=len(table),
    )
    db.commit()
    day = clock.today().strftime("%Y%m%d")
    name = download_name("报名名单", SCOPES[scope], keys[form.key.data], day)
    if form.format.data == "csv":
        data, mimetype, name = write_csv(headers, table), CSV_TYPE, name + ".csv"
    else:
        data, mimetype, name = write_xlsx([("报名名单", headers, table)]), XLSX_TYPE, name + ".xlsx"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.post("/exports/catalogue")
@office_only
def export_catalogue():
    """The whole catalogue as the 岗位征集表, for reporting to the national office."""
    positions = current_positions()
    db = get_session()
    audit.record(db, current_user.username, "export_catalogue", "catalogue", positions=len(positions.by_id))
    db.commit()
    data = spreadsheet.workbook_bytes(spreadsheet.export_workbook(positions.catalogue))
    day = clock.today().strftime("%Y%m%d")
    return send_file(
        io.BytesIO(data), mimetype=XLSX_TYPE, as_attachment=True, download_name=f"岗位征集表-{day}.xlsx"
    )


def _national(positions: Positions, entries: list[PositionEntry], scope: str, target: str) -> Response:
    """Send the re-keying sheet for `entries`, audited as export_national with `target`."""
    db = get_session()
    audit.record(db, current_user.username, "export_national", target, positions=len(entries))
    db.commit()
    config = current_app.config
    data = national.workbook(
        positions,
        entries,
        scope,
        today=clock.today(),
        catalogue_url=config["CATALOGUE_URL"],
        registration_url=config["REGISTRATION_URL"],
    )
    name = download_name("系统录入对照表", scope, clock.today().strftime("%Y%m%d")) + ".xlsx"
    return send_file(io.BytesIO(data), mimetype=XLSX_TYPE, as_attachment=True, download_name=name)


def _national_unit(positions: Positions, unit: str) -> Response:
    found = positions.catalogue.units.get(unit)
    if found is None:
        abort(404)
    return _national(positions, national.unit_entries(positions, unit), found.unit.name, f"unit:{unit}")


@bp.post("/exports/national")
@office_only
def export_national():
    """The national systems' re-keying sheet for the unit chosen, or every unit of the programme year."""
    positions = current_positions()
    form = _national_form(positions)
    if not form.validate() or form.unit.data not in dict(form.unit.choices):
        form.unit.errors = [*form.unit.errors, "请选择要导出的单位"]
        return _page(positions, national_form=form), 422
    if form.unit.data:
        return _national_unit(positions, form.unit.data)
    year = current_app.config["PROGRAMME_YEAR"]
    return _national(positions, national.year_entries(positions, year), f"{year}年全部单位", f"year:{year}")


@bp.post("/exports/national/<unit>")
@office_only
def export_national_unit(unit: str):
    """One unit's re-keying sheet, from the office's page of that unit's submission."""
    return _national_unit(current_positions(), unit)
