"""The intern's rating of the internship (issue 22): given once from /status after the internship
completed, never shown to the unit, and in the summary report only as a unit's averages once at
least three interns rated it."""

import datetime as dt
import re

from sqlalchemy import select

from form_worker.accounts.models import AuditEntry
from form_worker.applications.models import Application, InternRating, Placement
from form_worker.applications.workfile import ratings
from form_worker.reports import summary
from form_worker.retention import services as retention
from tests.form_worker.conftest import OPEN_POSITION, csrf_token
from tests.helpers.parties import OTHER_POSITION, make_parties, party
from tests.helpers.workfiles import intern

SCORES = {"mentor": "5", "tasks": "4", "learning": "3"}


def status_page(client, placement: Placement, session) -> str:
    application = session.get(Application, placement.application_id)
    token = csrf_token(client.get("/status").text)
    data = {"reference": application.reference, "contact": application.phone, "csrf_token": token}
    return client.post("/status", data=data).text


def post_rating(client, page: str, **answers: str):
    form = re.search(r'<form method="post" action="/status/rating".*?</form>', page, re.S).group(0)
    hidden = r'<input[^>]*name="(rating-(?:reference|contact|csrf_token))"[^>]*value="([^"]*)"'
    data = dict(re.findall(hidden, form))
    return client.post("/status/rating", data=data | {f"rating-{k}": v for k, v in answers.items()})


def test_a_completed_intern_rates_once_and_sees_it(app, client, session) -> None:
    make_parties(app, session)
    placement = intern(app, session, state="completed")
    page = status_page(client, placement, session)
    assert "评价本次见习" in page and "单位看不到您的评价" in page

    missing = post_rating(client, page, mentor="5", comment="导师很耐心")
    assert missing.status_code == 422
    assert "请为“任务安排”打分（1–5 分）" in missing.text and "导师很耐心</textarea>" in missing.text
    assert session.scalar(select(InternRating)) is None

    rated = post_rating(client, page, **SCORES, comment=" 导师很耐心 ")
    assert rated.status_code == 200 and "感谢您的评价" in rated.text
    assert "导师指导 5 分、任务安排 4 分、收获与成长 3 分；导师很耐心" in rated.text
    assert 'action="/status/rating"' not in rated.text
    row = session.scalars(select(InternRating)).one()
    assert (row.mentor, row.tasks, row.learning, row.comment) == (5, 4, 3, "导师很耐心")
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "intern_rating")).one()
    assert "导师很耐心" not in entry.detail and '"mentor"' not in entry.detail

    again = post_rating(client, page, **SCORES)
    assert again.status_code == 409 and ratings.RATED in again.text
    assert len(session.scalars(select(InternRating)).all()) == 1

    # The unit's own pages of the intern never show it.
    work_file = party(app, "unit_a").get(f"/staff/unit/placements/{placement.id}/file").text
    assert "导师很耐心" not in work_file and "收获与成长" not in work_file


def test_an_intern_still_on_the_job_cannot_rate(app, client, session) -> None:
    make_parties(app, session)
    placement = intern(app, session, state="active")
    page = status_page(client, placement, session)
    assert 'action="/status/rating"' not in page
    forged = page.replace("</main>", "") + (
        '<form method="post" action="/status/rating">'
        + "".join(
            f'<input type="hidden" name="rating-{name}" value="{value}">'
            for name, value in re.findall(
                r'name="withdraw-(reference|contact|csrf_token)"[^>]*value="([^"]*)"', page
            )
        )
        + "</form>"
    )
    response = post_rating(client, forged, **SCORES)
    assert response.status_code == 409 and "见习结束后才能评价" in response.text
    assert session.scalar(select(InternRating)) is None


def rate(session, placement: Placement, mentor: int, tasks: int = 4, learning: int = 4) -> None:
    scores: dict[str, int | None] = {"mentor": mentor, "tasks": tasks, "learning": learning}
    ratings.rate(session, placement, scores, "", dt.datetime(2027, 1, 20))
    session.commit()


def test_the_summary_shows_a_units_averages_from_three_ratings_on(app, session) -> None:
    make_parties(app, session)
    at_a = [
        intern(app, session, OPEN_POSITION, "completed", phone=f"1380000100{n}", email=f"a{n}@x.cn")
        for n in range(3)
    ]
    at_b = [
        intern(app, session, OTHER_POSITION, "completed", phone=f"1380000200{n}", email=f"b{n}@x.cn")
        for n in range(2)
    ]
    for placement, mentor in zip(at_a, (5, 4, 4), strict=True):
        rate(session, placement, mentor)
    for placement in at_b:
        rate(session, placement, 1)
    positions = app.extensions["jianxi.positions"].get()
    rows = summary.ratings_by_unit(session, positions, 2026)
    unit_a = positions.unit_of(positions.by_id[OPEN_POSITION]).name
    assert rows == [summary.RatingRow(unit_a, 3, {"mentor": 4.3, "tasks": 4.0, "learning": 4.0})]
    assert summary.ratings_by_unit(session, positions, 2025) == []


def test_retention_clears_the_comment_and_keeps_the_scores(app, session) -> None:
    make_parties(app, session)
    placement = intern(app, session, state="completed")
    ratings.rate(
        session,
        placement,
        {"mentor": 5, "tasks": 5, "learning": 5},
        "张老师带我很多",
        dt.datetime(2027, 1, 20),
    )
    session.commit()
    retention.anonymise(session, [placement.application_id], dt.datetime(2028, 1, 1))
    session.commit()
    session.expire_all()
    row = session.scalars(select(InternRating)).one()
    assert row.comment == "" and row.mentor == 5
