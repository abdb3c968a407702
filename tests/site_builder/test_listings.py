"""Listings per type, track, district and tag come in pages of LISTING_PAGE with Chinese pager
links, so each stays small at any size and works without JavaScript."""

import dataclasses
import re

import pytest

from site_builder import pages
from site_builder.build import build_site
from site_builder.pages import PageRenderer, Site, listing_page, relative_link
from tests.conftest import ROOT, TODAY


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(pages, "LISTING_PAGE", 2)
    return 2


def test_a_long_listing_is_paged_with_links_both_ways(sample_catalogue, small_pages: int) -> None:
    renderer = PageRenderer(sample_catalogue, Site("http://127.0.0.1:8000/", "", TODAY))
    generated = {page.path: page for page in renderer.pages()}
    value, entries = max(renderer.groups["districts"].items(), key=lambda item: len(item[1]))
    assert len(entries) > small_pages  # the sample has a district with more positions than a page
    first = listing_page("districts", value)
    count = -(-len(entries) // small_pages)
    paths = [first] + [f"{first.removesuffix('.md')}/page-{n}.md" for n in range(2, count + 1)]
    assert all(path in generated for path in paths)
    shown = []
    for number, path in enumerate(paths, start=1):
        body = generated[path].body
        shown += re.findall(r'<li class="jx-row--\w+" data-state="\w+"><a href="([^"]+)">', body)
        assert f"本页是第 {number} / {count} 页" in body
        # The totals on the first page only, so a new position leaves the later pages alone.
        assert (f"共 {len(entries)} 个岗位" in body) == (number == 1)
        if number < count:
            assert f'href="{relative_link(path, paths[number])}" rel="next">下一页</a>' in body
        if number > 1:
            assert f'href="{relative_link(path, paths[number - 2])}" rel="prev">上一页</a>' in body
            assert f"（第 {number} 页）" in generated[path].front
    assert len(shown) == len(entries)  # every position once, none lost between pages


def test_a_short_listing_has_no_pager(sample_catalogue) -> None:
    renderer = PageRenderer(sample_catalogue, Site("http://127.0.0.1:8000/", "", TODAY))
    body = next(p for p in renderer.pages() if p.path == listing_page("types", "科普助理")).body
    assert 'class="jx-pager"' not in body


def test_the_pages_build_strictly_into_their_own_folders(
    sample_catalogue, small_pages: int, tmp_path
) -> None:
    build_site(sample_catalogue, ROOT, tmp_path / "site", today=TODAY)
    renderer = PageRenderer(sample_catalogue, Site("http://127.0.0.1:8000/", "", TODAY))
    value = max(renderer.groups["districts"], key=lambda v: len(renderer.groups["districts"][v]))
    folder = tmp_path / "site" / listing_page("districts", value).removesuffix(".md")
    assert (folder / "index.html").is_file() and (folder / "page-2" / "index.html").is_file()
    assert "下一页" in (folder / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("number", "count", "expected"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 100, [1, 2, 3, None, 100]),
        (50, 100, [1, None, 48, 49, 50, 51, 52, None, 100]),
        (100, 100, [1, None, 98, 99, 100]),
        (4, 7, [1, 2, 3, 4, 5, 6, 7]),
    ],
)
def test_the_pager_links_the_ends_and_the_pages_nearby(number: int, count: int, expected: list) -> None:
    pager = pages.Pager(number, count, [f"p{n}.md" for n in range(1, count + 1)], count * 50, 0)
    assert pager.window() == expected


def test_all_positions_come_in_pages_each_with_the_search_form(sample_catalogue, small_pages: int) -> None:
    renderer = PageRenderer(sample_catalogue, Site("http://127.0.0.1:8000/", "", TODAY))
    generated = {page.path: page.body for page in renderer.pages()}
    paths = ["positions/index.md"] + sorted(p for p in generated if p.startswith("positions/index/page-"))
    assert len(paths) == -(-len(sample_catalogue.positions) // small_pages)
    for path in paths:
        assert 'id="jx-search"' in generated[path] and "search.js" in generated[path]
        assert generated[path].count('<li class="jx-row--') <= small_pages


def all_positions_pages(catalogue) -> dict[str, str]:
    renderer = PageRenderer(catalogue, Site("http://127.0.0.1:8000/", "", TODAY))
    return {
        p.path: p.body
        for p in renderer.pages()
        if p.path.startswith(("positions/index.md", "positions/index/"))
    }


def test_an_edit_rewrites_only_the_listing_page_that_shows_it(sample_catalogue, small_pages: int) -> None:
    """Issue 24: no listing page but the first shows the listing's totals, so a position's new title
    changes the one page of the all-positions listing that lists it, not all of them."""
    renderer = PageRenderer(sample_catalogue, Site("http://127.0.0.1:8000/", "", TODAY))
    edited = renderer.positions[-1]  # on the last page
    changed = dataclasses.replace(
        edited, position=edited.position.model_copy(update={"title": "改过标题的见习岗位"})
    )
    catalogue = dataclasses.replace(
        sample_catalogue, positions=[changed if e is edited else e for e in sample_catalogue.positions]
    )
    before, after = all_positions_pages(sample_catalogue), all_positions_pages(catalogue)
    assert sorted(after) == sorted(before) and len(before) > 2
    differ = [path for path in before if after[path] != before[path]]
    assert len(differ) == 1 and "改过标题的见习岗位" in after[differ[0]]
    assert "个岗位，其中" in before["positions/index.md"]
    assert not any("个岗位，其中" in body for path, body in before.items() if path != "positions/index.md")
