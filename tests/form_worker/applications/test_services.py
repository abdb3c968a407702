"""applications.submit: every row of a new application, and its emails, in one commit or not at all."""

import pytest
from sqlalchemy import func, select

from form_worker.applications.intake import services as intake
from form_worker.applications.models import Application, Choice, Claim, Transition
from form_worker.core import db
from form_worker.outbox import services as outbox
from form_worker.outbox.models import Outbox
from tests.form_worker.conftest import OPEN_POSITION, recorded_application

# One transaction or none, claims refusing a duplicate, JSON answers: the database's own business.
pytestmark = pytest.mark.backend


def counts(app) -> dict[str, int]:
    """Rows per table, read through a session of its own: what another request would see."""
    with db.sessions(app)() as fresh:
        return {
            model.__tablename__: fresh.scalar(select(func.count()).select_from(model))
            for model in (Application, Choice, Claim, Transition, Outbox)
        }


def test_submit_records_the_application_with_its_emails(app, session) -> None:
    received = recorded_application(app, session, email="Chen@Example.com")

    # a position claim and a slot claim for the phone and for the email
    assert counts(app) == {"application": 1, "choice": 1, "claim": 4, "transition": 1, "outbox": 2}
    application = session.get(Application, received.id)
    assert (
        application.reference == received.reference == f"JX{app.config['PROGRAMME_YEAR']}-{received.id:06d}"
    )
    assert application.state == "submitted" and application.created_at is not None
    assert [(c.rank, c.position_id) for c in application.choices] == [(1, OPEN_POSITION)]
    assert [(t.from_state, t.to_state, t.actor) for t in application.transitions] == [
        (None, "submitted", "申请人")
    ]
    claims = session.execute(
        select(Claim.position_id, Claim.contact).where(Claim.application_id == received.id)
    )
    assert sorted(claims) == sorted(
        (claim, contact)
        for claim in (OPEN_POSITION, "slot:1")
        for contact in ("13800001234", "chen@example.com")
    )
    rows = session.scalars(select(Outbox).order_by(Outbox.id)).all()
    assert [r.key for r in rows] == [f"received:{received.id}", f"unit:{received.id}:{OPEN_POSITION}"]
    assert rows[0].recipient == "Chen@Example.com" and rows[1].recipient != rows[0].recipient
    assert all(received.reference in r.subject and r.status == "pending" for r in rows)
    # The unit hears of a new application by reference; who applied it sees only once filed.
    assert received.reference in rows[1].body_text and received.reference in rows[1].body_html
    assert not any(
        "陈示例" in text or "13800001234" in text for text in (rows[1].body_text, rows[1].body_html)
    )


def test_priority_groups_are_kept_only_with_consent(app, session) -> None:
    without = recorded_application(app, session, priority_groups=["低保家庭"])
    given = recorded_application(
        app,
        session,
        phone="13900001234",
        email="li@example.com",
        priority_consent=True,
        priority_groups=["残疾"],
    )

    assert session.get(Application, without.id).priority_groups is None
    assert session.get(Application, given.id).priority_groups == ["残疾"]


def test_same_contact_for_the_same_position_is_refused_and_stores_nothing(app, session) -> None:
    recorded_application(app, session)
    before = counts(app)

    with pytest.raises(intake.DuplicateApplication) as refused:
        recorded_application(app, session, phone="13900009999")  # same email, other phone

    assert refused.value.position_ids == [OPEN_POSITION]
    assert counts(app) == before


def test_a_failing_email_leaves_no_half_application(app, session, monkeypatch) -> None:
    render = outbox.message

    def failing(key: str, *args, **kwargs):
        if key.startswith("unit:"):
            raise RuntimeError("template broke")
        return render(key, *args, **kwargs)

    monkeypatch.setattr(outbox, "message", failing)
    with pytest.raises(RuntimeError):
        recorded_application(app, session)
    session.rollback()  # what the request's teardown does when the view fails
    assert set(counts(app).values()) == {0}

    # No claim was left behind: the same person can apply once the fault is gone.
    monkeypatch.setattr(outbox, "message", render)
    assert recorded_application(app, session).reference
    assert counts(app)["outbox"] == 2
