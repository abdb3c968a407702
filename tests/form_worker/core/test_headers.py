"""Security headers on every response, the catalogue's policy from its own inline scripts, and
cookie settings from the environment."""

import base64
import hashlib
import re
from pathlib import Path

import pytest

from form_worker.core import config, headers
from site_builder.build import build_site
from tests.conftest import ROOT, TODAY


def fetch(client, path: str, **options: object):
    """GET, then close: a file response keeps its file open until closed."""
    response = client.get(path, **options)
    response.close()
    return response


COMMON = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


@pytest.mark.parametrize(
    "path", ["/apply", "/submit", "/status", "/staff/login", "/staff/", "/nowhere", "/static/worker.css"]
)
def test_every_worker_response_carries_the_headers(client, path: str) -> None:
    response = fetch(client, path)
    for name, value in COMMON.items():
        assert response.headers[name] == value, (path, name)
    policy = response.headers["Content-Security-Policy"]
    assert policy == headers.WORKER_POLICY and "'unsafe-inline'" not in policy
    assert "script-src" not in policy and "default-src 'none'" in policy  # no script at all
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS would be ignored


def test_worker_pages_have_no_inline_script_or_style(client) -> None:
    for path in ("/apply", "/submit", "/status", "/staff/login"):
        page = client.get(path).text
        assert "<script" not in page and " style=" not in page and "<style" not in page, path


def test_hsts_when_served_over_https(client) -> None:
    response = client.get("/apply", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_catalogue_allows_exactly_its_inline_scripts(
    app, client, sample_catalogue, tmp_path: Path
) -> None:
    site = Path(app.config["SITE_DIR"])
    build_site(sample_catalogue, ROOT, site, today=TODAY)
    for path, file in (
        ("/", "index.html"),
        ("/positions/", "positions/index.html"),
        ("/nowhere/", "404.html"),
    ):
        response = fetch(client, path)
        for name, value in COMMON.items():
            assert response.headers[name] == value
        policy = response.headers["Content-Security-Policy"]
        scripts = re.findall(r"<script>(.*?)</script>", (site / file).read_text(encoding="utf-8"), re.S)
        assert scripts, file
        allowed = set(re.findall(r"'sha256-([^']+)'", policy))
        assert allowed == {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts}
        assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy
    feed = fetch(client, "/feed.xml")
    assert "script-src 'self';" in feed.headers["Content-Security-Policy"]


def test_cookies_are_secure_once_the_worker_is_public_over_https() -> None:
    assert config.load({})["SESSION_COOKIE_SECURE"] is False
    public = config.load({"WORKER_URL": "https://forms.example.cn/"})
    assert public["SESSION_COOKIE_SECURE"] is True and public["REMEMBER_COOKIE_SECURE"] is True
    assert (
        config.load({"WORKER_URL": "https://forms.example.cn/", "SESSION_COOKIE_SECURE": "0"})[
            "SESSION_COOKIE_SECURE"
        ]
        is False
    )
    assert config.load({"SESSION_COOKIE_SECURE": "on"})["SESSION_COOKIE_SECURE"] is True
    assert config.load({"SESSION_COOKIE_SAMESITE": "Strict"})["SESSION_COOKIE_SAMESITE"] == "Strict"


def test_the_session_cookie_is_http_only_and_lax(staff_client) -> None:
    response = staff_client.login("reviewer")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
