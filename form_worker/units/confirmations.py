"""Asking a district's HR bureau to confirm a unit as 就业见习单位, and recording its answer.

The notice has a host unit apply to the HR bureau of the district where it pays insurance, which
reviews it and makes it a 就业见习单位. The bureau needs no account: the office (or the unit) names
the bureau's contact, who gets an email with a signed link to a page showing the unit and asking
to confirm (with the decision's document number and date) or decline (with a reason). A district
HR account answers the same request from its own pages. The unit and the office are told; a
confirmation is then written into the unit's unit.yaml by a task (units.tasks).

The link names the request and its version and is signed with SECRET_KEY; it lasts LINK_LIFETIME
from when that version was sent (the database knows, so the programme's clock decides), answers
once, and sending again ends every earlier link of the request.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from site_builder.clock import after_today, local_time
from site_builder.model.schema import Unit

from ..accounts import audit
from ..accounts.models import Account
from ..accounts.services import email_office
from ..core.db import rowcount
from ..outbox import services as outbox
from ..outbox.models import Outbox
from .models import UnitConfirmation
from .standing import pending

LINK_LIFETIME = dt.timedelta(days=14)
BUSY = "刚刚有人同时处理了这家单位的认定，请刷新页面后再看"
_SALT = "jianxi.unit-confirmation"
OUTCOMES = {"confirmed": "已认定为就业见习单位", "declined": "不予认定"}
# What a link that opens no page says, by why.
LINK_PROBLEMS = {
    "invalid": "链接无效：请完整复制邮件中的链接，或联系市项目办重新发送。",
    "expired": f"链接已过期（有效期 {LINK_LIFETIME.days} 天）：请联系市项目办重新发送确认邮件。",
    "replaced": "这个链接已被新发送的链接取代：请打开最近收到的那封确认邮件。",
    "used": "该单位的认定结果已经登记，无需再次操作。",
    "gone": "该单位已不在岗位目录中，无需再确认。如有疑问，请联系市项目办。",
}


class HasContact(Protocol):
    """An account as the signed-in user carries it."""

    username: str
    name: str
    email: str


class ConfirmationRefused(Exception):
    """The request or answer cannot be taken; the message is Chinese, for the page."""


@dataclass(frozen=True)
class Links:
    """What the emails need from the configuration."""

    mail_from: str
    worker_url: str
    secret: str

    def url(self, path: str) -> str:
        return f"{self.worker_url.rstrip('/')}{path}"


@dataclass(frozen=True)
class Answer:
    """The bureau's answer, as its form gave it."""

    outcome: str  # confirmed | declined
    officer: str
    document: str = ""
    decided_on: dt.date | None = None
    note: str = ""


def open_request(session: Session, unit_slug: str) -> UnitConfirmation | None:
    query = select(UnitConfirmation).where(UnitConfirmation.unit == unit_slug, UnitConfirmation.outcome == "")
    return session.scalar(query.order_by(UnitConfirmation.id.desc()).limit(1))


def history(session: Session, unit_slug: str) -> list[UnitConfirmation]:
    """Every request for the unit, newest first."""
    query = select(UnitConfirmation).where(UnitConfirmation.unit == unit_slug)
    return list(session.scalars(query.order_by(UnitConfirmation.id.desc())))


def latest(session: Session, unit_slugs: list[str]) -> dict[str, UnitConfirmation]:
    """Each unit's newest request, in one query (the office's list of units)."""
    newest = (
        select(func.max(UnitConfirmation.id))
        .where(UnitConfirmation.unit.in_(unit_slugs))
        .group_by(UnitConfirmation.unit)
    )
    rows = session.scalars(select(UnitConfirmation).where(UnitConfirmation.id.in_(newest)))
    return {row.unit: row for row in rows}


def token(row: UnitConfirmation, secret: str) -> str:
    return URLSafeSerializer(secret, salt=_SALT).dumps({"c": row.id, "v": row.link_version})


def from_token(
    session: Session, value: str, secret: str, now: dt.datetime
) -> tuple[UnitConfirmation | None, str]:
    """The request a link opens and "", or the request (if known) and why it opens no page: a
    key of LINK_PROBLEMS. A used link still names its request, so the page can say what was decided."""
    try:
        data = URLSafeSerializer(secret, salt=_SALT).loads(value)
    except BadSignature:
        return None, "invalid"
    if not (isinstance(data, dict) and isinstance(data.get("c"), int) and isinstance(data.get("v"), int)):
        return None, "invalid"
    row = session.get(UnitConfirmation, data["c"])
    if row is None:
        return None, "invalid"
    if row.outcome:
        return row, "used"
    if row.link_version != data["v"]:
        return row, "replaced"
    if now > row.sent_at + LINK_LIFETIME:
        return row, "expired"
    return row, ""


def _claim_open(
    session: Session, unit_slug: str, unit: Unit, actor: str, now: dt.datetime
) -> UnitConfirmation:
    """The unit's open request, or a new one; ConfirmationRefused when the unit needs none. Two
    requests made at once cannot both open one: a unique index holds one open row per unit."""
    if not pending(session, unit_slug, unit):
        raise ConfirmationRefused("该单位已认定为就业见习单位，无需再请区县确认")
    row = open_request(session, unit_slug)
    if row is not None:
        return row
    row = UnitConfirmation(
        unit=unit_slug,
        district=unit.district,
        contact_name="",
        contact_email="",
        requested_by=actor,
        requested_at=now,
        sent_at=now,
        link_version=0,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ConfirmationRefused(BUSY) from None
    return row


def _not_the_units_own(session: Session, unit_slug: str, unit: Unit, email: str) -> None:
    """The bureau's contact is not the unit itself: a unit cannot confirm its own standing."""
    if email.strip().lower() in unit_recipients(session, unit_slug, unit):
        raise ConfirmationRefused("这是设岗单位自己的邮箱：请填写区县人力社保部门经办人的邮箱")


def propose(
    session: Session,
    unit_slug: str,
    unit: Unit,
    contact_name: str,
    contact_email: str,
    actor: str,
    now: dt.datetime,
) -> UnitConfirmation:
    """The unit names its bureau's contact; the office checks the name and sends the link (a unit
    sending its own link could send it to itself). The caller commits."""
    _not_the_units_own(session, unit_slug, unit, contact_email)
    row = _claim_open(session, unit_slug, unit, actor, now)
    if row.link_version:
        raise ConfirmationRefused(
            "市项目办已向区县发出确认邮件，请等待答复；需要更换经办人的，请致电市项目办"
        )
    row.contact_name, row.contact_email = contact_name.strip(), contact_email.strip().lower()
    row.requested_by, row.requested_at = actor, now
    audit.record(session, actor, "unit_confirmation_request", unit_slug, proposed=True)
    return row


def request(
    session: Session,
    unit_slug: str,
    unit: Unit,
    contact_name: str,
    contact_email: str,
    actor: str,
    now: dt.datetime,
    links: Links,
) -> tuple[UnitConfirmation, Outbox]:
    """The office asks the bureau's contact to confirm the unit, or sends the open request's link
    again (to this contact, ending the earlier links); the caller commits and queues the email."""
    _not_the_units_own(session, unit_slug, unit, contact_email)
    row = _claim_open(session, unit_slug, unit, actor, now)
    seen = row.link_version
    bumped = session.execute(
        update(UnitConfirmation)
        .where(
            UnitConfirmation.id == row.id,
            UnitConfirmation.link_version == seen,
            UnitConfirmation.outcome == "",
        )
        .values(
            link_version=seen + 1,
            contact_name=contact_name.strip(),
            contact_email=contact_email.strip().lower(),
            sent_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if not rowcount(bumped):
        session.rollback()
        raise ConfirmationRefused(BUSY)
    session.refresh(row)
    audit.record(session, actor, "unit_confirmation_request", unit_slug, link=row.link_version)
    email = outbox.add(
        session,
        f"unit-confirmation:{row.id}:{row.link_version}",
        row.contact_email,
        "unit_confirmation_request",
        links.mail_from,
        row=row,
        unit=unit,
        link=links.url(f"/unit-confirmation/{token(row, links.secret)}"),
        days=LINK_LIFETIME.days,
        until=local_time(now + LINK_LIFETIME),
    )
    return row, email


def for_account(
    session: Session, unit_slug: str, unit: Unit, account: HasContact, now: dt.datetime
) -> UnitConfirmation:
    """The request a district HR account answers from the unit's page: the open one (whatever link
    went out, it is answered by this), or a new one in the account's name."""
    row = _claim_open(session, unit_slug, unit, account.username, now)
    if not row.link_version and not row.contact_email:
        row.contact_name, row.contact_email = account.name, account.email
    return row


def answer_problems(answer: Answer, today: dt.date) -> dict[str, str]:
    """What the answer lacks, by form field (the page shows each beside its field)."""
    found: dict[str, str] = {}
    if answer.outcome not in OUTCOMES:
        found["outcome"] = "请选择认定结果"
    if not answer.officer.strip():
        found["officer"] = "请填写经办人姓名"
    if answer.outcome == "confirmed":
        if not answer.document.strip():
            found["document"] = "请填写认定文件的文号"
        if answer.decided_on is None:
            found["decided_on"] = "请填写认定日期"
        elif late := after_today(answer.decided_on, today, "认定日期"):
            found["decided_on"] = late
    if answer.outcome == "declined" and not answer.note.strip():
        found["note"] = "请写明不予认定的原因，单位会看到这条说明"
    return found


def decide(
    session: Session,
    row: UnitConfirmation,
    answer: Answer,
    via: str,
    actor: str,
    unit: Unit,
    links: Links,
    now: dt.datetime,
    today: dt.date,
    version: int | None = None,
) -> list[Outbox]:
    """Record the answer once (a conditional UPDATE: of two answers at once, one wins), with its
    audit entry, and stage the emails to the unit and the office; the caller commits and queues.

    `version`: the link's, when the answer came through one (a link sent again meanwhile ends it).
    """
    problems = answer_problems(answer, today)
    if problems:
        raise ConfirmationRefused("；".join(problems.values()))
    query = update(UnitConfirmation).where(UnitConfirmation.id == row.id, UnitConfirmation.outcome == "")
    if version is not None:
        query = query.where(UnitConfirmation.link_version == version)
    confirmed = answer.outcome == "confirmed"
    claimed = session.execute(
        query.values(
            outcome=answer.outcome,
            document=answer.document.strip() if confirmed else "",
            decided_on=answer.decided_on if confirmed else None,
            decided_by=answer.officer.strip(),
            decided_via=via,
            decided_at=now,
            note=answer.note.strip(),
        ).execution_options(synchronize_session=False)
    )
    if not rowcount(claimed):
        session.rollback()
        raise ConfirmationRefused(LINK_PROBLEMS["used"])
    session.refresh(row)
    audit.record(session, actor, "unit_confirmation_answer", row.unit, outcome=answer.outcome, via=via)
    return _tell(session, row, unit, links)


def unit_recipients(session: Session, unit_slug: str, unit: Unit) -> list[str]:
    """The unit's contact (its unit.yaml) and its active accounts, each address once."""
    accounts = session.scalars(
        select(Account.email).where(
            Account.role == "unit", Account.unit == unit_slug, Account.active.is_(True)
        )
    )
    addresses = [unit.contact.email, *accounts]
    return list(dict.fromkeys(a.strip().lower() for a in addresses if a))


def _tell(session: Session, row: UnitConfirmation, unit: Unit, links: Links) -> list[Outbox]:
    """Stage the answer's emails: to the unit's recipients and to the office."""
    context: dict[str, object] = {
        "row": row,
        "unit": unit,
        "outcome": OUTCOMES[row.outcome],
        "decided_at": local_time(row.decided_at) if row.decided_at else "",
    }
    key = f"unit-confirmation-answer:{row.id}"
    rows = [
        outbox.add(
            session,
            f"{key}:unit:{number}",
            recipient,
            "unit_confirmation_answer",
            links.mail_from,
            None,
            for_unit=True,
            link=links.url("/staff/unit/confirmation"),
            **context,
        )
        for number, recipient in enumerate(unit_recipients(session, row.unit, unit))
    ]
    rows += email_office(
        session,
        f"{key}:office",
        "unit_confirmation_answer",
        links.mail_from,
        for_unit=False,
        link=links.url(f"/staff/units/{row.unit}"),
        **context,
    )
    return rows
