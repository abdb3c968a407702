"""Where an intern went next (去向, issue 22): the unit records it when it registers the end of the
internship (on time or early); the intern confirms or corrects it from /status. The summary
report, the statistics and the subsidy list count it, and each unit's retention rate (留用率) is
its interns kept on over its interns with a recorded destination.

Each function checks, writes and stages an audit entry in the caller's transaction; none commits.
"""

import datetime as dt

from sqlalchemy.orm import Session

from ..models import Placement
from .rules import Refused, audit_entry

DESTINATIONS = {
    "kept": "留用（被见习单位录用）",
    "employed": "到其他单位就业",
    "study": "升学深造",
    "seeking": "暂未就业",
    "other": "其他",
}
KEPT = "kept"
DETAIL_MAX = 100
BY_UNIT, BY_INTERN = "单位", "本人"


def destination_problems(destination: str | None, detail: str, field: str = "destination") -> dict[str, str]:
    """What breaks the rules, by field name: a known destination, and a word on 其他."""
    if destination not in DESTINATIONS:
        return {field: "请选择见习结束后的去向"}
    if len(detail) > DETAIL_MAX:
        return {f"{field}_detail": f"说明最多 {DETAIL_MAX} 个字"}
    if destination == "other" and not detail.strip():
        return {f"{field}_detail": "选择“其他”时，请简要说明"}
    return {}


def label(placement: Placement) -> str:
    """The destination as a reader sees it, with its detail; empty before it is recorded."""
    if placement.destination is None:
        return ""
    words = DESTINATIONS.get(placement.destination, placement.destination)
    return f"{words}（{placement.destination_detail}）" if placement.destination_detail else words


def record_by_unit(session: Session, placement: Placement, destination: str, detail: str, actor: str) -> None:
    """The unit's record, part of registering the end; it replaces nothing the intern confirmed."""
    found = destination_problems(destination, detail)
    if found:
        raise Refused(found)
    if placement.destination_confirmed_at is not None:
        return
    placement.destination, placement.destination_detail = destination, detail.strip()
    placement.destination_by = BY_UNIT
    audit_entry(session, actor, "workfile_destination", placement, destination=destination)


def confirm_by_intern(
    session: Session, placement: Placement, destination: str, detail: str, now: dt.datetime
) -> bool:
    """The intern's confirmation or correction; returns whether it changed what the unit recorded."""
    found = destination_problems(destination, detail)
    if found:
        raise Refused(found)
    changed = (destination, detail.strip()) != (placement.destination, placement.destination_detail)
    placement.destination, placement.destination_detail = destination, detail.strip()
    placement.destination_by, placement.destination_confirmed_at = BY_INTERN, now
    audit_entry(
        session, "申请人", "destination_confirmed", placement, destination=destination, corrected=changed
    )
    return changed
