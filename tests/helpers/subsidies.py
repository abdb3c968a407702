"""Interns whose placements and agreements the subsidy report reads."""

import datetime as dt

from form_worker.applications.models import Application, Placement
from tests.form_worker.conftest import OPEN_POSITION, recorded_application
from tests.helpers.parties import OTHER_POSITION

UNIT_A = OPEN_POSITION.split("/")[0]


UNIT_A_NAME = "重庆市示例青年科技工作者学会（示例）"


UNIT_B = OTHER_POSITION.split("/")[0]


UNIT_B_NAME = "重庆示例自然科学馆（示例）"


TITLE = "学术会议组织助理（示例）"


JUL, AUG, SEP, OCT, NOV = (dt.date(2026, m, 1) for m in range(7, 12))


INSURER = "示例人寿保险重庆分公司"


def intern(
    app, session, name: str, number: int, position: str = OPEN_POSITION, state: str = "active", **agreed
):
    """An application in `state` with a placement at `position` whose agreement is `agreed`."""
    received = recorded_application(
        app, session, [position], name=name, phone=f"1390000{number:04d}", email=f"i{number}@example.com"
    )
    session.get(Application, received.id).state = state
    values = {
        "agreement_date": dt.date(2026, 6, 20),
        "start_date": JUL,
        "end_date": dt.date(2026, 12, 31),
        "allowance": 3000,
        "insurer": INSURER,
        "policy_number": f"PA-{number}",
        "cover_start": JUL,
        "cover_end": dt.date(2026, 12, 31),
    } | agreed
    placement = Placement(application_id=received.id, position_id=position, mentor="李示例", **values)
    session.add(placement)
    session.flush()
    return placement
