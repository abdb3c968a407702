"""The catalogue's 成果展示 page with cases and a year's figures in a real browser: both accessibility
engines and pa11y itself at phone and desktop sizes, and every case readable without JavaScript.
(The page without any file is among the catalogue's pages in test_catalogue_browser.py.)"""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from site_builder.build import build_site
from site_builder.model.catalogue import load_catalogue
from tests.browser.conftest import SIZES, assert_accessible_at_sizes, pa11y_errors, serve_directory
from tests.conftest import TODAY
from tests.helpers.positions import sample_project
from tests.helpers.showcase import write_showcase


@pytest.fixture(scope="module")
def showcase_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample catalogue with a case and the year's figures, built and served on a loopback port."""
    work = tmp_path_factory.mktemp("showcase")
    repo = sample_project(work / "repo")
    write_showcase(repo)
    catalogue = load_catalogue(repo)
    assert catalogue.problems == []
    build_site(catalogue, repo, work / "site", today=TODAY)
    with serve_directory(work / "site") as url:
        yield url


def opened(local_page: Callable[..., Page], base_url: str, **options: object) -> Page:
    page = local_page(base_url, **options)
    response = page.goto(base_url + "/showcase/")
    assert response is not None and response.ok
    return page


@pytest.mark.usefixtures("a11y_tools")
def test_the_page_passes_both_engines_at_both_sizes(
    local_page: Callable[..., Page], showcase_url: str
) -> None:
    page = opened(local_page, showcase_url)
    expect(page.locator(".jx-case")).to_have_count(1)
    assert_accessible_at_sizes(page, "showcase: a case and the year's figures")


@pytest.mark.usefixtures("a11y_tools")
@pytest.mark.parametrize("size", SIZES)
def test_pa11y_itself_finds_no_error(showcase_url: str, tmp_path: Path, size: str) -> None:
    failures = pa11y_errors([showcase_url + "/showcase/"], SIZES[size], tmp_path)
    assert not failures, "\n".join(failures)


def test_the_page_reads_without_javascript(local_page: Callable[..., Page], showcase_url: str) -> None:
    page = opened(local_page, showcase_url, java_script_enabled=False)
    expect(page.locator(".jx-case h4")).to_have_text("在科普一线成长（示例）")
    expect(page.locator(".jx-figures")).to_contain_text("40 人")
    expect(page.locator(".jx-destinations")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert width <= 0  # nothing scrolls sideways on a phone
