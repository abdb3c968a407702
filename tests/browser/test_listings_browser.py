"""Paged listings walked without JavaScript, and a printed poster's QR code read by a real decoder.

The listings use a site built with a small page size, so the sample's 33 positions span several
pages; the poster's QR code is rendered by Chromium, photographed and decoded by zbar (Debian's
zbar-tools, which `.ci/run` installs).
"""

import shutil
import subprocess  # nosec B404  # runs zbarimg on a screenshot
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from site_builder import pages
from site_builder.build import build_site
from tests.browser.conftest import assert_accessible_at_sizes, serve_directory
from tests.conftest import ROOT, TODAY, skip_or_fail

PAGE_SIZE = 10
ZBAR = "zbarimg"


@pytest.fixture(scope="module")
def paged_site(tmp_path_factory: pytest.TempPathFactory, sample_catalogue) -> Iterator[str]:
    """The sample catalogue built with PAGE_SIZE positions a listing page, served over HTTP."""
    out = tmp_path_factory.mktemp("paged-site")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pages, "LISTING_PAGE", PAGE_SIZE)
        build_site(sample_catalogue, ROOT, out, today=TODAY)
    with serve_directory(out) as url:
        yield url


def test_all_positions_are_reached_page_by_page_without_javascript(
    paged_site: str, sample_catalogue, local_page: Callable[..., Page]
) -> None:
    page = local_page(paged_site, java_script_enabled=False)
    page.goto(paged_site + "/positions/")
    expect(page.locator("#jx-search")).to_be_hidden()
    pages_count = -(-len(sample_catalogue.positions) // PAGE_SIZE)
    seen: list[str] = []
    for number in range(1, pages_count + 1):
        expect(page.locator(".jx-count").last).to_contain_text(f"本页是第 {number} / {pages_count} 页")
        links = page.locator("#jx-static .jx-list li > a")
        assert links.count() <= PAGE_SIZE
        seen += links.evaluate_all("els => els.map(a => new URL(a.href).pathname)")
        nav = page.get_by_role("navigation", name="翻页")
        if number < pages_count:
            nav.get_by_role("link", name="下一页").click()
        else:
            expect(nav.get_by_role("link", name="下一页")).to_have_count(0)
    assert sorted(seen) == sorted(f"/positions/{e.id}/" for e in sample_catalogue.positions)
    # and back again by a numbered link
    page.get_by_role("navigation", name="翻页").get_by_role("link", name="第 1 页").click()
    expect(page).to_have_url(paged_site + "/positions/")


def test_a_poster_qr_code_decodes_to_its_position_page(
    sample_site: Path, sample_catalogue, local_page: Callable[..., Page], tmp_path: Path
) -> None:
    if shutil.which(ZBAR) is None:
        skip_or_fail(f"{ZBAR} is missing; .ci/run installs Debian's zbar-tools")
    entry = sample_catalogue.positions[0]
    with serve_directory(sample_site) as url:
        page = local_page(url, viewport={"width": 800, "height": 1200}, device_scale_factor=2)
        page.goto(f"{url}/positions/{entry.id}/poster.html")
        shot = tmp_path / "qr.png"
        box = page.locator(".poster__qr svg").bounding_box()
        assert box is not None
        # with the white page around it, as a phone's camera sees the printed code
        margin = 24
        clip = {"x": box["x"] - margin, "y": box["y"] - margin}
        page.screenshot(
            path=str(shot),
            clip=clip | {"width": box["width"] + 2 * margin, "height": box["height"] + 2 * margin},
        )
    decoded = subprocess.run(  # nosec B603  # a fixed command on our own file
        [ZBAR, "--raw", "-q", str(shot)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert decoded == f"http://127.0.0.1:8000/positions/{entry.id}/"


@pytest.mark.usefixtures("a11y_tools")
def test_a_later_listing_page_passes_both_accessibility_engines_at_both_sizes(
    paged_site: str, local_page: Callable[..., Page]
) -> None:
    page = local_page(paged_site)
    page.goto(paged_site + "/positions/index/page-2/")
    assert_accessible_at_sizes(page, "全部岗位第 2 页")
