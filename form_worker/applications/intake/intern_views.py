"""What the intern does on /status once placed: confirm reading the training plan, write the weekly
log and the end-of-internship report, confirm or correct the destination, rate the internship.

Each action looks the application up again with the reference and contact its form carried
(throttled like the look-up, status_views.look_up_again); nothing personal goes into a URL.
"""

from flask import Blueprint, current_app, request
from flask_wtf.csrf import CSRFError

from ...core import clock
from ...core.db import get_session
from ...core.throttle import limiter, post_limit
from ..models import Application
from ..workfile import consent, destinations, logs, plans, ratings, rules
from ..workfile import services as workfile
from ..workfile.forms import with_errors
from . import status_parts
from .forms import CaseConsentForm, DestinationForm, LogForm, PlanReadForm, RatingForm, ReportForm
from .status_views import expired, look_up_again, status_page

bp = Blueprint("intern", __name__)
bp.register_error_handler(CSRFError, expired)


@bp.post("/status/plan")
@limiter.limit(post_limit)
def read_plan():
    """The intern confirms having read the training plan the mentor confirmed."""
    given = PlanReadForm(prefix="plan")
    form, application, answered = look_up_again(given.reference.data, given.contact.data)
    if application is None:
        return answered
    db = get_session()
    kept = workfile.kept_placement(db, application.id)
    if kept is None or not plans.confirm_read(db, kept, clock.now()):
        return status_page(form, application, notice="导师确认培养计划后才能阅读确认。", status=409)
    db.commit()
    return status_page(form, application, notice="已确认阅读培养计划。")


@bp.post("/status/log")
@limiter.limit(post_limit)
def write_log():
    """A week of the log: open a week's draft, save it to finish later, or submit it to the mentor."""
    given = LogForm(prefix="log")
    form, application, answered = look_up_again(given.reference.data, given.contact.data)
    if application is None:
        return answered
    db, today = get_session(), clock.today()
    kept = workfile.kept_placement(db, application.id)
    if kept is None or application.state not in status_parts.WRITING:
        return status_page(form, application, notice="见习进行期间才能填写周志。", status=409)
    status_parts.with_week_choices(given, kept, today)
    action = request.form.get("log-action", "save")
    if action == "open":
        carried = {"reference": form.reference.data, "contact": form.contact.data}
        opened = status_parts.log_form(kept, today, carried, given.chosen_week())
        return status_page(form, application, **({"log": opened} if opened else {}))
    if not given.validate():
        return status_page(form, application, log=given, status=422)
    written = logs.Week(given.did.data or "", given.learned.data or "", given.problems.data or "")
    try:
        logs.save_week(db, kept, given.chosen_week(), written, action == "submit", today, clock.now())
    except rules.Refused as refused:
        db.rollback()
        return status_page(form, application, log=with_errors(given, refused), status=422)
    db.commit()
    if action == "submit":
        return status_page(form, application, notice="已提交给导师审阅。")
    return status_page(form, application, notice="已保存草稿，下次查询时可以接着写。")


@bp.post("/status/report")
@limiter.limit(post_limit)
def write_report():
    """The end-of-internship report: save it to finish later, or submit it to the mentor."""
    given = ReportForm(prefix="report")
    form, application, answered = look_up_again(given.reference.data, given.contact.data)
    if application is None:
        return answered
    db = get_session()
    kept = workfile.kept_placement(db, application.id)
    if kept is None or application.state not in status_parts.WRITING:
        return status_page(form, application, notice="见习进行期间才能填写见习总结。", status=409)
    if not given.validate():
        return status_page(form, application, report=given, status=422)
    submit = request.form.get("report-action") == "submit"
    try:
        logs.save_report(db, kept, given.text.data or "", submit, clock.now())
    except rules.Refused as refused:
        db.rollback()
        return status_page(form, application, report=with_errors(given, refused), status=422)
    db.commit()
    notice = "已提交见习总结，等待导师审阅。" if submit else "已保存见习总结草稿，下次查询时可以接着写。"
    return status_page(form, application, notice=notice)


@bp.post("/status/destination")
@limiter.limit(post_limit)
def confirm_destination():
    """The intern confirms or corrects the destination the unit recorded at the end."""
    given = DestinationForm(prefix="destination")
    form, application, answered = look_up_again(given.reference.data, given.contact.data)
    if application is None:
        return answered
    db, now = get_session(), clock.now()
    kept = workfile.kept_placement(db, application.id)
    if kept is None or kept.destination is None:
        return status_page(
            form, application, notice="单位尚未登记您的去向，登记后可以在这里确认。", status=409
        )
    if not given.validate():
        return status_page(form, application, destination=given, status=422)
    try:
        changed = destinations.confirm_by_intern(
            db, kept, given.destination.data, given.destination_detail.data or "", now
        )
    except rules.Refused as refused:
        return status_page(form, application, destination=with_errors(given, refused), status=422)
    db.commit()
    notice = "已更正您的去向，谢谢。" if changed else "已确认您的去向，谢谢。"
    return status_page(form, application, notice=notice)


@bp.post("/status/rating")
@limiter.limit(post_limit)
def rate():
    """The intern rates the internship once it has completed."""
    given = RatingForm(prefix="rating")
    form, application, answered = look_up_again(given.reference.data, given.contact.data)
    if application is None:
        return answered
    db = get_session()
    kept = workfile.kept_placement(db, application.id)
    if kept is None or application.state != "completed":
        return status_page(form, application, notice="见习结束后才能评价本次见习。", status=409)
    if not given.validate():
        return status_page(form, application, rating=given, status=422)
    try:
        ratings.rate(db, kept, given.scores(), given.comment.data or "", clock.now())
    except rules.Refused as refused:
        return status_page(form, application, rating=with_errors(given, refused), status=422)
    except ratings.AlreadyRated:
        return status_page(form, db.get(Application, application.id), notice=ratings.RATED, status=409)
    db.commit()
    return status_page(form, application, notice="感谢您的评价！单位看不到您的评价，市项目办只汇总统计。")


@bp.post("/status/case")
@limiter.limit(post_limit)
def answer_case():
    """The intern agrees to (or declines, or takes back) publishing the typical case, and how."""
    given = CaseConsentForm(prefix="case")
    form, application, answered = look_up_again(given.reference.data, given.contact.data)
    if application is None:
        return answered
    db = get_session()
    kept = workfile.kept_placement(db, application.id)
    if kept is None or not consent.asked(kept):
        return status_page(
            form, application, notice="单位没有把您的见习推荐为典型案例，无需回答。", status=409
        )
    status_parts.with_consent_choices(given, application)
    try:
        changed = consent.answer(db, kept, given.consent.data or "", clock.now())
    except rules.Refused as refused:
        return status_page(form, application, case=with_errors(given, refused), status=422)
    db.commit()
    if changed:
        # The showcase's publishing task (registered by create_app: the showcase lies above intake)
        # adds, renames or removes the case's file; its periodic run catches a lost request.
        current_app.extensions["jianxi.showcase_changed"]()
    if kept.case_consent in consent.PUBLISHING:
        notice = "已记录您的同意。市项目办审核后才会公开；您可以随时在这里撤回。"
    else:
        notice = "已记录：不公开您的典型案例。已公开的会在下次发布时撤下。"
    return status_page(form, application, notice=notice)
