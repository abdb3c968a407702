"""Readers' reports of a problem with a position: posted through the public form, or recorded
as the form records them."""

import datetime as dt

from form_worker.feedback import services
from form_worker.feedback.models import Feedback
from tests.form_worker.conftest import OPEN_POSITION, csrf_token

FORM = f"/feedback/{OPEN_POSITION}"


def answers(**overrides: str) -> dict[str, str]:
    """A complete report of wrong information, without a contact."""
    return {
        "problem": "wrong",
        "description": "报名截止日期写成了 2027 年，应为 2026 年（示例）",
        **overrides,
    }


def post_report(client, path: str = FORM, **overrides: str):
    """Open the form for a token, then post the answers with it."""
    token = csrf_token(client.get(path).text)
    return client.post(path, data=answers(**overrides) | {"csrf_token": token})


def recorded(
    app, session, position_id: str = OPEN_POSITION, now: dt.datetime | None = None, **fields
) -> Feedback:
    """A report stored as the form stores one, committed."""
    entry = app.extensions["jianxi.positions"].get().by_id[position_id]
    given = {"problem": "wrong", "description": "导师姓名有误（示例）", **fields}
    report = services.record(session, entry, services.Report(**given), now or dt.datetime(2026, 11, 27, 2))
    session.commit()
    return report
