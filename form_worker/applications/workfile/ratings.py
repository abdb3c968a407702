"""The intern's rating of the internship at its end (issue 22): three aspects 1–5 and a comment,
given once from /status after the internship completed. A unit never sees a rating; the summary
report shows a unit's averages only once MIN_SHOWN interns have rated it, so no single intern's
view can be read off it.
"""

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import InternRating, Placement
from .rules import Refused, audit_entry, score_problems

ASPECTS = {"mentor": "导师指导", "tasks": "任务安排", "learning": "收获与成长"}
MIN_SHOWN = 3
COMMENT_MAX = 500
RATED = "您已经评价过这次见习，谢谢。"


class AlreadyRated(Exception):
    """The internship was rated before: the first rating stands."""


def rating_of(session: Session, placement: Placement) -> InternRating | None:
    return session.scalar(select(InternRating).where(InternRating.placement_id == placement.id))


def rating_problems(scores: dict[str, int | None], comment: str) -> dict[str, str]:
    found = score_problems(scores, ASPECTS)
    if len(comment) > COMMENT_MAX:
        found["comment"] = f"最多 {COMMENT_MAX} 个字"
    return found


def rate(
    session: Session, placement: Placement, scores: dict[str, int | None], comment: str, now: dt.datetime
) -> InternRating:
    """Record the intern's rating; raises Refused (fields) or AlreadyRated. The caller commits."""
    if rating_of(session, placement) is not None:
        raise AlreadyRated
    found = rating_problems(scores, comment)
    if found:
        raise Refused(found)
    row = InternRating(
        placement_id=placement.id, comment=comment.strip(), created_at=now, **{k: scores[k] for k in ASPECTS}
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # the same form sent twice at once: the first stands
        session.rollback()
        raise AlreadyRated from None
    # The audit names the act, never the scores.
    audit_entry(session, "申请人", "intern_rating", placement)
    return row
