import pytest
from sqlalchemy import select

from form_worker.applications.models import Application
from form_worker.outbox.models import Outbox
from tests.form_worker.conftest import drain

# The form, the queue, the check and the emails end to end, on every backend.
pytestmark = pytest.mark.backend


def test_submit_check_and_mail(app, applicant, session) -> None:
    reference = applicant.submit()
    assert reference.startswith("JX2026-")
    drain(app)
    application = session.scalar(select(Application).where(Application.reference == reference))
    assert application.state == "checked"
    statuses = sorted(session.scalars(select(Outbox.status)))
    assert statuses == ["sent", "sent", "sent"]
