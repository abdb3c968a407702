"""What the browser tests share: Debian's Chromium (`.ci/run` installs it) through Python Playwright,
axe-core from node_modules (`make test` installs it via npm), pages that may reach only the server
under test, and that server: a folder or a WSGI app on a free loopback port, in a thread.
"""

import functools
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from http.server import HTTPServer, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from form_worker.core.server import RequestHandler, closing
from tests.conftest import ROOT, skip_or_fail
from tests.form_worker.conftest import (
    app_config,
    smtp_server,  # noqa: F401  (the fixture, for the apply test)
    sqlite_urls,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the CI container runs as root
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium for the whole run; a test that needs it is skipped where it is missing
    (fails with CI set)."""
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium and fonts-noto-cjk")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(headless=True, executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def axe_available() -> None:
    if not AXE.exists():
        skip_or_fail(f"{AXE} is missing; `make test` installs axe-core with npm")


def is_local(url: str, base_url: str) -> bool:
    """Whether the URL is on the server under test (`base_url` has no trailing slash)."""
    return url == base_url or url.startswith(base_url + "/")


@pytest.fixture
def local_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Opens a page, phone-sized unless told, that may reach only `base_url`; closed after the test.

    A request to another host is refused, so the test never waits on it; `options` go to
    `Browser.new_context` (`java_script_enabled=False`, ...).
    """
    contexts: list[BrowserContext] = []

    def open_page(base_url: str, viewport: dict[str, int] = PHONE, **options: object) -> Page:
        context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
        contexts.append(context)
        context.route(lambda url: not is_local(url, base_url), lambda route: route.abort())
        return context.new_page()

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()


def screenshot(page: Page, name: str) -> None:
    """Keep a full-page screenshot as jianxi-<name>.png when JIANXI_SCREENSHOTS names a folder."""
    folder = os.environ.get("JIANXI_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"jianxi-{name}.png"), full_page=True)


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves a folder without logging every request to stderr."""

    def log_message(self, format: str, *args: object) -> None:
        pass


class SiteServer(ThreadingHTTPServer):
    """A static server that lets the browser hang up mid-response (a closed test context does)."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serving(server: HTTPServer, name: str) -> Iterator[str]:
    """Run the server in a thread; yield its URL without a trailing slash; stop it afterwards."""
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def serve_directory(folder: Path) -> AbstractContextManager[str]:
    """A folder over HTTP on a free loopback port, as a static host serves the built catalogue."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    return serving(SiteServer(("127.0.0.1", 0), handler), "sample-site")


def serve_app(app: Flask) -> AbstractContextManager[str]:
    """The worker app over HTTP on a free loopback port, as `jianxi serve` runs it."""
    server = make_server("127.0.0.1", 0, closing(app), threaded=True, request_handler=RequestHandler)
    return serving(server, "jianxi-worker")


def served_config(tmp_path: Path, **overrides: object) -> dict[str, object]:
    """The worker's settings for a browser: as in production (not TESTING, rate limits on), on SQLite."""
    return app_config(
        sqlite_urls(tmp_path),
        tmp_path,
        TESTING=False,
        RATELIMIT_ENABLED=True,
        SECRET_KEY="browser-test",
        MAIL_FROM="重庆市大学生科技见习计划 <noreply@jianxi.test>",
        **overrides,
    )
