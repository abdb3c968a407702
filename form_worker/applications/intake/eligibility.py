"""Who may take which position, from the notice; pure functions the form and the check task share.

科技见习 positions take this year's graduates (应届) and graduates who left school within the last
two years and are not employed; 职业体验 positions take current students.
"""

import datetime as dt

from site_builder.model.schema import Position
from site_builder.model.vocab import EDUCATION_LEVELS

STATUSES = ("应届毕业生", "离校两年内未就业", "在校生")


def status_problem(
    current_status: str, graduation: dt.date, programme_year: int, today: dt.date
) -> str | None:
    """Say why a status and graduation date do not fit together, or None."""
    if current_status == "应届毕业生" and graduation.year != programme_year:
        return f"应届毕业生的毕业时间应在 {programme_year} 年内"
    if current_status == "离校两年内未就业" and not (
        programme_year - 2 <= graduation.year <= programme_year and graduation <= today
    ):
        return f"离校两年内未就业，毕业时间应在 {programme_year - 2} 年至今之间"
    if current_status == "在校生" and graduation <= today:
        return "在校生的预计毕业时间应晚于今天"
    return None


def choice_problem(position: Position, current_status: str, degree: str) -> str | None:
    """Say why this applicant cannot take this position, or None."""
    if position.track == "职业体验" and current_status != "在校生":
        return "职业体验岗位只面向在校大学生"
    if position.track == "科技见习" and current_status == "在校生":
        return "科技见习岗位面向应届毕业生和离校两年内未就业的毕业生，在校生可选择职业体验岗位"
    levels = list(EDUCATION_LEVELS)
    if levels.index(degree) < levels.index(position.education):
        return f"该岗位要求{position.education}及以上学历"
    return None
