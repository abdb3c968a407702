"""Applications filed nationally and the offers units make for them."""

import datetime as dt

from sqlalchemy import update

from form_worker.applications.models import Application, Placement
from form_worker.applications.selection import offers
from form_worker.core.models import utcnow
from tests.conftest import TODAY
from tests.form_worker.conftest import OPEN_POSITION, recorded_application


def filed(app, session, positions: list[str], number: int = 0, **fields: object) -> Application:
    """An application filed nationally (state and batch set directly, as if the office had)."""
    contact = {"phone": f"1370000{number:04d}", "email": f"s{number}@example.com"}
    received = recorded_application(app, session, positions, **(contact | fields))
    session.execute(
        update(Application).where(Application.id == received.id).values(state="filed", filing_batch_id=1)
    )
    session.commit()
    session.expire_all()
    return session.get(Application, received.id)


def offer(session, app, application, mail, mentor="李示例", position=OPEN_POSITION, days=7, now=None):
    positions = app.extensions["jianxi.positions"].get()
    placement = offers.make_offer(
        session, application, position, mentor, days, "unit_a", "", mail, positions, now or utcnow()
    )
    session.commit()
    return placement


AGREEMENT = {
    "agreement_date": TODAY,  # signed the day the student accepted (accepted_on_today)
    "start_date": dt.date(2027, 7, 1),
    "end_date": dt.date(2027, 12, 31),
    "allowance": 3000,
    "insurer": "示例保险公司",
    "policy_number": "PA-1",
    "cover_start": dt.date(2027, 7, 1),
    "cover_end": dt.date(2027, 12, 31),
}


def accepted_on_today(session, placement) -> None:
    """The tests pin the programme's day (CLOCK, TODAY) but not the clock (UTCNOW): an acceptance
    made now is dated days after TODAY, and no agreement could be signed between the two. Date it
    on TODAY, as it would be in a worker whose clocks agree."""
    session.execute(
        update(Placement)
        .where(Placement.id == placement.id)
        .values(accepted_at=dt.datetime.combine(TODAY, dt.time(2)))
    )
    session.commit()
