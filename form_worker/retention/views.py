"""One applicant's personal data, for an admin answering a request under PIPL: what is held, a copy
of all of it (art. 45), and erasure (art. 47) through the same anonymisation as the daily purge.

Export first, then erase: the page says so and lists the exports already made, but the erase does
not require one. A person may ask only for erasure, and a forced export would leave a full copy on
an office computer after the erasure it precedes. Every export and erasure is audited with the
application's id and counts only: the audit log is kept forever, so it names no one.
"""

import datetime as dt
import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import Length

from ..accounts import audit
from ..accounts.auth import role_required
from ..accounts.models import AuditEntry
from ..applications.models import Application
from ..applications.states import STATE_LABELS
from ..core import clock
from ..core.db import get_session
from ..core.forms import Form, required
from . import access, rules, services

bp = Blueprint("retention", __name__, url_prefix="/staff")
# The grounds of PIPL art. 47 para 1 an office meets in practice, as the audit entry records them.
REASONS = {
    "request": "本人申请删除",
    "consent_withdrawn": "本人撤回同意",
    "purpose_achieved": "处理目的已实现或不再必要",
    "other": "其他法定情形",
}


class EraseForm(Form):
    """The erasure: why, and the reference typed again so that no one erases the wrong person."""

    reason = RadioField(
        "删除原因",
        choices=[SelectChoice(k, v) for k, v in REASONS.items()],
        validators=[required("删除原因")],
    )
    confirm = StringField("请输入这份报名的编号以确认", [required("报名编号"), Length(max=20)])


def _load(application_id: int) -> Application:
    application = get_session().get(Application, application_id)
    if application is None:
        abort(404)
    return application


def _target(application: Application) -> str:
    return f"application:{application.id}"


def _reference(application: Application) -> str:
    return application.reference or str(application.id)


def _page(application: Application, form: EraseForm | None = None, error: str = "", status: int = 200):
    db = get_session()
    retention = rules.from_config(current_app.config)
    exports = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "applicant_export", AuditEntry.target == _target(application))
        .order_by(AuditEntry.id.desc())
        .limit(5)
    )
    return render_template(
        "staff/personal_data.html",
        application=application,
        reference=_reference(application),
        held=access.held(db, application),
        labels=access.HELD_LABELS,
        plan=services.plan(db, application, clock.today(), retention),
        retention_date=services.retention_date(db, application, retention),
        rules=retention,
        exports=list(exports),
        form=form or EraseForm(formdata=None),
        state_label=STATE_LABELS[application.state],
        error=error,
    ), status


@bp.get("/applications/<int:application_id>/personal-data")
@role_required("admin")
def personal_data(application_id: int):
    return _page(_load(application_id))


@bp.post("/applications/<int:application_id>/personal-data/export")
@role_required("admin")
def personal_data_export(application_id: int):
    """The JSON copy, downloaded by the admin to hand to the person; audited with counts only."""
    db = get_session()
    application = _load(application_id)
    document = access.export(db, application, clock.now())
    counts = access.held(db, application)
    audit.record(db, current_user.username, "applicant_export", _target(application), format="json", **counts)
    db.commit()
    day = clock.today().strftime("%Y%m%d")
    return send_file(
        io.BytesIO(access.export_bytes(document)),
        mimetype="application/json",
        as_attachment=True,
        download_name=f"个人信息-{_reference(application)}-{day}.json",
    )


def _result(erasure: services.Erasure) -> str:
    """What the admin tells the person: what went, and what stays until when."""
    filed = (
        "全国备案名单（系统留存的导出文件）中此人的姓名、学校、专业、联系方式等也已删除。"
        if erasure.done.filing_rows
        else ""
    )
    if erasure.plan.mode == "keep_for_audit":
        until = erasure.plan.kept_until.isoformat() if erasure.plan.kept_until else ""
        return (
            "已删除个人陈述、科技社团任职和志愿服务经历说明、优先考虑情形，以及已发送邮件的正文和收件人。"
            f"{filed}已签订见习协议，姓名、联系方式、学校、专业、学历、毕业时间、办理记录、录用与协议信息和"
            f"工作档案须保留备人力社保部门核查，保留至 {until}，届时由系统自动匿名化。"
        )
    return (
        f"已删除这名申请人的个人信息。{filed}报名状态、计划年度、学校、学历、学科门类和意向岗位"
        "不含身份信息，保留用于历年统计。"
    )


@bp.post("/applications/<int:application_id>/personal-data/erase")
@role_required("admin")
def personal_data_erase(application_id: int):
    """Erase on request: the reference typed again and a reason; an open application is withdrawn first."""
    db = get_session()
    application = _load(application_id)
    form = EraseForm()
    if not form.validate():
        return _page(application, form, status=422)
    if (form.confirm.data or "").strip().upper() != _reference(application).upper():
        form.confirm.errors = [*form.confirm.errors, "报名编号不一致，未删除"]
        return _page(application, form, status=422)
    today: dt.date = clock.today()
    retention = rules.from_config(current_app.config)
    erasure = services.erase(db, application, today, clock.now(), retention)
    if erasure.plan.mode == "open":
        db.rollback()
        error = "这份报名仍在办理中：请先在报名页面办理“撤回报名”，再删除个人信息。"
        return _page(application, form, error, 409)
    audit.record(
        db,
        current_user.username,
        "applicant_erase",
        _target(application),
        reason=form.reason.data,
        mode=erasure.plan.mode,
        kept_until=erasure.plan.kept_until,
        **erasure.done.as_detail(),
    )
    db.commit()
    flash(_result(erasure))
    return redirect(url_for("retention.personal_data", application_id=application.id), code=303)
