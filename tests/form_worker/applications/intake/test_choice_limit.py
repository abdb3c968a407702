"""Three intended positions per person, not per form: a second application by the same phone or
email while the first is open adds choices only up to three in all."""

import threading

import pytest
from alembic import command
from sqlalchemy import func, select

from form_worker.applications.intake import services as applications
from form_worker.applications.models import Application, Claim
from form_worker.core import db
from form_worker.core.db import sessions
from tests.form_worker.conftest import OPEN_POSITION, recorded_application


@pytest.fixture
def others(app) -> list[str]:
    """Open positions other than OPEN_POSITION (the service checks no eligibility)."""
    positions = app.extensions["jianxi.positions"].get()
    ids = [
        e.id for e in positions.catalogue.positions if e.id != OPEN_POSITION and e.position.status == "open"
    ]
    assert len(ids) >= 6
    return ids


def test_choices_across_forms_stop_at_three(app, session, others) -> None:
    recorded_application(app, session, others[:2])
    with pytest.raises(applications.TooManyChoices) as refused:
        recorded_application(app, session, others[2:4], phone="13900000000")  # same email
    assert refused.value.held == 2
    assert session.scalar(select(func.count()).select_from(Application)) == 1
    recorded_application(app, session, others[2:3], email="other@example.com")  # same phone, one more
    with pytest.raises(applications.TooManyChoices) as full:
        recorded_application(app, session, others[3:4])
    assert full.value.held == 3


def test_a_closed_application_frees_its_choices(app, session, others) -> None:
    first = recorded_application(app, session, others[:3])
    application = session.get(Application, first.id)
    applications.move(session, application, "withdrawn", "申请人", "改报其他岗位", "x@example.com")
    session.commit()
    slots = select(Claim).where(Claim.application_id == first.id, Claim.position_id.startswith("slot:"))
    assert session.scalars(slots).all() == []
    assert recorded_application(app, session, others[3:6]).reference


def test_the_form_says_so_beside_the_first_choice(app, session, others, applicant) -> None:
    recorded_application(app, session, others[:3])
    response = applicant.post("confirm")
    assert response.status_code == 409
    assert "您已有 3 个意向岗位在报名中，每人最多 3 个（多次报名合计）" in response.text
    assert "可在“查询进度”页面撤回原报名后再报" in response.text
    assert "每人最多报名 3 个岗位（多次报名合计" in applicant.client.get("/apply").text


@pytest.mark.backend
def test_two_forms_at_once_cannot_pass_three_together(app, others) -> None:
    """Two forms of two choices each, sent at the same moment by one person: exactly one is kept."""
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def send(choices: list[str]) -> None:
        with sessions(app)() as session:
            barrier.wait()
            try:
                outcomes.append(recorded_application(app, session, choices))
            except applications.TooManyChoices as refused:
                outcomes.append(refused)

    threads = [threading.Thread(target=send, args=(c,)) for c in (others[:2], others[2:4])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["Received", "TooManyChoices"], outcomes


def test_the_migration_gives_open_applications_their_slots(app, session, others) -> None:
    """Downgrading drops every slot claim; upgrading again rebuilds those the service made, so
    applications sent before the limit count towards it."""
    recorded_application(app, session, others[:2])
    closed = recorded_application(app, session, others[2:3], phone="13900000000", email="b@example.com")
    applications.move(
        session, session.get(Application, closed.id), "rejected", "系统", "不符合", "x@example.com"
    )
    session.commit()
    made = sorted(session.execute(select(Claim.position_id, Claim.contact, Claim.application_id)).all())
    config = db._alembic(app.config["DATABASE_URL"])
    command.downgrade(config, "0004")
    assert not session.scalars(select(Claim).where(Claim.position_id.startswith("slot:"))).all()
    command.upgrade(config, "head")
    session.expire_all()
    assert (
        sorted(session.execute(select(Claim.position_id, Claim.contact, Claim.application_id)).all()) == made
    )
