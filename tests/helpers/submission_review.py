"""A staff member reviewing submissions in a test: their browser, the queue run as a consumer
would, and a submission as the database holds it now."""

import re

from sqlalchemy import select

from form_worker.core import queue
from form_worker.submissions.models import Submission
from tests.form_worker.conftest import PASSWORD, csrf_token, next_task


class Reviewer:
    """A staff member's browser."""

    def __init__(self, app, username: str, client=None) -> None:
        """Logged in on the app's test client, or on `client` (a browser of a deployed site)."""
        self.client = client or app.test_client()
        token = csrf_token(self.client.get("/staff/login").text)
        response = self.client.post(
            "/staff/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.text

    def page(self, submission_id: int) -> str:
        response = self.client.get(f"/staff/submissions/{submission_id}")
        assert response.status_code == 200
        return response.text

    def act(self, submission_id: int, action: str, **fields: str):
        """Press a decision button; the token comes from the page (the logout form has one on every page)."""
        page = self.client.get(f"/staff/submissions/{submission_id}").text
        token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)
        return self.client.post(
            f"/staff/submissions/{submission_id}/{action}", data={"csrf_token": token, **fields}
        )


def run_tasks(app, rebuild: bool = False) -> list[object]:
    """Run the queued tasks as a consumer would; catalogue builds only when asked (they take seconds)."""
    results = []
    with app.app_context():
        for _ in range(1000):
            task = next_task()
            if task is None:
                return results
            if task.name == "rebuild_catalogue" and not rebuild:
                continue
            results.append(queue.huey.execute(task))
    raise AssertionError("the queue did not empty")


def submitted(session, reference: str) -> Submission:
    """The submission as the database holds it now (other clients changed it meanwhile)."""
    session.rollback()
    session.expire_all()
    return session.scalar(select(Submission).where(Submission.reference == reference))
