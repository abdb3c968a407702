"""Edges of the parties' pages found by a red-team pass: bulk moves that would skip a step's
records, ids past what the database holds, impossible dates, a stale page, a crafted query
string, a mentor named on two positions of a unit."""

import pytest
from sqlalchemy import select, update

from form_worker.applications.models import Application, Placement
from form_worker.applications.selection import answers, offers
from form_worker.applications.services import TransitionRefused, bulk_move
from form_worker.core.models import utcnow
from tests.form_worker.conftest import OPEN_POSITION
from tests.helpers.offers import AGREEMENT, filed, offer
from tests.helpers.parties import make_parties, party

SIBLING = "shili-youth-scitech-society/society-newmedia-experience"  # the same unit's other position
HUGE = "99999999999999999999"


@pytest.fixture
def mail(app) -> offers.Mail:
    return offers.Mail.of(app.config)


@pytest.mark.parametrize(
    ("state", "to_state"),
    [("offered", "agreement_signed"), ("agreement_signed", "active"), ("approved_by_city_office", "filed")],
)
def test_a_bulk_move_never_skips_a_steps_records(app, session, state, to_state) -> None:
    make_parties(app, session)
    application = filed(app, session, [OPEN_POSITION], number=50)
    session.execute(update(Application).where(Application.id == application.id).values(state=state))
    session.commit()
    with pytest.raises(TransitionRefused, match="不能把"):
        bulk_move(session, [application.id], state, to_state, "reviewer", "", app.config["MAIL_FROM"])
    reviewer = party(app, "reviewer")
    response = reviewer.post(
        "/staff/applications/bulk", {"state": state, "action": to_state, "ids": str(application.id)}
    )
    assert response.status_code == 422
    assert f'name="action" value="{to_state}"' not in reviewer.get(f"/staff/applications?state={state}").text
    session.expire_all()
    assert session.get(Application, application.id).state == state


def test_filing_one_by_one_is_refused_the_batch_is_the_way(app, session) -> None:
    make_parties(app, session)
    application = filed(app, session, [OPEN_POSITION], number=51)
    session.execute(
        update(Application).where(Application.id == application.id).values(state="approved_by_city_office")
    )
    session.commit()
    reviewer = party(app, "reviewer")
    page = reviewer.get(f"/staff/applications/{application.id}").text
    assert 'value="filed"' not in page and 'id="filing-hint"' in page
    seen = {"state": "approved_by_city_office", "to_state": "filed", "reason": ""}
    response = reviewer.post(f"/staff/applications/{application.id}/transition", seen)
    assert response.status_code == 422 and "全国备案" in response.text


def test_ids_past_what_the_database_holds_are_404_or_ignored(app, session) -> None:
    make_parties(app, session)
    for role, path in (
        ("reviewer", f"/staff/applications/{HUGE}"),
        ("reviewer", "/staff/applications/2147483648"),
        ("cqu", f"/staff/university/{HUGE}"),
        ("unit_a", f"/staff/unit/candidates/{HUGE}"),
        ("unit_a", f"/staff/unit/placements/{HUGE}/agreement"),
    ):
        assert party(app, role).get(path).status_code == 404, path
    assert party(app, "reviewer").post(f"/staff/filing/{HUGE}.xlsx").status_code == 404
    cqu = party(app, "cqu")
    response = cqu.post("/staff/university/act", {"ids": [HUGE, "-1", "x"], "action": "recommend"})
    assert response.status_code == 422 and "请先勾选" in response.text


def test_a_date_no_programme_has_is_a_field_error(app, session, mail) -> None:
    make_parties(app, session)
    application = filed(app, session, [OPEN_POSITION], number=52)
    placement = offer(session, app, application, mail)
    answers.accept(session, application, placement, mail, app.extensions["jianxi.positions"].get(), utcnow())
    session.commit()
    form = {k: str(v) for k, v in AGREEMENT.items()} | {"start_date": "9999-01-01", "end_date": "9999-12-31"}
    response = party(app, "unit_a").post(f"/staff/unit/placements/{placement.id}/agreement", form)
    assert response.status_code == 422 and "日期应在 2000 至 2099 年之间" in response.text


def test_a_stale_offer_page_loses(app, session) -> None:
    make_parties(app, session)
    application = filed(app, session, [OPEN_POSITION], number=53)
    choice = application.choices[0]
    response = party(app, "unit_a").post(
        f"/staff/unit/candidates/{choice.id}/offer", {"state": "checked", "mentor": "李示例", "days": "7"}
    )
    assert response.status_code == 409 and "状态刚刚变了" in response.text
    session.expire_all()
    assert session.get(Application, application.id).state == "filed"


def test_a_crafted_query_string_is_no_500(app, session) -> None:
    make_parties(app, session)
    reviewer = party(app, "reviewer")
    for query in ("?state=checked&endpoint=x", "?_external=1&state=checked", "?values=1&page=2"):
        assert reviewer.get(f"/staff/applications{query}").status_code == 200, query


def test_a_mentor_named_on_two_positions_of_a_unit_has_three_interns_in_all(app, session, mail) -> None:
    """The mentor limit is the person's: three placements at the sibling position count."""
    for number in range(3):
        other = filed(app, session, [SIBLING], number=60 + number)
        session.execute(update(Application).where(Application.id == other.id).values(state="offered"))
        session.add(
            Placement(application_id=other.id, position_id=SIBLING, mentor="李示例", deadline=utcnow())
        )
    session.commit()
    application = filed(app, session, [OPEN_POSITION], number=70)
    with pytest.raises(TransitionRefused, match="见习导师李示例已同时带教 3 名"):
        offer(session, app, application, mail, "李示例")
    session.rollback()
    assert session.scalar(select(Placement).where(Placement.application_id == application.id)) is None
    assert offer(session, app, session.get(Application, application.id), mail, "王示例").mentor == "王示例"
