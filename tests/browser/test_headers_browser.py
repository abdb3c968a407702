"""The Content-Security-Policy `jianxi serve` sends breaks nothing: Chromium reports no violation on
catalogue pages (Material's inline scripts allowed by hash, Pagefind's WebAssembly by
'wasm-unsafe-eval') or on worker pages, and search still finds positions."""

from collections.abc import Callable
from urllib.parse import urlsplit

from playwright.sync_api import Page

from tests.browser.conftest import Worker
from tests.helpers.apply_page import open_graduate_position
from tests.helpers.catalogue_search import search


def violations(page: Page) -> list[str]:
    """Collects what Chromium says about blocked content while the test drives the page."""
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def test_no_page_breaks_the_policy_and_search_works(local_page: Callable[..., Page], worker: Worker) -> None:  # noqa: F811
    page = local_page(worker.base_url)
    said = violations(page)
    position = open_graduate_position(worker.site)
    for path in (
        "/",
        "/positions/",
        urlsplit(position["url"]).path,
        "/apply",
        "/status",
        "/staff/login",
    ):
        response = page.goto(worker.base_url + path)
        assert response is not None and response.ok, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
    page.goto(worker.base_url + "/positions/")
    assert search(page, "助理")
    blocked = [text for text in said if "Content Security Policy" in text or "Refused" in text]
    assert not blocked, blocked
