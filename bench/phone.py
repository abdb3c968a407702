"""Measure what a phone gets from the catalogue: Lighthouse's mobile profile on our pages and a bare site.

Run from the repository root:

    .venv/bin/python bench/phone.py [N] [--runs R] [--pages home,type,...] [--keep]

In a temporary folder the generator of bench/build.py writes N (default 5000) synthetic positions
and N plain Markdown pages under a bare MkDocs Material config (same theme and extensions,
Material's own search). The script then

1. times `jianxi build` of the catalogue and `mkdocs build` of the bare site and prints the ratio
   (target <= 1.3); the bare site then gets the same gzip copies as ours
   (site_builder.compress.precompress), which `jianxi build` writes and the server sends;
2. migrates a temporary SQLite database and starts two `jianxi serve` processes, one with SITE_DIR
   at our site, one at the bare site, so both are served by the same code with the same headers;
3. runs Lighthouse 12 (node_modules/.bin/lighthouse, its default mobile form factor and simulated
   throttling, performance only, Debian's /usr/bin/chromium headless) R times (default 3) on home,
   a type listing, a position page, the all-positions page with a filter in the query string, a
   poster, /apply and /status, and on the bare site's home and one of its pages, and prints the
   medians: performance score (>= 95), largest contentful paint (<= 2.5 s), bytes transferred
   (compressed) on first view (total-byte-weight, <= 300 KB) and DOM elements (<= 1,500);
4. opens the all-positions page in Playwright's Chromium at a phone's viewport, lets it load, types a
   Chinese query into the search box and sums the compressed response bodies of the requests made
   from the moment the search was opened (target <= 300 KB).

KB is 1,024 bytes. The search page's URL, selectors and query are constants below (SEARCH_PAGE,
QUERY_PAGE, SEARCH_*); a missing search box is reported as not measurable.
--pages picks a subset (keys: PAGE_KEYS; `query` is step 4), --keep leaves the temporary folder
(with every Lighthouse report) in place. The script always exits 0: it is a measurement, not a test.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlencode

# bench/, this script's folder, comes first on sys.path.
from build import BIN, ROOT, Run, _tail, bare_config, make_project, measure
from playwright.sync_api import Request, sync_playwright

from site_builder.compress import precompress

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox"
LIGHTHOUSE_TIMEOUT = 300.0
KB = 1024

# The all-positions page's Pagefind search (site_builder/search.py, content/javascripts/search.js).
SEARCH_PAGE = "/positions/?" + urlencode({"district": "渝中区"})  # the Lighthouse "search" page
QUERY_PAGE = "/positions/"  # where step 4 types its query
QUERY = "科普"
SEARCH_INPUT = "#jx-search input[name=q]"
SEARCH_RESULTS = "#jx-results li"
QUIET_SECONDS = 1.0  # the search is done when no request started for this long
RESULTS_TIMEOUT_S = 60.0

BUILD_RATIO = 1.3
SCORE, LCP_S, FIRST_VIEW_KB, DOM_NODES, QUERY_KB = 95.0, 2.5, 300.0, 1500.0, 300.0
PAGE_KEYS = ("home", "type", "position", "search", "poster", "apply", "status", "bare-home", "bare-page")
BARE_PAGES = {"bare-home": "/", "bare-page": "/p/00000/"}


@dataclass(frozen=True)
class Figures:
    """One Lighthouse run of one page; None where the report has no value."""

    score: float | None = None  # 0-100
    lcp_s: float | None = None
    kb: float | None = None  # total-byte-weight: bytes transferred, compressed
    dom: float | None = None
    error: str = ""


def our_pages(site: Path) -> dict[str, str]:
    """Path of each page to measure on our site, the type and position the first the build wrote."""
    pages = {"home": "/", "search": SEARCH_PAGE, "apply": "/apply", "status": "/status"}
    kinds = sorted((site / "types").glob("*/index.html"))
    posters = sorted((site / "positions").glob("*/*/poster.html"))
    if kinds:
        pages["type"] = f"/types/{kinds[0].parent.name}/"
    if posters:
        poster = posters[0].relative_to(site).as_posix()
        pages |= {"position": "/" + poster.removesuffix("poster.html"), "poster": f"/{poster}"}
    return pages


# --- Serving -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # nosec B310  # our own loopback server
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@contextmanager
def serving(site: Path, instance: Path, env: dict[str, str]) -> Iterator[str]:
    """`jianxi serve` on a free port with SITE_DIR at site; yield its base URL."""
    port, log = free_port(), instance.with_suffix(".log")
    command = [str(BIN / "jianxi"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command,
            env=env | {"SITE_DIR": str(site), "INSTANCE_PATH": str(instance)},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, with its queue consumer
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while fetch_status(base + "/") != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                raise RuntimeError(f"jianxi serve for {site} did not answer; its log ends:\n{tail}")
            time.sleep(0.3)
        yield base
    finally:
        server.terminate()  # SIGTERM: serve stops its consumer and exits
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- Lighthouse ----------------------------------------------------------------------------------


def lighthouse(url: str, report: Path) -> Figures:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        "--only-categories=performance",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    try:
        done = subprocess.run(
            command,
            env=os.environ | {"CHROME_PATH": CHROMIUM},
            capture_output=True,
            text=True,
            timeout=LIGHTHOUSE_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return Figures(error=f"timed out after {LIGHTHOUSE_TIMEOUT:.0f} s")
    if done.returncode != 0 or not report.exists():
        lines = (done.stderr or done.stdout).strip().splitlines()
        return Figures(error=f"lighthouse exit {done.returncode}: {lines[-1] if lines else ''}")
    result = json.loads(report.read_text(encoding="utf-8"))
    audits = result["audits"]

    def value(audit: str, scale: float = 1.0) -> float | None:
        found = audits.get(audit, {}).get("numericValue")
        return None if found is None else float(found) / scale

    score = result["categories"]["performance"]["score"]
    return Figures(
        score=None if score is None else 100 * float(score),
        lcp_s=value("largest-contentful-paint", 1000),
        kb=value("total-byte-weight", KB),
        dom=value("dom-size"),
        error=result.get("runtimeError", {}).get("message", ""),
    )


def median(runs: list[Figures], field: Callable[[Figures], float | None]) -> float | None:
    values = [found for run in runs if (found := field(run)) is not None]
    return statistics.median(values) if values else None


def cell(value: float | None, ok: Callable[[float], bool], digits: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f} {'PASS' if ok(value) else 'MISS'}"


# --- First search query --------------------------------------------------------------------------


def query_bytes(base: str) -> tuple[str, list[str]]:
    """The bytes a first search query downloads, formatted, and notes on what was counted."""
    issued: list[tuple[bool, Request]] = []
    finished: set[int] = set()
    typing = [False]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context(
                viewport={"width": 412, "height": 823}, device_scale_factor=1.75, is_mobile=True
            )
            context.on("request", lambda request: issued.append((typing[0], request)))
            context.on("requestfinished", lambda request: finished.add(id(request)))
            page = context.new_page()
            page.goto(base + QUERY_PAGE, wait_until="load")
            page.wait_for_load_state("networkidle")
            box = page.locator(SEARCH_INPUT).first
            if box.count() == 0:
                return f"not measurable: nothing on {QUERY_PAGE} matches {SEARCH_INPUT!r}", []
            typing[0] = True
            box.press_sequentially(QUERY, delay=80)
            typed = time.perf_counter()
            try:
                page.locator(SEARCH_RESULTS).first.wait_for(
                    state="attached", timeout=RESULTS_TIMEOUT_S * 1000
                )
                answered: float | None = time.perf_counter() - typed
            except Exception:  # Playwright's TimeoutError: report what came anyway
                answered = None
            count = -1
            while count != len(issued):  # wait until no request starts for QUIET_SECONDS
                count = len(issued)
                page.wait_for_timeout(QUIET_SECONDS * 1000)
            sizes = {id(request): _body_size(request) for _, request in issued if id(request) in finished}
        finally:
            browser.close()
    # The browser asks for the favicon when it likes; the query has nothing to do with it.
    after = [(r.url, sizes.get(id(r), 0)) for late, r in issued if late and "favicon" not in r.url]
    loaded = [
        (request.url, sizes.get(id(request), 0))
        for late, request in issued
        if not late and any(word in request.url for word in ("search", "pagefind"))
    ]
    total = sum(size for _, size in after) / KB
    notes = [f"{len(after)} requests after the search was opened: " + _names(after)]
    if loaded:
        kb = sum(size for _, size in loaded) / KB
        notes.append(f"search files already fetched while the page loaded: {kb:,.1f} KB: " + _names(loaded))
    if answered is None:
        return (
            f"not measurable: no {SEARCH_RESULTS!r} within {RESULTS_TIMEOUT_S:.0f} s ({total:,.1f} KB)",
            notes,
        )
    notes.insert(0, f"first results {answered:.1f} s after typing")
    return f"{total:,.1f} KB {'PASS' if total <= QUERY_KB else 'MISS'}", notes


def _body_size(request: Request) -> int:
    """Compressed body bytes: Content-Length where sent (Chromium reports 0 for a worker's script)."""
    response = request.response()
    length = response.headers.get("content-length", "") if response else ""
    return int(length) if length.isdigit() else request.sizes()["responseBodySize"]


def _names(requests: list[tuple[str, int]]) -> str:
    shown = [f"{url.rsplit('/', 1)[-1] or url} ({size / KB:,.1f} KB)" for url, size in requests[:8]]
    if not shown:
        return "none"
    return ", ".join(shown) + (", ..." if len(requests) > 8 else "")


# --- Main ----------------------------------------------------------------------------------------


def build_both(target: Path, n: int) -> tuple[Run, Run, Path, Path]:
    started = time.perf_counter()
    units = make_project(target, n)
    print(
        f"generated {n} positions in {units} units and {n} bare pages "
        f"in {time.perf_counter() - started:.1f} s"
    )
    project = target / "project"
    ours = measure([str(BIN / "jianxi"), "--root", str(project), "build", "--out", str(project / "site")])
    print(
        f"jianxi build  {ours.seconds:7.1f} s wall {ours.cpu:7.1f} s cpu  exit {ours.returncode}", flush=True
    )
    bare = measure([str(BIN / "mkdocs"), "build", "-q", "-f", str(bare_config(target))])
    print(
        f"bare mkdocs   {bare.seconds:7.1f} s wall {bare.cpu:7.1f} s cpu  exit {bare.returncode}", flush=True
    )
    for name, run in (("jianxi build", ours), ("bare mkdocs build", bare)):
        if run.returncode != 0:
            print(f"{name} FAILED; last lines:\n{_tail(run)}")
    print(_load())
    return ours, bare, project / "site", target / "bare" / "site-search"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=5000, help="number of positions")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page, medians kept")
    parser.add_argument("--pages", default=",".join((*PAGE_KEYS, "query")), help="comma-separated subset")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    chosen = [key.strip() for key in args.pages.split(",") if key.strip()]
    unknown = set(chosen) - {*PAGE_KEYS, "query"}
    if unknown:
        parser.error(f"unknown pages {', '.join(sorted(unknown))}; choose from {', '.join(PAGE_KEYS)}, query")

    target = Path(tempfile.mkdtemp(prefix="jianxi-bench-phone-"))
    print(f"working in {target}")
    try:
        ours, bare, site, bare_site = build_both(target, args.n)
        ratio = ours.seconds / bare.seconds if bare.seconds else float("inf")
        built = ours.returncode == 0 and bare.returncode == 0
        if ours.returncode != 0:
            return
        if bare.returncode == 0:
            started = time.perf_counter()
            files = precompress(bare_site)
            print(f"gzip copies of {files} bare text files in {time.perf_counter() - started:.1f} s")
        env = os.environ | {
            "DATABASE_URL": f"sqlite:///{target / 'jianxi.sqlite3'}",
            "POSITIONS_ROOT": str(target / "project"),
            "SECRET_KEY": "bench-phone",
        }
        subprocess.run([str(BIN / "jianxi"), "db", "upgrade"], env=env, cwd=ROOT, check=True)
        paths = our_pages(site) | BARE_PAGES
        results: dict[str, list[Figures]] = {key: [] for key in chosen if key != "query"}
        query: tuple[str, list[str]] | None = None
        reports = target / "lighthouse"
        reports.mkdir()
        for key in [key for key in results if key not in paths or (key in BARE_PAGES and not built)]:
            print(
                f"skipped {key}: {'no such page in the built site' if key not in paths else 'no bare site'}"
            )
            del results[key]
        with ExitStack() as servers:
            base = servers.enter_context(serving(site, target / "instance", env))
            bare_base = (
                servers.enter_context(serving(bare_site, target / "bare-instance", env)) if built else ""
            )
            urls = {key: (bare_base if key in BARE_PAGES else base) + path for key, path in paths.items()}
            for key in results:  # warm up: the first /apply loads every position
                print(f"warm-up {key:<10} {urls[key]}  HTTP {fetch_status(urls[key])}", flush=True)
            # Rounds are interleaved so a burst of outside load does not hit one page only.
            for attempt in range(1, args.runs + 1):
                for key, runs in results.items():
                    run = lighthouse(urls[key], reports / f"{key}-{attempt}.json")
                    runs.append(run)
                    print(f"[{attempt}/{args.runs}] {key:<10} {_describe(run)}", flush=True)
                print(_load(), flush=True)
            if "query" in chosen:
                try:
                    query = query_bytes(base)
                except Exception as error:  # a measurement: report, do not crash
                    query = (f"not measurable: {type(error).__name__}: {error}".splitlines()[0], [])
        report(args.n, ours, bare, ratio, built, results, paths, query)
    except Exception as error:
        print(f"set-up failed: {type(error).__name__}: {error}")
    finally:
        if args.keep:
            print(f"kept {target}")
        else:
            shutil.rmtree(target, ignore_errors=True)


def _load() -> str:
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    busy = " (other work competes for the CPU: timings and scores suffer)" if load > cpus else ""
    return f"load average {load:.1f} on {cpus} CPUs{busy}"


def _describe(run: Figures) -> str:
    if run.score is None:
        return f"failed: {run.error}"
    text = (
        f"score {run.score:.0f}  LCP {run.lcp_s or 0:.2f} s  {run.kb or 0:,.0f} KB  {run.dom or 0:,.0f} nodes"
    )
    return text + (f"  ({run.error})" if run.error else "")


def report(
    n: int,
    ours: Run,
    bare: Run,
    ratio: float,
    built: bool,
    results: dict[str, list[Figures]],
    paths: dict[str, str],
    query: tuple[str, list[str]] | None,
) -> None:
    print()
    print(f"build of {n} positions         value   target   result")
    print(f"jianxi build seconds       {ours.seconds:9.1f}")
    print(f"bare mkdocs build seconds  {bare.seconds:9.1f}")
    verdict = ("PASS" if ratio <= BUILD_RATIO else "MISS") if built else "(a build failed)"
    print(f"ratio ours / bare          {ratio:9.2f}   <= {BUILD_RATIO:g}   {verdict}")
    print(f"  same ratio, CPU time     {ours.cpu / bare.cpu if bare.cpu else float('inf'):9.2f}   (info)")
    print()
    print("Lighthouse 12 mobile (simulated throttling), medians; bare site's text files gzipped like ours")
    header = f"{'page':<10} {'score':>9} {'LCP s':>10} {'first view KB':>14} {'DOM nodes':>12}  path"
    print(header)
    print(f"{'target':<10} {'>= 95':>9} {'<= 2.5':>10} {'<= 300':>14} {'<= 1,500':>12}")
    print("-" * 72)
    for key, runs in results.items():
        row = [
            cell(median(runs, lambda run: run.score), lambda v: v >= SCORE),
            cell(median(runs, lambda run: run.lcp_s), lambda v: v <= LCP_S, 2),
            cell(median(runs, lambda run: run.kb), lambda v: v <= FIRST_VIEW_KB),
            cell(median(runs, lambda run: run.dom), lambda v: v <= DOM_NODES),
        ]
        print(f"{key:<10} {row[0]:>9} {row[1]:>10} {row[2]:>14} {row[3]:>12}  {unquote(paths[key])}")
        for error in sorted({run.error for run in runs if run.error}):
            print(f"{'':<10} problem: {error}")
    if query is not None:
        print()
        print(
            f"bytes a first search query downloads ({QUERY!r} on {QUERY_PAGE}, "
            f"target <= {QUERY_KB:g} KB): {query[0]}"
        )
        for note in query[1]:
            print(f"  {note}")


if __name__ == "__main__":
    main()
