"""Search right after a live update (site_builder.live), in a real browser: the search page merges
the live bundle into the full build's index (Pagefind's mergeIndex) and leaves out the records it
replaces, so a changed position is found as it is now, once, and a removed one is not found."""

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from form_worker.publishing.builds import apply
from site_builder.build import build_site
from site_builder.live import LiveSite
from site_builder.model.catalogue import load_catalogue, reload
from tests.browser.conftest import serve_directory
from tests.conftest import TODAY
from tests.helpers.catalogue_search import search
from tests.helpers.positions import sample_project

EDITED = "shili-youth-scitech-society/academic-conference-assistant"
CLOSED = "shili-asean-scitech-centre/technical-translation-assistant"


def edit(repo: Path, position: str, pattern: str, replacement: str) -> str:
    path = repo / "positions" / f"{position}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(pattern, replacement, text, count=1, flags=re.M), encoding="utf-8")
    return str(path.relative_to(repo))


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The sample built in full, then one edit, one close and one removal published live."""
    work = tmp_path_factory.mktemp("live-search")
    repo = sample_project(work / "repo")
    catalogue = load_catalogue(repo)
    build_site(catalogue, repo, work / "site", today=TODAY)
    titles = {e.id: e.position.title for e in catalogue.positions}
    removed = next(i for i in sorted(titles) if i not in (EDITED, CLOSED) and "示例" in titles[i])
    live = LiveSite(repo, catalogue, work / "site", TODAY)
    changed = {
        edit(repo, EDITED, r"^title: .*$", "title: 实时发布的学术会议助理（示例）"),
        edit(repo, CLOSED, r"^status: \w+", "status: closed"),
    }
    (repo / "positions" / f"{removed}.yaml").unlink()
    changed.add(f"positions/{removed}.yaml")
    apply(work / "site", live.update(reload(catalogue, repo, changed)))
    shutil.rmtree(repo)
    with serve_directory(work / "site") as base_url:
        yield base_url, {"closed": titles[CLOSED], "removed": titles[removed], "old": titles[EDITED]}


def test_search_finds_positions_as_the_live_update_left_them(
    local_page: Callable[..., Page], live_site: tuple[str, dict[str, str]]
) -> None:
    base_url, titles = live_site
    page = local_page(base_url)
    page.goto(base_url + "/positions/")
    edited = search(page, "实时发布")
    assert [(r["title"], r["badge"]) for r in edited] == [("实时发布的学术会议助理（示例）", "招募中")]
    page.goto(base_url + "/positions/")
    assert all(r["title"] != titles["old"] for r in search(page, "学术会议"))
    page.goto(base_url + "/positions/")
    closed = [r for r in search(page, titles["closed"]) if r["title"] == titles["closed"]]
    assert [r["badge"] for r in closed] == ["已关闭"]  # once, as it is now
    page.goto(base_url + "/positions/")
    assert all(r["title"] != titles["removed"] for r in search(page, titles["removed"]))
