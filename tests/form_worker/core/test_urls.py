"""Absolute links come from WORKER_URL and CATALOGUE_URL; a foreign Host header gets 400."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from form_worker.core import config
from form_worker.core.db import sessions
from form_worker.outbox.models import Outbox
from form_worker.publishing.site import apply_base
from form_worker.submissions.models import Submission
from tests.form_worker.conftest import app_config, worker_app
from tests.helpers.clerks import Clerk, answers_for
from tests.helpers.parties import make_account


def test_serve_sets_both_urls_to_the_address_it_listens_on() -> None:
    """`make run PORT=8101` must not send students to :8000 (newcomer walk, finding 1.1)."""
    assert config.served_at("127.0.0.1", 8101, {}) == {
        "WORKER_URL": "http://127.0.0.1:8101/",
        "CATALOGUE_URL": "http://127.0.0.1:8101/",
    }
    assert config.served_at("0.0.0.0", 80, {})["WORKER_URL"] == "http://127.0.0.1:80/"
    set_by_operator = {"WORKER_URL": "https://forms.example.cn/", "CATALOGUE_URL": "https://jx.example.cn/"}
    assert config.served_at("127.0.0.1", 8101, set_by_operator) == set_by_operator


def test_trusted_hosts_follow_the_configured_urls() -> None:
    assert config.load({})["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]
    public = config.load(
        {"WORKER_URL": "https://forms.example.cn/", "CATALOGUE_URL": "https://jx.example.cn/"}
    )
    assert public["TRUSTED_HOSTS"] == ["forms.example.cn", "jx.example.cn"]
    assert (
        config.load({"WORKER_URL": "https://forms.example.cn/"})["CATALOGUE_URL"]
        == "https://forms.example.cn/"
    )
    listed = config.load({"TRUSTED_HOSTS": "a.example.cn, b.example.cn"})["TRUSTED_HOSTS"]
    assert listed == ["a.example.cn", "b.example.cn"]


def test_the_catalogue_links_to_the_worker_relatively_on_the_same_origin() -> None:
    assert apply_base("http://127.0.0.1:8101/", "http://127.0.0.1:8101/") == ""
    assert apply_base("https://forms.example.cn/", "https://jx.example.cn/") == "https://forms.example.cn/"


@pytest.mark.parametrize(
    ("method", "path"), [("get", "/apply"), ("post", "/submit"), ("get", "/staff/login")]
)
def test_a_foreign_host_gets_400_in_chinese(client, method: str, path: str) -> None:
    response = getattr(client, method)(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "请求有误" in response.text and "evil.example" not in response.text


def test_a_forged_host_cannot_put_its_address_into_the_staff_emails(backend, tmp_path: Path) -> None:
    """The attack: POST /submit with Host: evil.example mailed every reviewer a link to evil.example.
    Here the Host is one the worker trusts but not its public address: the link still ignores it."""
    settings = app_config(
        backend,
        tmp_path,
        WORKER_URL="https://forms.example.cn/",
        CATALOGUE_URL="https://jx.example.cn/",
        TRUSTED_HOSTS=["forms.example.cn", "jx.example.cn", "localhost"],
    )
    with worker_app(settings) as app, sessions(app)() as session:
        make_account(
            app, session, "li", "李审核", "correct-horse-1", "reviewer", email="li@office.example.com"
        )
        client = app.test_client()
        Clerk(client).submit(answers_for())
        assert client.post("/submit", headers={"Host": "evil.example"}).status_code == 400
        assert session.scalar(select(func.count()).select_from(Submission)) == 1
        to_staff = session.scalars(select(Outbox).where(Outbox.recipient == "li@office.example.com")).one()
        assert "https://forms.example.cn/staff/submissions/" in to_staff.body_text
        assert "localhost" not in to_staff.body_text and "evil.example" not in to_staff.body_text
