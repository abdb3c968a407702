"""The deployment, end to end through nginx over HTTPS (tests/deploy/conftest.py starts it as the
units and the README describe): the catalogue served by nginx with the worker's headers, an
application and a unit's submission through the worker, the office's approval published into the
catalogue nginx serves and pushed to the forge, logs without query strings; then the faults: the
consumer stopped and started again loses no mail, gunicorn reloaded during a burst of
applications refuses none."""

import gzip
import hashlib
import hmac
import re
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from form_worker.core.headers import CATALOGUE_POLICY, HEADERS, HSTS, WORKER_POLICY
from form_worker.submissions.models import Submission
from tests.conftest import git
from tests.deploy.conftest import CONSUMER, WEB, Deployment, dates, delivered, outbox
from tests.form_worker.conftest import Applicant
from tests.helpers.clerks import Clerk
from tests.helpers.clerks import answers_for as submission_answers
from tests.helpers.submission_review import Reviewer, submitted
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.deploy

# What nginx adds to the catalogue: the worker's catalogue headers, inline scripts allowed as a
# static host must (deploy/nginx/jianxi.conf).
CATALOGUE_HEADERS = HEADERS | {
    "Content-Security-Policy": CATALOGUE_POLICY.format(hashes=" 'unsafe-inline'"),
    "Strict-Transport-Security": HSTS,
}
WORKER_HEADERS = HEADERS | {"Content-Security-Policy": WORKER_POLICY, "Strict-Transport-Security": HSTS}


def assert_headers(reply, expected: dict[str, str]) -> None:
    assert {name: reply.headers[name] for name in expected} == expected
    assert len(reply.headers.get_all("Content-Security-Policy")) == 1


def apply(deployment: Deployment, number: int) -> str:
    """One graduate applies through nginx, in a browser of their own; returns the reference."""
    return Applicant(deployment.browser()).submit(
        choice1=deployment.open_position,
        phone=f"1390000{number:04d}",
        email=f"applicant{number}@example.com",
        graduation=f"{deployment.today.year}-06",
    )


def check_catalogue(deployment: Deployment) -> None:
    """nginx serves the built catalogue itself: gzip copies, the headers, long cache only for hashed files."""
    browser = deployment.browser()
    home = browser.get("/", headers={"Accept-Encoding": "gzip"})
    assert home.status_code == 200 and home.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in home.headers["Vary"] and home.headers["Cache-Control"] == "no-cache"
    assert_headers(home, CATALOGUE_HEADERS)
    page = gzip.decompress(home.data).decode()
    assert "大学生科技见习计划" in page
    assert "部署测试岗位" in browser.get(f"/positions/{deployment.open_position}/").text
    bundle = re.search(r'src="(assets/javascripts/bundle\.[0-9a-f]{8}\.min\.js)"', page).group(1)
    assert browser.get("/" + bundle).headers["Cache-Control"] == "public, max-age=31536000, immutable"
    missing = browser.get("/no/such/page/")
    assert missing.status_code == 404 and "没有找到这个页面" in missing.text  # the catalogue's 404.html
    assert_headers(missing, CATALOGUE_HEADERS)


def check_worker(deployment: Deployment) -> None:
    """The worker behind nginx: its own headers, HSTS (it sees X-Forwarded-Proto), secure cookies,
    no compression of its pages, and the body limits nginx holds to its own."""
    browser = deployment.browser()
    form = browser.get("/apply", headers={"Accept-Encoding": "gzip"})
    assert form.status_code == 200 and "Content-Encoding" not in form.headers
    assert_headers(form, WORKER_HEADERS)
    cookies = form.headers.get_all("Set-Cookie")
    assert cookies and all("Secure" in cookie for cookie in cookies)
    assert browser.post("/apply", {"statement": "长" * 100_000}).status_code == 413  # 300 KB
    not_refused = browser.post("/submit", {"duties": "长" * 100_000})  # the worker's own CSRF check
    assert not_refused.status_code == 400 and "Content-Security-Policy" in not_refused.headers
    assert browser.post("/submit", {"duties": "长" * 800_000}).status_code == 413  # 2.4 MB


def approve_a_submission(deployment: Deployment) -> str:
    """A unit submits a position, the office approves it, both through nginx; returns its page."""
    clerk = Clerk(deployment.browser())
    reference = clerk.submit(submission_answers(title="部署后新发布的岗位", **dates(deployment.today)))
    with deployment.session() as session:
        submission_id = submitted(session, reference).id
    reviewer = Reviewer(None, "office", client=deployment.browser())
    assert reviewer.act(submission_id, "approve").status_code == 303

    def published() -> Submission | None:
        with deployment.session() as session:
            found = session.scalar(select(Submission).where(Submission.id == submission_id))
            assert found.state != "publish_failed", found.publish_error
            return found if found.state == "published" else None

    wait_for(published, "the approval to be committed", seconds=120)
    commit = published().commit
    files = git(deployment.project, "show", "--name-only", "--format=", commit).split()
    [written] = [path for path in files if not path.endswith("/unit.yaml")]
    assert git(deployment.forge, "rev-parse", "main").strip() == commit  # pushed to the forge
    return "/" + str(Path(written).with_suffix("")) + "/"


def test_nginx_serves_the_catalogue_and_the_worker_applies_and_publishes(
    deployment: Deployment, smtp_server
) -> None:
    # The first catalogue, as on a new server: the consumer builds it into SITE_DIR, a link.
    assert deployment.browser().get("/").status_code == 404
    deployment.jianxi("rebuild")
    wait_for(lambda: deployment.browser().get("/").status_code == 200, "the first build", seconds=180)
    assert deployment.site_dir.is_symlink()
    check_catalogue(deployment)
    check_worker(deployment)
    browser = deployment.browser()
    assert browser.get("/status?reference=JX2026-000001&contact=secret%40example.com").status_code == 200
    assert browser.get("/positions/?q=" + quote("机密查询 secret")).status_code == 200
    token = "A" * 40
    assert browser.get(f"/submit/{token}?draft=secret").status_code in (200, 404)

    reference = apply(deployment, 1)
    wait_for(lambda: any(reference in m["Subject"] for m in smtp_server.mailbox.messages), "the receipt")

    page = approve_a_submission(deployment)
    wait_for(
        lambda: browser.get(page).status_code == 200, "nginx to serve the published position", seconds=120
    )
    assert "部署后新发布的岗位" in browser.get(page).text
    assert deployment.site_dir.resolve().parent.name == deployment.site_dir.name + ".builds"

    secret = deployment.environment["GIT_HOOK_SECRET"].encode()
    body = b'{"ref": "refs/heads/main"}'
    signed = {"X-Hub-Signature-256": "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()}
    assert browser.open("POST", "/hooks/git", body, signed).status_code == 202
    assert browser.open("POST", "/hooks/git", body).status_code == 401

    log = deployment.access_log
    assert any(line.split('"')[1] == "GET /submit/[token] HTTP/1.1" for line in log), log
    assert not [line for line in log if "?" in line or "secret" in line or token in line], log
    assert any(" /positions/ " in line for line in log) and any(" /status " in line for line in log)


def test_a_consumer_stopped_and_a_reload_under_load_lose_no_mail_and_refuse_no_one(
    deployment: Deployment, smtp_server
) -> None:
    mailbox = smtp_server.mailbox
    started = len(deployment.access_log)  # the 502s of nginx asking before gunicorn was up go before
    for number in range(6):
        apply(deployment, number)
    assert deployment.stop(CONSUMER) == 0  # SIGINT: the tasks running finish first
    waiting = [apply(deployment, number) for number in range(6, 10)]
    sent = {m["Message-ID"] for m in mailbox.messages}
    assert not [m for m in mailbox.messages if any(r in m["Subject"] for r in waiting)]
    deployment.start(CONSUMER)

    applicants = 24
    with ThreadPoolExecutor(6) as pool:
        burst = [pool.submit(apply, deployment, number) for number in range(10, 10 + applicants)]
        done: set = set()
        while len(done) < 4:
            done |= wait(burst, return_when=FIRST_COMPLETED)[0]
        deployment.reload(WEB)
        references = [future.result() for future in burst]
    assert len(set(references)) == applicants
    assert deployment.processes[WEB].poll() is None
    hup = deployment.log(WEB)
    assert "Hang up: Master" in hup and hup.count("Booting worker") == 8

    with deployment.session() as session:
        wait_for(lambda: delivered(session), "every email sent", seconds=120)
        recorded = [row.message_id for row in outbox(session)]
    arrived = [m["Message-ID"] for m in mailbox.messages]
    assert sorted(arrived) == sorted(recorded), "an email lost or sent twice"
    assert sent < set(arrived) and len(recorded) >= 3 * (10 + applicants)
    statuses = [int(line.split('"')[2].split()[0]) for line in deployment.access_log[started:]]
    assert len(statuses) >= 3 * (10 + applicants) and max(statuses) < 500
