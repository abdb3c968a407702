"""The units' standing as 就业见习单位: the office's and the districts' list of units and a unit's
page (its details, the requests to its bureau, sending the link), and the unit's own page to name
its bureau's contact. A district account sees only its district's units; its HR role answers a
request from the unit's page, as the bureau's link does.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from site_builder.model.catalogue import UnitEntry
from site_builder.model.vocab import DISTRICTS

from ..accounts.auth import OFFICE, role_required
from ..accounts.services import DISTRICT_HR, DISTRICT_ROLES
from ..catalogue.positions import current_positions
from ..core import clock
from ..core.db import get_session
from ..core.paging import PAGE_SIZE, Page, page_number
from ..outbox.tasks import queue_emails
from . import confirmations, standing, tasks
from .forms import AnswerForm, BureauContactForm

bp = Blueprint("units", __name__, url_prefix="/staff/units")
unit_bp = Blueprint("unit_confirmation", __name__, url_prefix="/staff/unit")
district_bp = Blueprint("district_units", __name__, url_prefix="/staff/district/units")
blueprints = (bp, unit_bp, district_bp)
STANDING = {"pending": "见习单位认定中", "approved": "已认定"}


def links() -> confirmations.Links:
    config = current_app.config
    return confirmations.Links(config["MAIL_FROM"], config["WORKER_URL"], config["SECRET_KEY"])


def _visible() -> list[UnitEntry]:
    """The units this account may see: every unit for the office, its district's for a district."""
    units = current_positions().catalogue.units.values()
    if current_user.role in DISTRICT_ROLES:
        return [u for u in units if u.unit.district == current_user.district]
    return list(units)


def _unit(slug: str) -> UnitEntry:
    """The unit, or 404 when it is not in the catalogue or not this account's to see."""
    found = next((u for u in _visible() if u.slug == slug), None)
    if found is None:
        abort(404)
    return found


@bp.get("/")
@role_required(*OFFICE, *DISTRICT_ROLES)
def units_list():
    db = get_session()
    wanted = request.args.get("standing", "")
    district = request.args.get("district", "") if current_user.role in OFFICE else ""
    units = sorted(_visible(), key=lambda u: (u.unit.district, u.unit.name))
    if district in DISTRICTS:
        units = [u for u in units if u.unit.district == district]
    pending = standing.pending_among(db, units)
    if wanted in STANDING:
        units = [u for u in units if (u.slug in pending) == (wanted == "pending")]
    number = min(page_number(), max(1, -(-len(units) // PAGE_SIZE)))
    shown = units[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    return render_template(
        "staff/units/list.html",
        page=Page(shown, number, len(units), PAGE_SIZE),
        pending=pending,
        latest=confirmations.latest(db, [u.slug for u in shown]),
        wanted=wanted,
        district=district,
        districts=[(d, d) for d in DISTRICTS] if current_user.role in OFFICE else [],
        standing_labels=STANDING,
        counts=_position_counts(),
    )


def _position_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in current_positions().by_id.values():
        counts[entry.unit_slug] = counts.get(entry.unit_slug, 0) + 1
    return counts


def unit_page(
    slug: str, contact: BureauContactForm | None = None, answer: AnswerForm | None = None, status: int = 200
):
    """A unit's details, its standing and requests, the form to send the link and (for the
    district's HR account) the form to answer."""
    entry = _unit(slug)
    db = get_session()
    is_pending = standing.pending(db, slug, entry.unit)
    can_answer = current_user.role == DISTRICT_HR and is_pending
    return render_template(
        "staff/units/unit.html",
        entry=entry,
        u=entry.unit,
        pending=is_pending,
        history=confirmations.history(db, slug),
        open_request=confirmations.open_request(db, slug),
        contact=contact or _proposed(confirmations.open_request(db, slug)),
        answer=(answer or AnswerForm(formdata=None)) if can_answer else None,
        can_request=current_user.role in OFFICE and is_pending,
        positions=current_positions().of_unit(slug),
        local_time=confirmations.local_time,
    ), status


def _proposed(row) -> BureauContactForm:
    """The office's form, filled with the contact the unit proposed (or last sent to)."""
    if row is None:
        return BureauContactForm(formdata=None)
    return BureauContactForm(formdata=None, contact_name=row.contact_name, contact_email=row.contact_email)


@bp.get("/<slug>")
@role_required(*OFFICE, *DISTRICT_ROLES)
def unit_detail(slug: str):
    return unit_page(slug)


@bp.post("/<slug>/request")
@role_required(*OFFICE)
def send_request(slug: str):
    entry = _unit(slug)
    form = BureauContactForm()
    if not form.validate():
        return unit_page(slug, contact=form, status=422)
    try:
        row, email = confirmations.request(
            get_session(),
            slug,
            entry.unit,
            form.contact_name.data or "",
            form.contact_email.data or "",
            current_user.username,
            clock.now(),
            links(),
        )
    except confirmations.ConfirmationRefused as refusal:
        form.contact_email.errors = [*form.contact_email.errors, str(refusal)]
        return unit_page(slug, contact=form, status=409)
    get_session().commit()
    queue_emails([email.id])
    again = "重新" if row.link_version > 1 else ""
    flash(f"已{again}向 {row.contact_email} 发送确认链接，{confirmations.LINK_LIFETIME.days} 天内有效。")
    return redirect(url_for("units.unit_detail", slug=slug), code=303)


@district_bp.post("/<slug>/answer")
@role_required(DISTRICT_HR)
def answer(slug: str):
    """The district's HR account answers for its own district's unit (no link needed)."""
    entry = _unit(slug)
    form = AnswerForm()
    db = get_session()
    if not standing.pending(db, slug, entry.unit):
        flash("该单位已认定为就业见习单位。")
        return redirect(url_for("units.unit_detail", slug=slug), code=303)
    if not form.check(clock.today()):
        return unit_page(slug, answer=form, status=422)
    try:
        row = confirmations.for_account(db, slug, entry.unit, current_user, clock.now())
        ids = confirmations.decide(
            db,
            row,
            form.answer(),
            f"区县人力社保账号 {current_user.username}",
            current_user.username,
            entry.unit,
            links(),
            clock.now(),
            clock.today(),
        )
    except confirmations.ConfirmationRefused as refusal:
        flash(str(refusal))
        return redirect(url_for("units.unit_detail", slug=slug), code=303)
    db.commit()
    queue_emails([r.id for r in ids])
    if row.outcome == "confirmed":
        tasks.request_publishing()
    flash(f"已记录：{confirmations.OUTCOMES[row.outcome]}。单位和市项目办已收到通知。")
    return redirect(url_for("units.unit_detail", slug=slug), code=303)


def _own_page(form: BureauContactForm | None = None, status: int = 200):
    slug = current_user.unit
    entry = current_positions().catalogue.units.get(slug)
    if entry is None:
        abort(404)
    db = get_session()
    return render_template(
        "staff/unit/confirmation.html",
        entry=entry,
        u=entry.unit,
        pending=standing.pending(db, slug, entry.unit),
        history=confirmations.history(db, slug),
        open_request=confirmations.open_request(db, slug),
        contact=form or BureauContactForm(formdata=None),
        local_time=confirmations.local_time,
    ), status


@unit_bp.get("/confirmation")
@role_required("unit")
def own_standing():
    """The unit's own page: whether it is confirmed, and who at its bureau should confirm it."""
    return _own_page()


@unit_bp.post("/confirmation")
@role_required("unit")
def name_contact():
    form = BureauContactForm()
    if not form.validate():
        return _own_page(form, 422)
    entry = current_positions().catalogue.units.get(current_user.unit)
    if entry is None:
        abort(404)
    try:
        row = confirmations.propose(
            get_session(),
            entry.slug,
            entry.unit,
            form.contact_name.data or "",
            form.contact_email.data or "",
            current_user.username,
            clock.now(),
        )
    except confirmations.ConfirmationRefused as refusal:
        form.contact_email.errors = [*form.contact_email.errors, str(refusal)]
        return _own_page(form, 409)
    get_session().commit()
    flash(
        f"已提交经办人 {row.contact_name}（{row.contact_email}）。"
        "市项目办核对后会发送确认邮件，区县答复后本单位会收到通知。"
    )
    return redirect(url_for("unit_confirmation.own_standing"), code=303)
