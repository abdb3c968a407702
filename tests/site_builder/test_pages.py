"""Paths between the generated pages: the same as posixpath.relpath gives, without its cost."""

import itertools
import posixpath

import pytest

from site_builder.pages import relative_link, relative_path

PAGES = ["", "positions/", "positions/u/a/", "positions/u/b/", "positions/v/a/", "types/kp/page-2/"]
ASSETS = ["javascripts/search.js", "stylesheets/poster.css", "positions/u/a/poster.html"]


@pytest.mark.parametrize(("target", "start"), list(itertools.product(PAGES + ASSETS, PAGES)))
def test_a_relative_path_is_relpaths(target: str, start: str) -> None:
    assert relative_path(target, start) == posixpath.relpath(target or ".", start or ".")


def test_a_link_between_pages_ends_in_a_slash() -> None:
    assert relative_link("positions/u/a.md", "positions/u/b.md") == "../b/"
    assert relative_link("positions/u/a.md", "index.md") == "../../../"
    assert relative_link("index.md", "index.md") == "./"
    assert relative_link("types/kp/page-2.md", "types/kp.md") == "../"
