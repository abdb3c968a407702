"""Red-team probes (scratch; delete after)."""

import datetime as dt

import pytest
from sqlalchemy import select, update

from form_worker.applications import offers
from form_worker.applications.models import Application, Choice, Placement, Transition
from form_worker.core.models import utcnow
from tests.form_worker.applications.test_flow import OTHER_POSITION, make_parties, party
from tests.form_worker.conftest import OPEN_POSITION, csrf_token, recorded_application

HUGE = "99999999999999999999"  # > 2**63


def mail(app) -> offers.Mail:
    return offers.Mail(app.config["MAIL_FROM"], "https://forms.example.cn/", app.config["SECRET_KEY"])


def filed(app, session, positions, number=0, batch=1, **fields) -> Application:
    contact = {"phone": f"1370000{number:04d}", "email": f"s{number}@example.com"}
    received = recorded_application(app, session, positions, **(contact | fields))
    session.execute(
        update(Application).where(Application.id == received.id).values(state="filed", filing_batch_id=batch)
    )
    session.commit()
    session.expire_all()
    return session.get(Application, received.id)


def accepted(app, session, application, mentor="李示例", position=OPEN_POSITION) -> Placement:
    positions = app.extensions["jianxi.positions"].get()
    placement = offers.make_offer(
        session, application, position, mentor, 7, "unit_a", "", mail(app), positions, utcnow()
    )
    session.commit()
    offers.accept(session, application, placement, mail(app), positions, utcnow())
    session.commit()
    return placement


# 1. Huge ids in URLs and forms ------------------------------------------------------------------


@pytest.mark.backend
@pytest.mark.parametrize(
    "who,method,path",
    [
        ("unit_a", "GET", f"/staff/unit/candidates/{HUGE}"),
        ("unit_a", "POST", f"/staff/unit/candidates/{HUGE}/shortlist"),
        ("unit_a", "GET", f"/staff/unit/placements/{HUGE}/agreement"),
        ("cqu", "GET", f"/staff/university/{HUGE}"),
        ("reviewer", "GET", f"/staff/applications/{HUGE}"),
        ("reviewer", "POST", f"/staff/filing/{HUGE}.xlsx"),
        ("reviewer", "POST", f"/staff/placements/{HUGE}/allowance"),
        ("admin", "POST", f"/staff/accounts/{HUGE}/invite"),
    ],
)
def test_huge_id_in_url(app, session, who, method, path) -> None:
    make_parties(session)
    client = party(app, who)
    response = client.get(path) if method == "GET" else client.post(path, {})
    assert response.status_code < 500, (method, path, response.status_code)


@pytest.mark.backend
@pytest.mark.parametrize(
    "who,path,data",
    [
        ("cqu", "/staff/university/act", {"ids": HUGE, "action": "recommend"}),
        ("reviewer", "/staff/applications/bulk", {"ids": HUGE, "state": "checked", "action": "rejected", "reason": "x"}),
    ],
)
def test_huge_id_in_bulk_form(app, session, who, path, data) -> None:
    make_parties(session)
    response = party(app, who).post(path, data)
    assert response.status_code < 500, (path, response.status_code)


# 2. Office bulk moves that skip the rules --------------------------------------------------------


def test_bulk_offered_to_agreement_signed_without_acceptance_or_agreement(app, session) -> None:
    make_parties(session)
    application = filed(app, session, [OPEN_POSITION])
    positions = app.extensions["jianxi.positions"].get()
    offers.make_offer(session, application, OPEN_POSITION, "李示例", 7, "unit_a", "", mail(app), positions, utcnow())
    session.commit()
    reviewer = party(app, "reviewer")
    # The single-application page refuses (gaps); the bulk endpoint?
    single = reviewer.post(
        f"/staff/applications/{application.id}/transition",
        {"state": "offered", "to_state": "agreement_signed", "reason": ""},
    )
    print("single", single.status_code)
    bulk = reviewer.post(
        "/staff/applications/bulk",
        {"state": "offered", "action": "agreement_signed", "ids": str(application.id)},
    )
    session.expire_all()
    placement = session.scalar(select(Placement))
    print("bulk", bulk.status_code, session.get(Application, application.id).state, placement.accepted_at, placement.agreement_date)
    assert session.get(Application, application.id).state == "offered"


def test_bulk_agreement_signed_to_active_before_start(app, session) -> None:
    make_parties(session)
    application = filed(app, session, [OPEN_POSITION])
    session.execute(update(Application).where(Application.id == application.id).values(state="agreement_signed"))
    session.commit()
    reviewer = party(app, "reviewer")
    bulk = reviewer.post(
        "/staff/applications/bulk",
        {"state": "agreement_signed", "action": "active", "ids": str(application.id)},
    )
    session.expire_all()
    print("bulk", bulk.status_code, session.get(Application, application.id).state)


def test_bulk_approved_to_filed_skips_the_filing_batch(app, session) -> None:
    make_parties(session)
    received = recorded_application(app, session, [OPEN_POSITION])
    session.execute(update(Application).where(Application.id == received.id).values(state="approved_by_city_office"))
    session.commit()
    reviewer = party(app, "reviewer")
    bulk = reviewer.post(
        "/staff/applications/bulk",
        {"state": "approved_by_city_office", "action": "filed", "ids": str(received.id)},
    )
    session.expire_all()
    application = session.get(Application, received.id)
    print("bulk", bulk.status_code, application.state, application.filing_batch_id)
    unit_list = party(app, "unit_a").get("/staff/unit/").text
    print("unit sees it:", received.reference in unit_list)
    filing_page = reviewer.get("/staff/filing").text
    assert application.filing_batch_id is not None or application.state != "filed"


@pytest.mark.backend
@pytest.mark.parametrize("number", ["2147483648", HUGE])
def test_int4_overflow_and_preexisting_route(app, session, number) -> None:
    make_parties(session)
    out = {}
    out["submissions(pre-existing)"] = party(app, "reviewer").get(f"/staff/submissions/{number}").status_code
    out["unit candidate"] = party(app, "unit_a").get(f"/staff/unit/candidates/{number}").status_code
    print(number, out)
    assert all(code < 500 for code in out.values()), out
