"""The worker on a temporary positions repository with mail to a real SMTP server, and two
reviewers: what the review and publication tests share. A module that wants this worker as its
`app` (the one `session` and `client` use) says so with a fixture `app(repo_app)`."""

from pathlib import Path

import pytest

from tests.form_worker.conftest import PASSWORD, app_config, worker_app
from tests.helpers.parties import make_account


@pytest.fixture
def repo_app(backend: dict[str, str], tmp_path: Path, repo: Path, smtp_server):
    """The worker on the temporary repository, sending mail to a real SMTP server on 127.0.0.1."""
    config = app_config(
        backend,
        tmp_path,
        MAIL_URL=smtp_server.url,
        POSITIONS_ROOT=str(repo),
        CATALOGUE_URL="https://jianxi.example.org/",
        PUBLISH_AUTHOR="jianxi <jianxi@jianxi.test>",
    )
    with worker_app(config) as app:
        yield app


@pytest.fixture
def mailbox(smtp_server):
    return smtp_server.mailbox


@pytest.fixture
def staff(repo_app, session) -> dict[str, object]:
    return {
        "li": make_account(
            repo_app, session, "li", "李审核", PASSWORD, "reviewer", email="li@office.example.com"
        ),
        "wang": make_account(
            repo_app, session, "wang", "王审核", PASSWORD, "reviewer", email="wang@office.example.com"
        ),
    }
