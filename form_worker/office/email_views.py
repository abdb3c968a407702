"""Failed emails: what the mail server said, and a way to send one again once the cause is fixed."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..accounts import audit
from ..accounts.auth import office_only
from ..applications.models import Application
from ..core import clock
from ..core.db import get_session
from ..core.paging import paginate
from ..outbox import services
from ..outbox.models import Outbox
from ..outbox.tasks import queue_emails

bp = Blueprint("emails", __name__, url_prefix="/staff")


@bp.get("/outbox")
@office_only
def outbox():
    db = get_session()
    page = paginate(db, select(Outbox).where(Outbox.status == "failed").order_by(Outbox.id.desc()))
    ids = {row.application_id for row in page.items if row.application_id}
    references = dict(
        db.execute(select(Application.id, Application.reference).where(Application.id.in_(ids))).all()
    )
    return render_template("staff/outbox.html", page=page, references=references)


@bp.post("/outbox/<int:outbox_id>/resend")
@office_only
def outbox_resend(outbox_id: int):
    """Put a failed email back to pending and queue it; the row's claim keeps it from going twice."""
    db = get_session()
    row = db.get(Outbox, outbox_id)
    if row is None:
        flash("没有找到这封邮件。")
        return redirect(url_for("emails.outbox"), code=303)
    if not services.resend(db, outbox_id, clock.now()):
        db.rollback()
        flash(f"发给 {row.recipient} 的邮件已在重新发送或已发出，无需再次操作。")
        return redirect(url_for("emails.outbox"), code=303)
    audit.record(
        db,
        current_user.username,
        "outbox_resend",
        f"outbox:{outbox_id}",
        # The outbox row names the recipient; the audit log, kept for good, names only the row.
        template=row.key.split(":", 1)[0],
    )
    db.commit()
    queue_emails([outbox_id])
    flash(f"已重新排队发送给 {row.recipient} 的邮件“{row.subject}”。")
    return redirect(url_for("emails.outbox"), code=303)
