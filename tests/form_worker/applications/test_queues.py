"""The office's bulk moves and national filing, and the university's daily digest."""

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, update

from form_worker.applications import services
from form_worker.applications.models import Application, FilingBatch, Transition
from form_worker.applications.review import digest, filing
from form_worker.core import db
from form_worker.core.models import utcnow
from form_worker.outbox.models import Outbox
from tests.form_worker.conftest import OPEN_POSITION, PASSWORD, recorded_application
from tests.helpers.parties import make_account, party

SERIAL = iter(range(10**6))


def applications(app, session, count: int, state: str, university: str = "重庆大学") -> list[int]:
    """`count` applications of different people, put straight into `state`."""
    ids = []
    for _ in range(count):
        n = next(SERIAL)
        contact = {"phone": f"1360{n:07d}", "email": f"p{n}@example.com"}
        ids.append(recorded_application(app, session, [OPEN_POSITION], university=university, **contact).id)
    session.execute(update(Application).where(Application.id.in_(ids)).values(state=state))
    session.commit()
    return ids


@pytest.mark.backend
def test_two_offices_exporting_at_once_file_each_row_once(app, session) -> None:
    ids = applications(app, session, 6, "approved_by_city_office")
    barrier = threading.Barrier(2)
    batches: list[object] = []
    positions = app.extensions["jianxi.positions"].get()

    def export(actor: str) -> None:
        with db.sessions(app)() as own:
            barrier.wait()
            batch = filing.export(own, actor, positions, app.config["MAIL_FROM"])
            own.commit()
            batches.append(batch.count if batch else None)

    threads = [threading.Thread(target=export, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(n for n in batches if n) == 6
    session.expire_all()
    filed = session.scalars(select(Application).where(Application.id.in_(ids))).all()
    assert {a.state for a in filed} == {"filed"} and all(a.filing_batch_id for a in filed)
    moves = session.scalar(select(func.count()).select_from(Transition).where(Transition.to_state == "filed"))
    assert moves == 6
    emails = session.scalar(select(func.count()).select_from(Outbox).where(Outbox.key.startswith("state:")))
    assert emails == 6
    kept = session.scalars(select(FilingBatch)).all()
    assert sum(b.count for b in kept) == 6 and all(len(b.sha256) == 64 and b.content for b in kept)


def test_a_bulk_move_skips_rows_in_another_state_or_scope(app, session) -> None:
    own = applications(app, session, 3, "checked")
    other = applications(app, session, 2, "checked", university="西南大学")
    session.execute(update(Application).where(Application.id == own[0]).values(state="rejected"))
    session.commit()
    moved = services.bulk_move(
        session, own + other, "checked", "recommended_by_university", "cqu", "", app.config["MAIL_FROM"],
        where=(Application.university == "重庆大学",),
    )  # fmt: skip
    session.commit()
    assert moved == own[1:]
    with pytest.raises(services.TransitionRefused, match="必须填写原因"):
        services.bulk_move(session, other, "checked", "rejected", "x", " ", app.config["MAIL_FROM"])
    with pytest.raises(services.TransitionRefused):
        services.bulk_move(session, other, "checked", "offered", "x", "", app.config["MAIL_FROM"])


def test_the_digest_tells_each_university_of_new_applications_once_a_day(app, session) -> None:
    make_account(
        app, session, "cqu", "重大老师", PASSWORD, "university", "cqu@example.edu.cn", university="重庆大学"
    )
    make_account(
        app, session, "swu", "西大老师", PASSWORD, "university", "swu@example.edu.cn", university="西南大学"
    )
    ids = applications(app, session, 3, "checked")
    session.add_all(
        Transition(application_id=i, from_state="submitted", to_state="checked", actor="系统") for i in ids
    )
    session.commit()
    now = utcnow()
    url, sender = "https://forms.example.cn/", app.config["MAIL_FROM"]
    sent = digest.send_digests(session, now, url, sender)
    assert len(sent) == 1
    row = session.get(Outbox, sent[0])
    assert row.recipient == "cqu@example.edu.cn" and "3 份新的见习报名" in row.subject
    assert "https://forms.example.cn/staff/university/" in row.body_text
    references = session.scalars(select(Application.reference).where(Application.id.in_(ids))).all()
    assert all(f"- {r} 陈示例（计算机科学与技术）" in row.body_text for r in references)
    assert digest.send_digests(session, now + dt.timedelta(hours=1), url, sender) == []  # nothing new
    later = applications(app, session, 1, "checked")
    session.add(Transition(application_id=later[0], from_state="submitted", to_state="checked", actor="系统"))
    session.commit()
    [second] = digest.send_digests(session, now + dt.timedelta(days=1), url, sender)
    body = session.get(Outbox, second).body_text
    assert "有 1 份新的见习报名" in body and "共有 4 份待推荐" in body


def test_the_office_approves_every_row_its_filters_select_not_only_one_page(app, session) -> None:
    make_account(app, session, "reviewer", "审核员", PASSWORD, "reviewer")
    wanted = applications(app, session, 55, "recommended_by_university")
    elsewhere = applications(app, session, 3, "recommended_by_university", university="西南大学")
    reviewer = party(app, "reviewer")
    listing = reviewer.get("/staff/applications?state=recommended_by_university&university=重庆大学").text
    assert "对全部 55 份符合筛选条件的报名办理" in listing
    response = reviewer.post(
        "/staff/applications/bulk?state=recommended_by_university&university=重庆大学",
        {"state": "recommended_by_university", "action": "approved_by_city_office", "all": "1", "seen": "54"},
    )
    assert response.status_code == 409 and "现在 55 份" in response.text  # one more arrived since
    response = reviewer.post(
        "/staff/applications/bulk?state=recommended_by_university&university=重庆大学",
        {"state": "recommended_by_university", "action": "approved_by_city_office", "all": "1", "seen": "55"},
    )
    assert response.status_code == 303
    session.expire_all()
    states = dict(session.execute(select(Application.id, Application.state)).all())
    assert {states[i] for i in wanted} == {"approved_by_city_office"}
    assert {states[i] for i in elsewhere} == {"recommended_by_university"}
