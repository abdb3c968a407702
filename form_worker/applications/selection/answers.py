"""The student's answer to an offer, from the emailed link or /status, and the lapse of an offer
not answered in time.

Accepting withdraws the applicant's other open applications and ends their other choices, and each
unit concerned hears of it (without the name of the other unit). Declining or lapsing sends the
application back to `filed`, so its other choices' units may still offer; the declined choice stays
closed. Every answer is claimed by a conditional statement, so a double click or a lapse racing the
answer takes effect once.
"""

import datetime as dt

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from site_builder.clock import beijing_time

from ...catalogue.positions import Positions
from ...core.db import rowcount
from ...outbox import services as outbox
from .. import services
from ..models import Application, Choice, Placement
from ..states import CHOICE_OUTCOMES, CLOSED_STATES, UNIT_STATES
from .offers import SYSTEM, Mail, record_offer, tell_unit


class AnswerRefused(Exception):
    """The offer cannot be answered (answered already, lapsed, withdrawn); the message is Chinese."""


def _same_person(application: Application):
    return or_(Application.phone == application.phone, Application.email == application.email)


def accept(
    session: Session,
    application: Application,
    placement: Placement,
    mail: Mail,
    positions: Positions,
    now: dt.datetime,
) -> None:
    """The student takes the place: their other open applications are withdrawn (on the day in
    Chongqing at `now`) and every unit concerned is told. Raises AnswerRefused; the caller commits."""
    _answerable(session, application, placement, now)
    state = select(Application.state).where(Application.id == application.id)
    if not _claim_open(session, placement, accepted_at=now) or session.scalar(state) != "offered":
        session.rollback()
        raise AnswerRefused("这份录用已经答复过或已失效，请刷新页面查看最新状态")
    session.expire(placement, ["accepted_at"])
    title = _title(positions, placement)
    record_offer(session, application, "offered", "offered", services.APPLICANT_ACTOR, f"接受录用：{title}")
    outbox.add(
        session,
        f"accepted-student:{placement.id}",
        application.email,
        "application_state",
        mail.mail_from,
        application.id,
        application=application,
        label=f"{CHOICE_OUTCOMES['accepted']}（{title}）",
        reason="单位将与您联系签订《重庆市青年就业见习协议》；您其他尚在进行的报名已自动撤回。",
    )
    for choice in application.choices:
        if choice.position_id == placement.position_id:
            choice.outcome = "accepted"
        elif not choice.outcome:
            choice.outcome = "withdrawn"
            if application.filing_batch_id is not None:
                _gone(session, choice, mail, positions)
    tell_unit(
        session,
        f"accepted:{placement.id}",
        positions,
        placement.position_id,
        f"{application.reference} 已接受录用",
        [
            f"“{title}”的录用已被申请人接受（报名编号 {application.reference}）。",
            "请尽快与见习生签订《重庆市青年就业见习协议》，购买人身意外伤害保险，并在系统中登记协议和保险。",
        ],
        mail,
        application.id,
    )
    _withdraw_the_others(session, application, mail, positions, now)


def _withdraw_the_others(
    session: Session, application: Application, mail: Mail, positions: Positions, now: dt.datetime
) -> None:
    """Withdraw the person's other open applications after an acceptance; their units are told."""
    others = list(
        session.scalars(
            select(Application).where(
                _same_person(application),
                Application.id != application.id,
                Application.state.not_in(CLOSED_STATES),
            )
        )
    )
    for other in others:
        for choice in other.choices:
            if not choice.outcome:
                choice.outcome = "withdrawn"
                if other.state in UNIT_STATES or other.filing_batch_id is not None:
                    _gone(session, choice, mail, positions)
        services.bulk_move(
            session,
            [other.id],
            other.state,
            "withdrawn",
            SYSTEM,
            f"申请人已接受其他岗位的录用（{application.reference}）",
            mail.mail_from,
            today=beijing_time(now).date(),
        )


def _title(positions: Positions, placement: Placement) -> str:
    """The placement's position title, or its id once the position left the catalogue."""
    entry = positions.by_id.get(placement.position_id)
    return entry.position.title if entry else placement.position_id


def _gone(
    session: Session, choice: Choice, mail: Mail, positions: Positions, why: str = "已接受其他岗位的录用"
) -> None:
    """Tell a unit that a candidate of theirs is no longer available, naming no other unit."""
    reference = choice.application.reference
    tell_unit(
        session,
        f"gone:{choice.id}",
        positions,
        choice.position_id,
        f"{reference} 已不再参加遴选",
        [f"报名编号 {reference} 的申请人{why}，不再参加贵单位岗位的遴选。"],
        mail,
        choice.application_id,
    )


def withdrawn(session: Session, application: Application, mail: Mail, positions: Positions) -> None:
    """The applicant withdrew: the units that could already see the application hear of it
    (those of its open choices, once it was filed); the caller commits."""
    if application.filing_batch_id is None:
        return
    for choice in application.choices:
        if not choice.outcome:
            choice.outcome = "withdrawn"
            _gone(session, choice, mail, positions, "撤回了报名")


def _claim_open(session: Session, placement: Placement, **values: object) -> bool:
    """Answer an offer still open (unanswered, not ended), unless a racing answer or lapse did."""
    statement = (
        update(Placement)
        .where(Placement.id == placement.id, Placement.accepted_at.is_(None), Placement.ended.is_(False))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(rowcount(session.execute(statement)))


def _answerable(session: Session, application: Application, placement: Placement, now: dt.datetime) -> None:
    if application.state != "offered" or placement.ended or placement.accepted_at is not None:
        raise AnswerRefused("这份录用已经答复过或已失效，请刷新页面查看最新状态")
    if placement.deadline is not None and placement.deadline < now:
        raise AnswerRefused("答复期限已过，这份录用已失效；名额已留给其他同学")


def decline(
    session: Session,
    application: Application,
    placement: Placement,
    reason: str,
    mail: Mail,
    positions: Positions,
    now: dt.datetime,
) -> None:
    """The student declines: the place is freed, the application goes back to `filed` for its other
    choices, and the unit and the student hear of it. Raises AnswerRefused; the caller commits."""
    _answerable(session, application, placement, now)
    _release(
        session, application, placement, "declined", services.APPLICANT_ACTOR, reason.strip(), mail, positions
    )


def lapse_due(session: Session, now: dt.datetime, mail: Mail, positions: Positions) -> list[int]:
    """Offers past their deadline without an answer lapse (the daily and hourly task); the
    applications released. Each commits on its own, so one lost race does not undo the others."""
    rows = session.execute(
        select(Application, Placement)
        .join(Placement, Placement.application_id == Application.id)
        .where(
            Application.state == "offered",
            Placement.accepted_at.is_(None),
            Placement.ended.is_(False),
            Placement.deadline < now,
        )
        .order_by(Application.id)
    ).all()
    released = []
    for application, placement in rows:
        try:
            _release(session, application, placement, "lapsed", SYSTEM, "", mail, positions)
        except AnswerRefused:
            continue
        session.commit()
        released.append(application.id)
    return released


def _claim_release(session: Session, application: Application, placement: Placement) -> None:
    """End the open offer and send the application back to `filed`, once: else AnswerRefused."""
    removed = _claim_open(session, placement, ended=True)
    moved = removed and rowcount(
        session.execute(
            update(Application)
            .where(Application.id == application.id, Application.state == "offered")
            .values(state="filed")
            .execution_options(synchronize_session=False)
        )
    )
    if not moved:
        session.rollback()
        raise AnswerRefused("这份录用已经答复过或已失效，请刷新页面查看最新状态")
    session.expire(application, ["state"])


def _release(
    session: Session,
    application: Application,
    placement: Placement,
    outcome: str,
    actor: str,
    reason: str,
    mail: Mail,
    positions: Positions,
) -> None:
    _claim_release(session, application, placement)
    title = _title(positions, placement)
    words = "申请人谢绝录用" if outcome == "declined" else "录用逾期未答复，已失效"
    history = "；".join(filter(None, [f"{words}：{title}", reason]))
    record_offer(session, application, "offered", "filed", actor, history)
    for choice in application.choices:
        choice.proposed = False  # back to filed: the list is made again for the other choices
        if choice.position_id == placement.position_id:
            choice.outcome = outcome
    session.flush()
    open_choices = [c for c in application.choices if not c.outcome]
    outbox.add(
        session,
        f"{outcome}:{placement.id}",
        application.email,
        "application_state",
        mail.mail_from,
        application.id,
        application=application,
        label=f"{CHOICE_OUTCOMES[outcome]}（{title}）",
        reason="您的其他意向岗位仍在遴选中。" if open_choices else "",
        ended=not open_choices,  # declined or lapsed, and nothing left: what they can do next
    )
    tell_unit(
        session,
        f"{outcome}-unit:{placement.id}",
        positions,
        placement.position_id,
        f"{application.reference} {CHOICE_OUTCOMES[outcome]}",
        [
            f"“{title}”对报名编号 {application.reference} 的录用：{CHOICE_OUTCOMES[outcome]}。",
            "名额已释放，可录用其他候选人。",
        ]
        + ([f"申请人说明：{reason}"] if reason else []),
        mail,
        application.id,
    )
