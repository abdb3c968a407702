"""/apply: fill in, check your answers, submit. Stateless between steps: the check page carries the
answers in hidden fields, so nothing typed is lost to an expired session or a full cookie."""

import datetime as dt
import logging

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError
from wtforms import SelectChoice

from site_builder.model.catalogue import PositionEntry

from ...catalogue.positions import Positions, current_positions
from ...catalogue.universities import UNIVERSITIES
from ...core.clock import today
from ...core.db import get_session
from ...core.throttle import apply_steps_limit, limiter, post_limit
from . import chooser, services
from .eligibility import choice_problem, status_problem
from .forms import ApplyForm
from .services import MAX_CHOICES, Applicant, DuplicateApplication, TooManyChoices
from .tasks import queue_new_application

bp = Blueprint("apply", __name__)
logger = logging.getLogger(__name__)

SECTIONS = (
    ("positions", "意向岗位"),
    ("personal", "个人信息"),
    ("registration", "智慧科协见习计划系统注册"),
    ("experience", "优先条件"),
    ("priority", "家庭经济困难或残疾情况"),
    ("statement", "个人陈述"),
)


@bp.context_processor
def _registration() -> dict[str, object]:
    """Where graduates also register (智慧科协见习计划系统): the form, check and done pages link it."""
    return {"registration_url": current_app.config["REGISTRATION_URL"]}


def fill_choices(form: ApplyForm, positions: Positions, day: dt.date) -> None:
    """The search's filters: the types and districts of the positions open today."""
    found = positions.open_today(day)
    form.find_type.choices = [SelectChoice("", "全部类型")] + [SelectChoice(t) for t in found.types]
    form.find_district.choices = [SelectChoice("", "全部区县")] + [SelectChoice(d) for d in found.districts]


def check_choices(form: ApplyForm, positions: Positions, day: dt.date) -> bool:
    """The rules that need the catalogue and the calendar: open, eligible, no repeats."""
    ok = True
    if not form.choice1.data:
        form.choice1.errors.append("请至少选择一个意向岗位")
        ok = False
    seen: set[str] = set()
    for field in form.choice_fields():
        position_id = field.data
        if not position_id:
            continue
        if position_id in seen:
            field.errors.append("这个岗位已经选过了，请换一个或不选")
            ok = False
            continue
        seen.add(position_id)
        if not positions.is_open(position_id, day):
            field.errors.append("这个岗位已截止或不存在，请重新选择")
            ok = False
            continue
        if form.current_status.data and form.degree.data and not form.degree.errors:
            problem = choice_problem(
                positions.by_id[position_id].position, form.current_status.data, form.degree.data
            )
            if problem:
                field.errors.append(problem)
                ok = False
    if form.graduation.data and form.current_status.data and not form.current_status.errors:
        problem = status_problem(
            form.current_status.data, form.graduation.data, current_app.config["PROGRAMME_YEAR"], day
        )
        if problem:
            form.graduation.errors.append(problem)
            ok = False
    return ok


def _render_form(
    form: ApplyForm,
    notice: str = "",
    status: int = 200,
    found: chooser.Found | None = None,
    instead: list[PositionEntry] | None = None,
    chosen_notice: str = "",
):
    current = current_positions()
    return (
        render_template(
            "apply/form.html",
            form=form,
            notice=notice,
            instead=[(e.id, chooser.label(current, e.id)) for e in instead or []],
            universities=UNIVERSITIES,
            sections=SECTIONS,
            labels={p: chooser.label(current, p) for p in form.chosen()},
            found=found,
            chosen_notice=chosen_notice,
            max_choices=MAX_CHOICES,
        ),
        status,
    )


def _choose(form: ApplyForm, action: str, positions: Positions, day: dt.date):
    """The chooser's buttons: search, pick a result, remove a choice; the answers stay as typed.
    What a button did is said beside the choices, where its page opens (form.html's formaction)."""
    chosen = form.chosen()
    notice = ""
    if action.startswith("pick:"):
        position_id = action.removeprefix("pick:")
        if positions.is_open(position_id, day):
            chosen, notice = chooser.pick(chosen, position_id, MAX_CHOICES)
            notice = notice or f"已选择：{chooser.label(positions, position_id)}"
        else:
            notice = "这个岗位已截止或不存在，请重新选择"
    elif action.startswith("remove:") and action.removeprefix("remove:").isdigit():
        index = int(action.removeprefix("remove:"))
        chosen = [p for n, p in enumerate(chosen) if n != index]
        notice = "已移除，可以重新搜索选择。"
    form.choose(chosen)
    text = (form.find.data or "").strip()[:50]
    found = None
    if text or form.find_type.data or form.find_district.data or action == "find":
        found = chooser.search(positions, day, text, form.find_type.data or "", form.find_district.data or "")
    return _render_form(form, found=found, chosen_notice=notice)


def applicant(form: ApplyForm) -> Applicant:
    consent = bool(form.priority_consent.data)
    return Applicant(
        name=form.name.data.strip(),
        phone=form.phone.data.strip(),
        email=form.email.data.strip(),
        university=form.university.data.strip(),
        major=form.major.data.strip(),
        major_group=form.major_group.data,
        degree=form.degree.data,
        graduation=form.graduation.data,
        current_status=form.current_status.data,
        society_post=bool(form.society_post.data),
        society_post_detail=(form.society_post_detail.data or "").strip() if form.society_post.data else "",
        volunteering=bool(form.volunteering.data),
        volunteering_detail=(form.volunteering_detail.data or "").strip() if form.volunteering.data else "",
        priority_consent=consent,
        priority_groups=list(form.priority_groups.data or []) if consent else [],
        statement=(form.statement.data or "").strip(),
        registered=form.registered.data == "yes",
        registry_account=(form.registry_account.data or "").strip(),
        priority_mark_consent=consent and bool(form.priority_mark_consent.data),
    )


@bp.get("/apply")
def start():
    current = current_positions()
    form = ApplyForm()
    fill_choices(form, current, today())
    notice, instead = "", []
    wanted = request.args.get("position", "")
    if wanted:
        if current.is_open(wanted, today()):
            form.choice1.data = wanted
        elif wanted in current.by_id:
            entry = current.by_id[wanted]
            state = "已招满" if entry.position.state(today()) == "filled" else "已截止或不再招募"
            notice = f"岗位“{entry.position.title}”{state}，请选择其他岗位。"
            instead = chooser.similar(current, entry, today())
        else:
            notice = "没有找到您要报名的岗位，它可能已下线。请在下面搜索其他岗位。"
    return _render_form(form, notice, instead=instead)


@bp.post("/apply")
@limiter.limit(post_limit, scope="apply-confirm", exempt_when=lambda: request.form.get("step") != "confirm")
@limiter.limit(apply_steps_limit, scope="apply-steps")
def step():
    """Every step of the form is a post: the chooser's buttons, the check page, the confirm. Each
    counts against RATELIMIT_APPLY_STEPS per address, and a confirm also against RATELIMIT_POST,
    so that students behind one campus address can apply at RATELIMIT_POST (newcomer finding 2)."""
    current = current_positions()
    day = today()
    form = ApplyForm()
    fill_choices(form, current, day)
    if form.website.data:
        logger.info("honeypot filled; application dropped")
        return render_template("apply/done.html", reference=None)
    chooser_action = request.form.get("act")
    if chooser_action is not None:
        return _choose(form, chooser_action, current, day)
    action = request.form.get("step", "review")
    if action == "edit":
        return _render_form(form)
    valid = form.validate()
    valid = check_choices(form, current, day) and valid
    if not valid:
        return _render_form(form, status=422)
    if action != "confirm":
        return render_template("apply/check.html", form=form, positions=current, sections=SECTIONS)
    try:
        application = services.submit(
            get_session(),
            applicant(form),
            form.chosen(),
            current,
            current_app.config["PROGRAMME_YEAR"],
            current_app.config["MAIL_FROM"],
        )
    except DuplicateApplication as error:
        titles = "、".join(current.by_id[p].position.title for p in error.position_ids)
        form.choice1.errors.append(f"您已经报名过：{titles}，无需重复报名。可凭报名编号查询进度。")
        return _render_form(form, status=409)
    except TooManyChoices as error:
        left = MAX_CHOICES - error.held
        form.choice1.errors.append(
            f"您已有 {error.held} 个意向岗位在报名中，每人最多 {MAX_CHOICES} 个（多次报名合计），"
            + (f"本次最多还能选 {left} 个。" if left else "如需改报，可在“查询进度”页面撤回原报名后再报。")
        )
        return _render_form(form, status=409)
    queue_new_application(application.id)
    session["reference"] = application.reference
    session["registered"] = form.registered.data == "yes"
    return redirect(url_for("apply.done"), code=303)


@bp.get("/apply/done")
def done():
    reference = session.get("reference")
    if not reference:
        return redirect(url_for("apply.start"))
    return render_template("apply/done.html", reference=reference, registered=session.get("registered", True))


@bp.errorhandler(CSRFError)
def _expired(_error: CSRFError):
    """A stale or missing token: give the form back with the visitor's input and a fresh token."""
    form = ApplyForm(meta={"csrf": True})
    fill_choices(form, current_positions(), today())
    return _render_form(
        form, "页面停留时间过长，安全校验已过期。您填写的内容都还在，请检查后再提交一次。", 400
    )
