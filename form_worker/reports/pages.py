"""What the office's and the unit's report pages share: the month range of a request, the claim
list's workbook sent after an audit entry, and the certificate page over one scoped query.

Downloads are posted forms (CSRF and an audit entry, like the exports).
"""

import io
from collections.abc import Mapping

from flask import abort, current_app, render_template, send_file
from flask_login import current_user

from ..accounts import audit
from ..catalogue.positions import current_positions
from ..core import clock
from ..core.db import get_session
from ..core.downloads import XLSX_TYPE, download_name, write_xlsx
from . import certificates, months, subsidy

ALL_UNITS = ""


def month_range_of(args: Mapping[str, str]) -> tuple[subsidy.MonthRange | None, dict[str, str]]:
    return months.parse_range(args, clock.today())


def claims_workbook(units: list[subsidy.UnitClaims], month_range: subsidy.MonthRange) -> bytes:
    return write_xlsx(
        [
            ("申领名单", *subsidy.claim_table(units, month_range)),
            ("缺漏情况", *subsidy.gap_table(units)),
        ]
    )


def send_claims(units: list[subsidy.UnitClaims], month_range: subsidy.MonthRange, target: str, title: str):
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
    day = clock.today().strftime("%Y%m%d")
    months = f"{month_range.first:%Y%m}-{month_range.last:%Y%m}"
    name = download_name("见习补贴申领名单", title, months, day) + ".xlsx"
    data = claims_workbook(units, month_range)
    return send_file(io.BytesIO(data), mimetype=XLSX_TYPE, as_attachment=True, download_name=name)


# ---------------------------------------------------------------- the certificate


def certificate_page(placement_id: int, unit: str | None):
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
