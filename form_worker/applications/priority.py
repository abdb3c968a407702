"""The neutral 同等条件下优先考虑 mark selectors may see (issue 22; DESIGN §3a).

Which priority group applies stays with the office's admins. A university or a unit sees only the
mark, and only when the applicant gave a second, separate consent on /apply to its being shown;
every showing is written to the audit log, as an admin's view of the groups is.
"""

from collections.abc import Iterable

from sqlalchemy.orm import Session

from ..accounts import audit
from .models import Application

MARK = "同等条件下优先考虑"


def may_show_mark(application: Application) -> bool:
    """The applicant told a priority group and consented to selectors seeing that one applies."""
    return bool(
        application.priority_mark_consent and application.priority_consent and application.priority_groups
    )


def marked(session: Session, actor: str, applications: Iterable[Application]) -> set[int]:
    """The ids of these applications whose page may show the mark, each showing audited; the caller
    commits."""
    shown = {a.id: a.reference or "" for a in applications if may_show_mark(a)}
    for reference in shown.values():
        audit.record(session, actor, "view_priority_mark", reference)
    return set(shown)
