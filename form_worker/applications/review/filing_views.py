"""The office's national filing (全国备案).

/staff/filing exports the approved applications in the layout of review/filing.py and files them
in the same action; each batch's file can be downloaded again, byte for byte.
"""

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import defer

from ...accounts import audit
from ...accounts.auth import office_only
from ...catalogue.positions import current_positions
from ...core.db import get_session
from ...core.downloads import XLSX_TYPE
from ...core.paging import paginate
from ..models import Application, FilingBatch
from ..tasks import queue_application_emails
from . import filing

bp = Blueprint("filing", __name__, url_prefix="/staff")


@bp.get("/filing")
@office_only
def filing_page():
    db = get_session()
    # The files stay in the database until downloaded: a page of batches is megabytes otherwise.
    batches = paginate(
        db, select(FilingBatch).options(defer(FilingBatch.content)).order_by(FilingBatch.id.desc())
    )
    return render_template(
        "staff/filing.html",
        waiting=filing.waiting(db),
        batches=batches,
        columns=[header for header, _ in filing.FILING_COLUMNS],
    )


@bp.post("/filing")
@office_only
def filing_export():
    """File every approved application as one batch, then offer its spreadsheet."""
    db = get_session()
    batch = filing.export(db, current_user.username, current_positions(), current_app.config["MAIL_FROM"])
    if batch is None:
        flash("没有待报备案的报名（市项目办审核通过后才会出现在这里）。")
        return redirect(url_for("filing.filing_page"), code=303)
    db.commit()
    filed = db.scalars(select(Application.id).where(Application.filing_batch_id == batch.id))
    queue_application_emails(db, *filed)
    flash(f"已登记第 {batch.id} 批全国备案，共 {batch.count} 份报名；请下载名单报全国项目管理室。")
    return redirect(url_for("filing.filing_page"), code=303)


@bp.post("/filing/<int:batch_id>.xlsx")
@office_only
def filing_download(batch_id: int):
    db = get_session()
    batch = db.get(FilingBatch, batch_id)
    if batch is None:
        abort(404)
    if not batch.content:
        flash(f"第 {batch.id} 批的名单文件已按保存期限清除（批次内的报名均已匿名化），只保留份数和校验值。")
        return redirect(url_for("filing.filing_page"), code=303)
    audit.record(db, current_user.username, "filing_download", f"batch {batch.id}", sha256=batch.sha256)
    db.commit()
    return send_file(
        io.BytesIO(batch.content),
        mimetype=XLSX_TYPE,
        as_attachment=True,
        download_name=f"全国备案名单-第{batch.id}批.xlsx",
    )
