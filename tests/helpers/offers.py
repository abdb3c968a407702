"""Applications filed nationally and the offers units make for them."""

import datetime as dt

from sqlalchemy import update

from form_worker.applications.models import Application
from form_worker.applications.selection import offers
from form_worker.core.models import utcnow
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
    "agreement_date": dt.date(2027, 6, 20),
    "start_date": dt.date(2027, 7, 1),
    "end_date": dt.date(2027, 12, 31),
    "allowance": 3000,
    "insurer": "示例保险公司",
    "policy_number": "PA-1",
    "cover_start": dt.date(2027, 7, 1),
    "cover_end": dt.date(2027, 12, 31),
}
