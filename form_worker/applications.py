"""Applications: record one with its emails in one transaction, move it between states.

Views and tasks call these functions with a session; nothing here sends mail or touches the queue.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import outbox
from .catalogue import Offer
from .models import Application, Choice, Claim, Outbox, Transition

STATE_LABELS = {
    "submitted": "已提交",
    "checked": "已通过初步核验，等待高校遴选推荐",
    "recommended_by_university": "高校已推荐",
    "approved_by_city_office": "市项目办审核通过",
    "filed": "已报全国项目管理室备案",
    "offered": "已获录用",
    "agreement_signed": "已签订见习协议",
    "active": "见习中",
    "completed": "见习结束",
    "withdrawn": "已撤回",
    "rejected": "未通过",
}
# States an applicant hears about by email; "submitted" has its own receipt.
NOTIFY = set(STATE_LABELS) - {"submitted"}


class DuplicateApplication(Exception):
    """The same phone or email already applied for one of these positions."""

    def __init__(self, position_ids: list[str]) -> None:
        super().__init__(position_ids)
        self.position_ids = position_ids


@dataclass(frozen=True)
class Applicant:
    """Validated answers of the application form."""

    name: str
    phone: str
    email: str
    university: str
    major: str
    degree: str
    graduation: dt.date
    current_status: str
    society_post: bool
    society_post_detail: str
    volunteering: bool
    volunteering_detail: str
    priority_consent: bool
    priority_groups: list[str]
    statement: str


def reference(application_id: int, year: int) -> str:
    return f"JX{year}-{application_id:06d}"


def existing_duplicates(session: Session, position_ids: list[str], phone: str, email: str) -> list[str]:
    """Positions among these that this phone or email already applied for."""
    query = select(Claim.position_id).where(
        Claim.position_id.in_(position_ids), Claim.contact.in_([phone, email.lower()])
    )
    return sorted(set(session.scalars(query)))


def submit(
    session: Session, applicant: Applicant, position_ids: list[str], offer: Offer, year: int, mail_from: str
) -> Application:
    """Record the application, its claims and every email it causes, then commit once."""
    data = vars(applicant) | {
        "priority_groups": applicant.priority_groups if applicant.priority_consent else None
    }
    application = Application(**data)
    application.choices = [Choice(rank=i + 1, position_id=p) for i, p in enumerate(position_ids)]
    session.add(application)
    try:
        session.flush()
        session.add_all(
            Claim(position_id=p, contact=contact, application_id=application.id)
            for p in position_ids
            for contact in (applicant.phone, applicant.email.lower())
        )
        session.flush()
    except IntegrityError:
        session.rollback()
        raise DuplicateApplication(
            existing_duplicates(session, position_ids, applicant.phone, applicant.email)
        ) from None
    application.reference = reference(application.id, year)
    session.add(Transition(application_id=application.id, to_state="submitted", actor="申请人"))
    entries = [offer.by_id[p] for p in position_ids]
    outbox.add(
        session,
        f"received:{application.id}",
        applicant.email,
        "application_received",
        mail_from,
        application.id,
        application=application,
        entries=entries,
        units={e.id: offer.unit_of(e) for e in entries},
    )
    for entry in entries:
        unit = offer.unit_of(entry)
        contact = entry.position.contact or unit.contact
        outbox.add(
            session,
            f"unit:{application.id}:{entry.id}",
            contact.email,
            "unit_new_application",
            mail_from,
            application.id,
            application=application,
            entry=entry,
            unit=unit,
        )
    session.commit()
    return application


def move(
    session: Session, application: Application, to_state: str, actor: str, reason: str, mail_from: str
) -> Transition:
    """Record a transition and, when the applicant should know, the one email about it."""
    transition = Transition(
        application_id=application.id,
        from_state=application.state,
        to_state=to_state,
        actor=actor,
        reason=reason,
    )
    application.state = to_state
    session.add(transition)
    session.flush()
    if to_state in NOTIFY:
        outbox.add(
            session,
            f"state:{application.id}:{transition.id}",
            application.email,
            "application_state",
            mail_from,
            application.id,
            application=application,
            label=STATE_LABELS[to_state],
            reason=reason,
        )
    return transition


def pending_emails(session: Session, application_id: int) -> list[int]:
    query = select(Outbox.id).where(Outbox.application_id == application_id, Outbox.status == "pending")
    return list(session.scalars(query))


def find_for_status(session: Session, ref: str, contact: str) -> Application | None:
    """The application with this reference whose phone or email matches; None otherwise."""
    application = session.scalar(select(Application).where(Application.reference == ref.strip().upper()))
    if application is None:
        return None
    given = contact.strip().lower()
    if given and given in (application.phone, application.email.lower()):
        return application
    return None
