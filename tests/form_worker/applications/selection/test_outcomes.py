"""A unit's 不录用: the student hears of it at once, with what is still open and what to do next,
and /status says so once every choice has ended without a place (issue 21)."""

import html
import re

from sqlalchemy import select

from form_worker.applications.models import Choice
from form_worker.outbox.models import Outbox
from tests.form_worker.conftest import OPEN_POSITION, csrf_token, drain
from tests.helpers.offers import filed
from tests.helpers.parties import OTHER_POSITION, make_parties, party


def status_page(app, application) -> str:
    client = app.test_client()
    looked_up = {"reference": application.reference, "contact": application.phone}
    token = csrf_token(client.get("/status").text)
    return client.post("/status", data=looked_up | {"csrf_token": token}).text


def pass_over(app, session, username: str, application, position: str) -> None:
    choice = session.scalar(
        select(Choice).where(Choice.application_id == application.id, Choice.position_id == position)
    )
    response = party(app, username).post(f"/staff/unit/candidates/{choice.id}/pass")
    assert response.status_code == 303, response.text


def test_a_student_passed_over_hears_of_it_and_what_is_left(app, session) -> None:
    make_parties(app, session)
    application = filed(app, session, [OPEN_POSITION, OTHER_POSITION], number=7)
    positions = app.extensions["jianxi.positions"].get()
    other = positions.by_id[OTHER_POSITION].position.title

    pass_over(app, session, "unit_a", application, OPEN_POSITION)
    drain(app)

    first = session.scalar(select(Outbox).where(Outbox.key.startswith("not-selected:")))
    assert (first.recipient, first.status) == (application.email, "sent")
    assert (
        "这次没有录用您" in first.body_text and "仍在遴选中" in first.body_text and other in first.body_text
    )
    assert "/positions/" in first.body_text and "/status" in first.body_text
    page = status_page(app, application)
    assert "未被录用" in page and 'id="ended"' not in page

    pass_over(app, session, "unit_b", application, OTHER_POSITION)
    drain(app)

    last = session.scalars(
        select(Outbox).where(Outbox.key.startswith("not-selected:")).order_by(Outbox.id)
    ).all()[-1]
    assert "这份报名到此结束" in last.body_text and "仍在遴选中" not in last.body_text
    page = status_page(app, application)
    assert 'id="ended"' in page and "都已有结果，没有录用，这份报名到此结束" in page and "/positions/" in page


def test_a_unit_reaches_its_own_positions_prefilled_from_its_page(app, session) -> None:
    """Issue 21: the unit area had no way to edit or add positions; the clerk had to know /submit."""
    make_parties(app, session)
    unit = party(app, "unit_a")
    page = unit.get("/staff/unit/").text
    link = re.search(r'<a class="button" href="([^"]+)">修改岗位或新增岗位</a>', page).group(1)
    positions = app.extensions["jianxi.positions"].get()
    entry = positions.by_id[OPEN_POSITION]
    form = unit.get(html.unescape(link)).text
    assert f"已载入“{positions.unit_of(entry).name}”在岗位目录中的信息" in form
    assert entry.position.title in form
