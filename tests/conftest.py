"""Shared fixtures: the repository's sample catalogue, built once per session."""

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_builder.build import build_site
from site_builder.model.catalogue import Catalogue, load_catalogue
from tests.helpers.routing import shared_url_builders

# Fixtures that tests in more than one package use: the SMTP server (worker and browser tests).
pytest_plugins = ["tests.helpers.mailserver"]

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
# Builds are pinned to one day so "expired" means the same thing whenever the suite runs.
TODAY = dt.date(2026, 11, 27)


# Tests that mostly wait on a browser or on processes of their own, a third of the suite's time.
SLOW = (
    "tests/browser/",
    "tests/form_worker/test_worker.py",
    "tests/form_worker/publishing/",
    "tests/deploy/",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Spread the slow tests evenly through the run's order.

    xdist's worksteal scheduler first hands each worker a contiguous share of the order, and the
    browser tests sort first: one worker got all of them while the other ran out of work and waited.
    Interleaved, every share holds as many, and one worker's waiting on Chromium leaves the CPU to
    the others. The order of everything else is kept.
    """
    slow = [item for item in items if item.nodeid.startswith(SLOW)]
    fast = [item for item in items if not item.nodeid.startswith(SLOW)]
    if not slow or not fast:
        return
    step = len(items) / len(slow)
    order, taken = [], 0
    for number, item in enumerate(slow):
        upto = round((number + 1) * step) - (number + 1)
        order += fast[taken:upto]
        taken = max(taken, upto)
        order.append(item)
    order += fast[taken:]
    items[:] = order


def skip_or_fail(reason: str) -> None:
    """Skip the test for a missing service or tool; with CI set, fail it: CI must run everything."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def make_project(target: Path, positions: Path | None = None) -> Path:
    """A project folder with the repository's site configuration and the given positions tree."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "content", "overrides"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy(source, target / name)
    shutil.copytree(positions or ROOT / "positions", target / "positions")
    return target


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` as a test identity; return what it printed."""
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def make_git_project(target: Path, positions: Path | None = None) -> Path:
    """make_project as the first commit of a new git working copy, the way publishing finds it."""
    project = make_project(target, positions)
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Sample positions")
    return project


@pytest.fixture(scope="session", autouse=True)
def project_repository_untouched() -> Iterator[None]:
    """Tests publish into temporary copies (make_git_project), never into this checkout: many apps
    under test read positions from ROOT, and a task run there must not commit into it."""
    if not (ROOT / ".git").exists():  # an exported tree, not a checkout
        yield
        return
    before = git(ROOT, "rev-parse", "HEAD"), git(ROOT, "status", "--porcelain", "--", "positions")
    yield
    after = git(ROOT, "rev-parse", "HEAD"), git(ROOT, "status", "--porcelain", "--", "positions")
    assert after == before, "a test committed or wrote into this checkout's positions/"


@pytest.fixture(scope="session", autouse=True)
def url_builders() -> Iterator[None]:
    """Apps made during the session share their compiled URL builders (tests/helpers/routing.py)."""
    with shared_url_builders():
        yield


@pytest.fixture(scope="session")
def sample_catalogue() -> Catalogue:
    catalogue = load_catalogue(ROOT)
    assert catalogue.problems == []
    return catalogue


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory, sample_catalogue: Catalogue) -> Path:
    """The sample catalogue built into a temporary folder, exactly as `jianxi build` does."""
    out = tmp_path_factory.mktemp("site")
    build_site(sample_catalogue, ROOT, out, today=TODAY)
    return out
