"""The intern's consent to the public 成果展示 page (issue 23): asked on /status only when the unit has
marked the placement a typical case (典型案例), answered and changed there at any time.

How the case may name them is theirs to choose: with the full name, with the surname only (“王同学”),
without any name, or not at all. Every answer is recorded with its time and audited; an answer
given after the office approved the case voids that approval (showcase.services), so nothing is
published in a way the intern did not agree to.
"""

import datetime as dt

from sqlalchemy.orm import Session

from ..models import Application, Placement
from .rules import Refused, audit_entry

CONSENTS = {
    "named": "同意公开，署我的全名",
    "surname": "同意公开，只写姓氏（如“王同学”）",
    "anonymous": "同意公开，但不署名",
    "no": "不同意公开",
}
# The answers that allow publishing, each with the byline it gives.
PUBLISHING = ("named", "surname", "anonymous")
# A placement's case as retention and erasure leave it: not a case, nothing to publish.
CASE_CLEARED: dict[str, object] = {
    "typical_case": False,
    "case_story": "",
    "case_consent": None,
    "case_consent_at": None,
    "case_title": "",
    "case_text": "",
    "case_approved_at": None,
}


def byline(name: str, consent: str | None) -> str | None:
    """What the public page names the intern: only what the consent allows, None for no name.

    The surname is the name's first character: a compound surname (欧阳) shows as 欧同学, which
    names less, never more.
    """
    name = name.strip()
    if consent == "named" and name:
        return name
    if consent == "surname" and name:
        return f"{name[0]}同学"
    return None


def choices(name: str) -> list[tuple[str, str]]:
    """The answers as the form offers them, each showing exactly how the case would be signed."""
    shown = {key: byline(name, key) for key in CONSENTS}
    return [(key, f"{label}：署名“{shown[key]}”" if shown[key] else label) for key, label in CONSENTS.items()]


def asked(placement: Placement | None) -> bool:
    """Whether /status asks: once the unit marked the placement a typical case."""
    return placement is not None and placement.typical_case


def answer(session: Session, placement: Placement, consent: str, now: dt.datetime) -> bool:
    """Record the intern's answer with its time; return whether it changed the last one."""
    if not asked(placement):
        raise Refused({"consent": "单位没有把您的见习推荐为典型案例，无需回答"})
    if consent not in CONSENTS:
        raise Refused({"consent": "请选择是否同意公开"})
    changed = consent != placement.case_consent
    if changed:
        placement.case_consent, placement.case_consent_at = consent, now
        audit_entry(session, "申请人", "showcase_consent", placement, consent=consent)
    return changed


def published_name(session: Session, placement: Placement) -> str | None:
    """The byline of the placement's case as its consent allows."""
    application = session.get(Application, placement.application_id)
    return byline(application.name if application is not None else "", placement.case_consent)
