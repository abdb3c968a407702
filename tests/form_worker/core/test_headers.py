"""Security headers on every response, the catalogue's policy from its own inline scripts, and
cookie settings from the environment."""

import base64
import gzip
import hashlib
import re
import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from form_worker.core import config, headers
from form_worker.core.server import RequestHandler, closing
from site_builder.build import build_site
from tests.conftest import ROOT, TODAY


def fetch(client, path: str, **options: object):
    """GET, read, then close: a file response keeps its file open until closed."""
    response = client.get(path, **options)
    response.get_data()
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
    assert "script-src 'self' 'wasm-unsafe-eval';" in feed.headers["Content-Security-Policy"]

    # A client that accepts gzip gets the build's pre-compressed copy, as it is; others the file.
    plain = fetch(client, "/positions/")
    packed = fetch(client, "/positions/", headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    assert (
        packed.headers["Content-Encoding"] == "gzip"
        and packed.headers["Content-Type"] == "text/html; charset=utf-8"
    )
    assert packed.data == (site / "positions/index.html.gz").read_bytes()
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 3
    assert packed.headers["Content-Security-Policy"] == plain.headers["Content-Security-Policy"]
    missing = fetch(client, "/nowhere/", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404 and missing.headers["Content-Encoding"] == "gzip"


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


@pytest.mark.parametrize(
    ("request_bytes", "code"),
    [
        (b"GET / HTTP/9.9\r\n\r\n", 505),
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nX-A: " + b"a" * 70_000 + b"\r\n\r\n", 431),
    ],
    ids=["version", "garbage", "long-path", "long-header"],
)
def test_errors_of_the_http_layer_are_chinese_with_the_headers(app, request_bytes: bytes, code: int) -> None:
    """Red-team finding: werkzeug's server answered these itself, in English, without headers."""
    server = make_server("127.0.0.1", 0, app, request_handler=RequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=10) as connection:
            connection.sendall(request_bytes)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
    finally:
        server.shutdown()
        server.server_close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.0 {code}".encode()) or head.startswith(f"HTTP/1.1 {code}".encode()), head[
        :80
    ]
    for name, value in COMMON.items():
        assert f"{name}: {value}".encode() in head
    assert b"Content-Security-Policy: default-src 'none'" in head
    assert "请求有误" in body.decode("utf-8") and b"Error response" not in body


def test_a_response_the_client_hung_up_on_is_closed() -> None:
    """werkzeug's server raises out of its clean-up on a dropped connection before closing the
    response (a served file stayed open); the handler closes what `closing` noted."""

    class Response(list):
        closed = False

        def close(self) -> None:
            self.closed = True

    response = Response([b"body"])
    environ: dict[str, object] = {}
    assert closing(lambda environ, start_response: response)(environ, None) is response
    RequestHandler.connection_dropped(object.__new__(RequestHandler), ConnectionResetError(), environ)
    assert response.closed
