"""A unit passes over a candidate (不录用): the choice's outcome, the audit entry, and the student
told at once, with what is still open and what they can do next.

The application itself stays filed while another choice is undecided; once every choice has an
outcome and none led to a place, /status says the application has ended (issue 21: a student marked
不录用 heard nothing and read 已报全国项目管理室备案 for good).
"""

from sqlalchemy.orm import Session

from ...accounts import audit
from ...outbox import services as outbox
from ..models import Application, Choice


def all_passed_over(application: Application) -> bool:
    """Every choice has an outcome and none is a place: the application ended without one."""
    return application.state == "filed" and all(c.outcome for c in application.choices)


def not_selected(
    session: Session,
    choice: Choice,
    actor: str,
    mail_from: str,
    titles: dict[str, str],
    catalogue_url: str,
) -> list[int]:
    """Record that this unit will not take the candidate and stage the student's email; the caller
    commits. titles: each choice's position as the student knows it (title · unit)."""
    application = choice.application
    choice.outcome, choice.shortlisted = "not_selected", False
    audit.record(
        session, actor, "choice_not_selected", application.reference or "", position=choice.position_id
    )
    waiting = [titles.get(c.position_id, c.position_id) for c in application.choices if not c.outcome]
    row = outbox.add(
        session,
        f"not-selected:{choice.id}",
        application.email,
        "application_not_selected",
        mail_from,
        application.id,
        application=application,
        position=titles.get(choice.position_id, choice.position_id),
        waiting=waiting,
        positions_url=catalogue_url.rstrip("/") + "/positions/",
    )
    return [row.id]
