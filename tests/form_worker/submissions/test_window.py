"""The collection window on /submit (issue 23): collection ends at 24:00 Beijing time on
COLLECTION_CLOSES. The form shows the deadline and, in the last two weeks, a countdown; new positions
sent after it are still taken but recorded late (逾期) with their arrival, the unit is told kindly
and the office sees and filters them; edits of published positions are never late. The clock is
pinned per test (UTCNOW), each moment written in Beijing time."""

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from form_worker.core.db import sessions
from form_worker.outbox.models import Outbox
from form_worker.submissions.models import Submission
from site_builder.clock import CHONGQING
from tests.form_worker.conftest import app_config, logged_in, make_accounts, worker_app
from tests.helpers.clerks import KNOWN_CODE, KNOWN_POSITION, UNIT_EMAIL, Clerk, answers_for, form_answers
from tests.helpers.submission_review import submitted


def beijing(*when: int) -> dt.datetime:
    """A moment in Beijing time as the worker's clock gives it: naive UTC."""
    return dt.datetime(*when, tzinfo=CHONGQING).astimezone(dt.UTC).replace(tzinfo=None)


# The default window of the test world (PROGRAMME_YEAR 2026): open until 2026-06-30 24:00 Beijing.
LAST_SECOND = beijing(2026, 6, 30, 23, 59, 59)
CLOSED = beijing(2026, 7, 1, 0, 0, 0)
DEADLINE = "2026 年 6 月 30 日 24:00（北京时间）"
ARRIVAL = re.compile(r'id="late-arrival">.*?</p>', re.S)


def at(app, moment: dt.datetime) -> None:
    app.config["UTCNOW"] = lambda: moment


@pytest.fixture
def clerk(client) -> Clerk:
    return Clerk(client)


def late_at(session, reference: str) -> dt.datetime | None:
    return submitted(session, reference).late_at


def receipts(session, reference: str) -> tuple[Outbox, list[Outbox]]:
    """The unit's receipt and the office's emails of a submission, as staged in the outbox."""
    session.rollback()
    rows = list(session.scalars(select(Outbox).where(Outbox.subject.contains(reference)).order_by(Outbox.id)))
    return [row for row in rows if row.recipient == UNIT_EMAIL][-1], [r for r in rows if ":staff:" in r.key]


def loaded_edit(client, **changes: str):
    """The known unit's published data loaded into the form, its first position changed, as a
    browser posts it (the positions keep their file names: an edit)."""
    data = form_answers(client.get(f"/submit?credit_code={KNOWN_CODE}").text)
    index = next(i for i in range(20) if data.get(f"positions-{i}-slug") == KNOWN_POSITION)
    for name, value in changes.items():
        data.setlist(f"positions-{index}-{name}", [value])
    return data


def post_data(client, data, action: str = "review", url: str = "/submit"):
    data = data.copy()
    data.setlist("action", [action])
    return client.post(url, data=data)


# --- the form page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "countdown"),
    [
        (beijing(2026, 6, 15, 23, 59, 59), None),  # 15 days left: the deadline only
        (beijing(2026, 6, 16, 0, 0, 0), "距岗位征集截止还有 14 天"),
        (beijing(2026, 6, 29, 12, 0, 0), "距岗位征集截止还有 1 天"),
        (beijing(2026, 6, 30, 0, 0, 0), "岗位征集今天 24:00 截止"),
        (LAST_SECOND, "岗位征集今天 24:00 截止"),
    ],
)
def test_the_form_shows_the_deadline_and_counts_down_in_the_last_two_weeks(
    app, client, moment, countdown
) -> None:
    at(app, moment)
    page = client.get("/submit").text
    window = re.search(r'<p class="notice" role="note" id="collection-window">.*?</p>', page, re.S)
    assert window and DEADLINE in window.group(0)
    shown = re.search(r'id="collection-countdown">([^<]*)<', page)
    assert (shown.group(1) if shown else None) == countdown
    assert "逾期" not in page


def test_after_the_deadline_the_form_still_takes_positions_and_says_the_office_decides(app, client) -> None:
    at(app, CLOSED)
    page = client.get("/submit").text
    assert f"岗位征集已于 {DEADLINE}截止" in page
    assert "由市项目办决定是否接收" in page and "修改已发布的岗位" in page
    assert "collection-countdown" not in page
    assert '<form method="post" action="/submit" novalidate>' in page  # the form is still there


def test_a_configured_deadline_moves_the_window(backend: dict[str, str], tmp_path: Path) -> None:
    config = app_config(backend, tmp_path, COLLECTION_CLOSES=dt.date(2026, 7, 15), UTCNOW=lambda: CLOSED)
    with worker_app(config) as app:
        client = app.test_client()
        page = client.get("/submit").text
        assert "2026 年 7 月 15 日 24:00（北京时间）" in page and "还有 14 天" in page
        assert "截止。</strong>" not in page
        reference = Clerk(client).submit(answers_for())
        with sessions(app)() as session:
            assert late_at(session, reference) is None


# --- what a submission records -------------------------------------------------------------------


@pytest.mark.backend
def test_new_positions_on_the_last_second_are_in_time_and_at_midnight_late(
    app, client, clerk, session
) -> None:
    make_accounts(app, session)  # the admin has an address: the office's email
    at(app, LAST_SECOND)
    check = clerk.post(answers_for())
    assert "late-notice" not in check.text
    in_time = clerk.submit(answers_for())
    assert late_at(session, in_time) is None
    assert "late-notice" not in client.get("/submit/done").text
    receipt, office = receipts(session, in_time)
    assert office and "逾期" not in receipt.body_text and all("逾期" not in row.subject for row in office)

    at(app, CLOSED)  # 1 July 00:00 Beijing = 30 June 16:00 UTC
    assert CLOSED == dt.datetime(2026, 6, 30, 16, 0)
    check = clerk.post(answers_for())
    assert check.status_code == 200 and 'id="late-notice"' in check.text
    late = clerk.submit(answers_for())
    assert late_at(session, late) == CLOSED
    done = client.get("/submit/done").text
    assert 'id="late-notice"' in done and f"岗位征集已于 {DEADLINE}截止" in done
    receipt, office = receipts(session, late)
    assert f"岗位征集已于 {DEADLINE}截止" in receipt.body_text
    assert "2026-07-01 00:00" in receipt.body_text and "是否接收由市项目办决定" in receipt.body_html
    assert office and all(row.subject.endswith("逾期）") for row in office)
    assert all("逾期：2026-07-01 00:00 收到" in row.body_text for row in office)


@pytest.mark.backend
def test_edits_of_published_positions_are_never_late_but_new_ones_beside_them_are(
    app, client, session
) -> None:
    at(app, beijing(2026, 8, 1, 9, 0, 0))
    closing = loaded_edit(client, status="closed")
    check = post_data(client, closing)
    assert check.status_code == 200 and "late-notice" not in check.text
    assert Clerk(client).confirm(check.text).status_code == 303
    edit = session.scalar(select(Submission).order_by(Submission.id.desc()))
    assert edit.is_edit and edit.late_at is None
    assert all("_slug" in p for p in edit.positions_data)

    adding = loaded_edit(client)
    count = len({key.split("-")[1] for key in adding if re.fullmatch(r"positions-\d+-slug", key)})
    for name, value in answers_for(count + 1).items():
        if name.startswith(f"positions-{count}-"):
            adding.setlist(name, value if isinstance(value, list) else [value])
    check = post_data(client, adding)
    assert check.status_code == 200 and 'id="late-notice"' in check.text
    assert Clerk(client).confirm(check.text).status_code == 303
    session.rollback()
    added = session.scalar(select(Submission).order_by(Submission.id.desc()))
    assert added.is_edit and added.late_at == beijing(2026, 8, 1, 9, 0, 0)


@pytest.mark.backend
def test_a_draft_saved_in_time_and_submitted_after_the_deadline_is_late(app, client, clerk, session) -> None:
    at(app, beijing(2026, 6, 28, 10, 0, 0))
    saved = clerk.post(answers_for(), action="save_draft")
    link = re.search(r'<form method="post" action="(/submit/draft/[^"]+)" novalidate>', saved.text).group(1)

    at(app, CLOSED)
    reference = clerk.submit(answers_for(), url=link)
    assert late_at(session, reference) == CLOSED  # arrival is the final submission, not the save


@pytest.mark.backend
def test_a_sent_back_submission_keeps_its_first_arrival(app, client, clerk, session) -> None:
    """The office asked for the changes: new positions that arrived in time stay in time. An edit
    that comes back with new positions after the deadline brings them late."""
    at(app, LAST_SECOND)
    in_time = clerk.submit(answers_for())
    check = post_data(client, loaded_edit(client, status="filled"))
    assert Clerk(client).confirm(check.text).status_code == 303
    edit = session.scalar(select(Submission).order_by(Submission.id.desc()))
    for submission in (submitted(session, in_time), edit):
        submission.state = "changes_requested"
    session.commit()
    tokens = [submitted(session, in_time).token, edit.token]

    at(app, CLOSED)
    url = f"/submit/{tokens[0]}"
    assert "late-notice" not in clerk.post(answers_for(2), url=url).text
    assert clerk.submit(answers_for(2), url=url) == in_time
    assert late_at(session, in_time) is None

    url = f"/submit/{tokens[1]}"
    data = form_answers(client.get(url).text, url)
    count = len([key for key in data if re.fullmatch(r"positions-\d+-slug", key)])
    for name, value in answers_for(count + 1).items():
        if name.startswith(f"positions-{count}-"):
            data.setlist(name, value if isinstance(value, list) else [value])
    check = post_data(client, data, url=url)
    assert check.status_code == 200 and 'id="late-notice"' in check.text
    assert Clerk(client).confirm(check.text, url).status_code == 303
    assert late_at(session, edit.reference) == CLOSED


# --- the office ----------------------------------------------------------------------------------


@pytest.mark.backend
def test_the_office_sees_late_submissions_and_filters_them(app, clerk, session) -> None:
    at(app, LAST_SECOND)
    in_time = clerk.submit(answers_for())
    at(app, beijing(2026, 7, 2, 10, 15, 0))
    late = clerk.submit(answers_for())
    make_accounts(app, session)
    office = logged_in(app.test_client(), "reviewer")

    listed = office.get("/staff/submissions").text
    assert in_time in listed and late in listed and listed.count('<strong class="late">逾期</strong>') == 1
    only_late = office.get("/staff/submissions?arrival=late").text
    assert late in only_late and in_time not in only_late
    assert '<option value="late" selected>逾期</option>' in only_late
    others = office.get("/staff/submissions?arrival=on_time").text
    assert in_time in others and late not in others

    detail = office.get(f"/staff/submissions/{submitted(session, late).id}").text
    arrival = ARRIVAL.search(detail)
    assert arrival and "2026-07-02 10:15 收到" in arrival.group(0) and DEADLINE in arrival.group(0)
    assert not ARRIVAL.search(office.get(f"/staff/submissions/{submitted(session, in_time).id}").text)
