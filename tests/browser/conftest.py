"""What the browser tests share: Debian's Chromium (`.ci/run` installs it) through Python Playwright,
the accessibility engines from node_modules (`make test` installs them via npm: axe-core, and pa11y
with its build of HTML_CodeSniffer), pages that may reach only the server under test, and that
server: a folder or a WSGI app on a free loopback port, in a thread.

`assert_accessible(page, label)` runs both engines on whatever the page shows now, catalogue or
worker, and fails with what they found.
"""

import functools
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from http.server import HTTPServer, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from form_worker.core.server import RequestHandler, closing
from site_builder.build import build_site
from site_builder.model.catalogue import Catalogue
from tests.conftest import ROOT, TODAY, skip_or_fail
from tests.form_worker.conftest import app_config, sqlite_urls, worker_app
from tests.helpers.mailserver import SmtpServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the CI container runs as root
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
NODE_MODULES = ROOT / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
# The build pa11y itself injects (its lib/runners/htmlcs.js), so the rules are the ones pa11y runs.
HTMLCS = NODE_MODULES / "@pa11y" / "html_codesniffer" / "build" / "HTMLCS.js"
PA11Y = NODE_MODULES / "pa11y" / "lib" / "pa11y.js"
PA11Y_BATCH = Path(__file__).with_name("pa11y_batch.cjs")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
BLOCKING_IMPACTS = {"serious", "critical"}  # axe-core impacts that fail a page
HTMLCS_STANDARD = "WCAG2AA"


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


def require_tools(*tools: Path) -> None:
    """Skip the test when a tool from node_modules is missing (fail it with CI set)."""
    for tool in tools:
        if not tool.exists():
            skip_or_fail(f"{tool} is missing; `make test` installs it with npm (package.json)")


@pytest.fixture(scope="session")
def axe_available() -> None:
    require_tools(AXE)


@pytest.fixture(scope="session")
def a11y_tools() -> None:
    """Both engines `assert_accessible` runs, and pa11y itself."""
    require_tools(AXE, HTMLCS, PA11Y)


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


@dataclass
class Worker:
    app: Flask
    base_url: str
    site: Path


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory, sample_catalogue: Catalogue) -> Path:
    """The sample catalogue as the worker serves it beside the forms: its apply buttons are
    root-relative (publishing.site.apply_base for one origin), so one build serves every port."""
    site = tmp_path_factory.mktemp("served-site")
    build_site(sample_catalogue, ROOT, site, today=TODAY, worker_url="")
    return site


@pytest.fixture
def worker(tmp_path: Path, smtp_server: SmtpServer, served_site: Path) -> Iterator[Worker]:
    """The worker app on a free loopback port, serving a copy of the catalogue (a test may publish
    into it) whose apply buttons lead to it."""
    config = served_config(tmp_path, MAIL_URL=smtp_server.url)
    with worker_app(config) as app, serve_app(app) as base_url:
        site = Path(config["SITE_DIR"])
        shutil.copytree(served_site, site)
        yield Worker(app, base_url, site)


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


def settle(page: Page) -> None:
    """Wait until the page has loaded and its transitions end: colours measured mid-fade lie to
    both engines."""
    page.wait_for_load_state()
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")


def resize(page: Page, size: dict[str, int]) -> None:
    """Set the viewport, then wait two frames: a transition the resize triggers (Material's tabs
    fade in at desktop width) starts only with the next style update, and settle must see it."""
    page.set_viewport_size(size)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def axe_violations(page: Page, context: str = "document", ignore: Iterable[str] = ()) -> list[dict]:
    """axe-core's serious or critical violations on the page as it is now, less the `ignore`d rule
    ids (such as "color-contrast").

    The script goes in through the driver (as pa11y injects its runners), which no
    Content-Security-Policy governs: the worker's refuses every script tag.
    """
    require_tools(AXE)
    settle(page)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(f"async () => (await axe.run({context})).violations")
    skipped = set(ignore)
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS and v["id"] not in skipped]


# Runs HTML_CodeSniffer as pa11y's htmlcs runner does, and reports each error (type 1) the way
# pa11y's json reporter does: code, message, a CSS selector and the element's shortened HTML.
_HTMLCS_RUN = """
standard => new Promise((resolve, reject) => {
  const selector = element => {
    const parts = [];
    for (let e = element; e && e.nodeType === Node.ELEMENT_NODE; e = e.parentElement) {
      if (e.id) { parts.unshift(`#${e.id}`); break; }
      let part = e.tagName.toLowerCase();
      const siblings = e.parentElement ? [...e.parentElement.children] : [e];
      if (siblings.filter(s => s.tagName === e.tagName).length > 1) {
        part += `:nth-child(${siblings.indexOf(e) + 1})`;
      }
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const context = element => {
    if (!element || !element.outerHTML) return "";
    let html = element.outerHTML;
    if (element.innerHTML.length > 31) {
      html = html.replace(element.innerHTML, element.innerHTML.slice(0, 31) + "...");
    }
    return html.length > 251 ? html.slice(0, 250) + "..." : html;
  };
  HTMLCS.process(standard, window.document, () => resolve(
    HTMLCS.getMessages().filter(m => m.type === HTMLCS.ERROR).map(m => ({
      code: m.code, message: m.msg, selector: selector(m.element), context: context(m.element),
    }))
  ), reject, "en");
})
"""


def htmlcs_errors(page: Page, standard: str = HTMLCS_STANDARD, ignore: Iterable[str] = ()) -> list[dict]:
    """HTML_CodeSniffer's errors at `standard` on the page as it is now, less the `ignore`d codes
    (exact codes, such as "WCAG2AA.Principle1.Guideline1_4.1_4_3.G18.Fail")."""
    require_tools(HTMLCS)
    settle(page)
    if not page.evaluate("typeof window.HTMLCS === 'object'"):
        page.evaluate(HTMLCS.read_text(encoding="utf-8"))
    skipped = set(ignore)
    return [e for e in page.evaluate(_HTMLCS_RUN, standard) if e["code"] not in skipped]


def describe_axe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"      {' '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


def describe_htmlcs(errors: list[dict]) -> str:
    return "\n".join(
        f"  {e['code']}\n      {e['selector']}: {e['context']}\n      {e['message']}" for e in errors
    )


def accessibility_report(
    page: Page, label: str = "", axe_ignore: Iterable[str] = (), htmlcs_ignore: Iterable[str] = ()
) -> str:
    """What the engines find on the page as it is now: serious or critical axe-core violations and
    HTML_CodeSniffer errors at WCAG 2 AA, or "" when there are none. `label` names the page and
    its state in the report. The ignore lists name single rules known to be false positives there
    (an axe rule id, an exact HTMLCS code); say why beside the call."""
    violations = axe_violations(page, ignore=axe_ignore)
    errors = htmlcs_errors(page, ignore=htmlcs_ignore)
    found = []
    if violations:
        found.append(f"axe-core, serious or critical:\n{describe_axe(violations)}")
    if errors:
        found.append(f"HTML_CodeSniffer {HTMLCS_STANDARD} errors:\n{describe_htmlcs(errors)}")
    if not found:
        return ""
    size = page.viewport_size or {}
    where = f"{label or 'page'} ({page.url}, {size.get('width')}×{size.get('height')})"
    return "\n".join([where, *found])


def accessibility_reports_at_sizes(page: Page, label: str = "") -> list[str]:
    """accessibility_report at each of SIZES in turn, the page resized as a phone turned or a window
    widened (one load, the engines injected once), then back at phone size; [] when all pass."""
    reports = []
    for name, size in SIZES.items():
        resize(page, size)
        if report := accessibility_report(page, f"{label}, {name}"):
            reports.append(report)
    page.set_viewport_size(PHONE)
    return reports


def assert_accessible(
    page: Page, label: str = "", axe_ignore: Iterable[str] = (), htmlcs_ignore: Iterable[str] = ()
) -> None:
    """The page as it is now passes both engines (see accessibility_report). Callable from any
    test, on any page, catalogue or worker; skips (fails with CI set) when an engine is missing."""
    report = accessibility_report(page, label, axe_ignore, htmlcs_ignore)
    assert not report, report


def assert_accessible_at_sizes(page: Page, label: str = "") -> None:
    """The page passes both engines at phone and desktop size, every finding reported at once."""
    reports = accessibility_reports_at_sizes(page, label)
    assert not reports, "\n\n".join(reports)


def pa11y_errors(urls: Iterable[str], viewport: dict[str, int], tmp_path: Path) -> list[str]:
    """Run pa11y itself (its Node API and default runner, HTML_CodeSniffer, at WCAG 2 AA) on
    Debian's Chromium at `viewport` on each URL, so the npm tool passes, not only the engines as
    injected here; return a report of each URL where it finds errors ([] when none).

    One Chromium serves every URL (`pa11y_batch.cjs`): its command line would launch one per URL.
    `tmp_path` holds its options."""
    require_tools(PA11Y)
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
    options = tmp_path / "pa11y.json"
    options.write_text(
        json.dumps(
            {
                "chromeLaunchConfig": {"executablePath": str(CHROMIUM), "args": ["--no-sandbox"]},
                "viewport": viewport,
                "standard": HTMLCS_STANDARD,
                "timeout": 30_000,
            }
        ),
        encoding="utf-8",
    )
    urls = list(urls)
    run = subprocess.run(
        ["node", str(PA11Y_BATCH), str(options), *urls],
        capture_output=True,
        text=True,
        timeout=60 + 30 * len(urls),
        cwd=ROOT,
    )
    assert run.returncode == 0, f"pa11y failed to run:\n{run.stdout}\n{run.stderr}"
    found = json.loads(run.stdout)
    failures = []
    for url in urls:
        errors = [issue for issue in found[url] if issue["type"] == "error"]
        if errors:
            failures.append(f"{url}:\n" + json.dumps(errors, ensure_ascii=False, indent=1))
    return failures
