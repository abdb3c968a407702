"""The unit's pages of an intern's training plan (培养计划): write it, and record the mentor's
confirmation. The plan is read on the work file's page (the unit's and the office's) and by the
intern on /status; the rules are in plans.py."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from ...accounts.auth import role_required
from ...core import clock
from ...core.db import get_session
from . import plans, rules
from .forms import plan_form_for, with_errors
from .views import UNIT, read_only, saved, unit_placement

bp = Blueprint("unit_plans", __name__)


def _page(placement, application, form, status: int = 200):
    return render_template(
        "staff/workfile/plan.html",
        placement=placement,
        application=application,
        form=form,
        months=[(m, plans.milestone_name(m)) for m in rules.months(placement)],
        month_label=rules.month_label,
        plan=plans.plan_of(get_session(), placement),
    ), status


@bp.route(UNIT + "/plan", methods=["GET", "POST"])
@role_required("unit")
def plan(placement_id: int):
    placement, application = unit_placement(placement_id)
    if (locked := read_only(placement, application)) is not None:
        return locked
    internship_months = rules.months(placement)
    form_class = plan_form_for(internship_months)
    if request.method == "GET":
        row = plans.plan_of(get_session(), placement)
        written = {plans.milestone_name(m): text for m, text in plans.milestones_of(row).items()}
        return _page(placement, application, form_class(formdata=None, obj=row, data=written))
    form = form_class()
    if not form.validate():
        return _page(placement, application, form, 422)
    try:
        row = plans.save(get_session(), placement, form.plan(internship_months), current_user.username)
    except rules.Refused as refused:
        get_session().rollback()
        return _page(placement, application, with_errors(form, refused), 422)
    if row.signed_off_at is None:
        return saved(placement, "已保存培养计划。请导师确认后，学生可在查询页阅读。")
    return saved(placement, "已保存培养计划，内容没有改动，导师确认仍然有效。")


@bp.post(UNIT + "/plan/sign")
@role_required("unit")
def sign(placement_id: int):
    """The unit records that the mentor confirmed the plan as it stands (the mentor has no account)."""
    placement, application = unit_placement(placement_id)
    if (locked := read_only(placement, application)) is not None:
        return locked
    try:
        plans.sign_off(get_session(), placement, current_user.username, clock.now())
    except rules.Refused:
        get_session().rollback()
        return saved(placement, "请先填写并保存培养计划，再登记导师确认。")
    return saved(placement, f"已登记导师{placement.mentor}确认培养计划。")
