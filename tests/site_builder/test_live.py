"""A live update (site_builder.live) writes exactly what a full build of the same files would, and
search over the full build's index merged with the live bundle finds exactly the positions of a
full build's index, open ones with their state.

Property: after each commit of random sequences (adds, edits, closes, fills, moves between
districts, removals, places taken), the build served (the first full build with every update laid
over it) equals a full build of that commit file for file, search bundles aside, which are compared
by their records."""

import gzip
import json
import os
import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from form_worker.publishing.builds import apply
from site_builder.build import build_site
from site_builder.live import LiveSite
from site_builder.model.catalogue import load_catalogue, reload
from site_builder.search import BUNDLE, LIVE_BUNDLE, LIVE_MANIFEST, page_ids
from tests.conftest import TODAY
from tests.helpers.positions import sample_project
from tests.helpers.showcase import write_showcase

KINDS = ("add", "edit", "close", "fill", "reopen", "move", "remove", "places")
Step = list[tuple[str, int]]


def position_files(repo: Path) -> list[Path]:
    return sorted(p for p in (repo / "positions").rglob("*.yaml") if p.name != "unit.yaml")


def change(repo: Path, kind: str, pick: int, places: dict[str, int]) -> set[str]:
    """Do one change to the files (or to the places held); return the paths it touched."""
    files = position_files(repo)
    path = files[pick % len(files)]
    text = path.read_text(encoding="utf-8")
    if kind == "add":
        target = path.with_name(f"added-{pick}.yaml")
        target.write_text(re.sub(r"^title: ", "title: 新增", text, count=1, flags=re.M), encoding="utf-8")
        return {str(target.relative_to(repo))}
    if kind == "remove":
        path.unlink()
    elif kind == "places":
        places[f"{path.parent.name}/{path.stem}"] = pick % 4
        return set()
    else:
        replacements = {
            "edit": (r"^title: ", "title: 改"),
            "close": (r"^status: \w+", "status: closed"),
            "fill": (r"^status: \w+", "status: filled"),
            "reopen": (r"^status: \w+", "status: open"),
            "move": (r"^  district: .*$", "  district: 渝中区"),
        }
        pattern, replacement = replacements[kind]
        path.write_text(re.sub(pattern, replacement, text, count=1, flags=re.M), encoding="utf-8")
    return {str(path.relative_to(repo))}


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a build but the search bundles, `.gz` copies by what they hold."""
    found = {}
    for folder, _, names in os.walk(site):
        for name in names:
            path = Path(folder, name)
            relative = str(path.relative_to(site))
            if relative.startswith((BUNDLE + "/", LIVE_BUNDLE + "/")) or relative == LIVE_MANIFEST:
                continue
            data = path.read_bytes()
            found[relative] = gzip.decompress(data) if name.endswith(".gz") else data
    return found


def records(bundle: Path) -> dict[str, dict]:
    """Each page Pagefind indexed in a bundle, by URL: what a search result shows and filters by."""
    found = {}
    for url, page in page_ids(bundle).items():
        data = json.loads(gzip.decompress((bundle / "fragment" / f"{page}.pf_fragment").read_bytes())[12:])
        found[url] = {key: data[key] for key in ("content", "meta", "filters")}
    return found


def searched(site: Path) -> dict[str, dict]:
    """What the search page finds: the full index less the records the manifest says were replaced,
    and the live bundle's records."""
    manifest = json.loads((site / LIVE_MANIFEST).read_text(encoding="utf-8"))
    ids = page_ids(site / BUNDLE)
    found = {url: r for url, r in records(site / BUNDLE).items() if ids[url] not in manifest["replaced"]}
    if manifest["bundle"]:
        found.update(records(site / manifest["bundle"]))
    return found


def assert_same_site(served: Path, full: Path, catalogue) -> None:
    """served, updated live, is full, built from the same files: file for file, and its search."""
    expected, got = site_files(full), site_files(served)
    assert sorted(got) == sorted(expected)
    assert [path for path in expected if got[path] != expected[path]] == []
    found = searched(served)
    assert found == records(full / BUNDLE)
    open_ids = {e.id for e in catalogue.positions if e.position.state(TODAY) == "open"}
    assert {url for url, r in found.items() if r["filters"]["状态"] == ["招募中"]} == {
        f"positions/{i}/" for i in open_ids
    }


def check_live_updates(work: Path, steps: list[Step]) -> None:
    """Each step a commit: after each, the site updated live equals a full build of that commit."""
    repo = sample_project(work / "repo")
    catalogue = load_catalogue(repo)
    build_site(catalogue, repo, work / "base", today=TODAY)
    live = LiveSite(repo, catalogue, work / "base", TODAY)
    served = work / "served"
    shutil.copytree(work / "base", served)
    places: dict[str, int] = {}
    for number, step in enumerate(steps):
        touched: set[str] = set()
        for kind, pick in step:
            touched |= change(repo, kind, pick, places)
        catalogue = reload(catalogue, repo, touched)
        full = load_catalogue(repo)
        assert (catalogue.units, catalogue.positions, catalogue.problems) == (full.units, full.positions, [])
        apply(served, live.update(catalogue, dict(places)))
        build_site(catalogue, repo, work / f"full-{number}", today=TODAY, places_held=dict(places))
        assert_same_site(served, work / f"full-{number}", catalogue)
        shutil.rmtree(work / f"full-{number}")


# No shrinking: each commit of an example is a full build; a failing one is printed as found.
@settings(
    max_examples=2,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(
        st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 10_000)), min_size=1, max_size=3),
        min_size=1,
        max_size=2,
    )
)
@example(
    steps=[
        [("add", 3), ("edit", 7)],
        [("close", 11), ("fill", 2), ("move", 5)],
        [("remove", 1), ("places", 8)],
    ]
)
@example(steps=[[("remove", 4)], [("reopen", 9), ("add", 20)]])
def test_live_updates_write_what_a_full_build_writes(tmp_path_factory, steps: list[Step]) -> None:
    check_live_updates(tmp_path_factory.mktemp("live"), steps)


def test_an_update_with_no_change_writes_the_same_pages(tmp_path: Path) -> None:
    """Nothing changed: the pages written (home, browse, units index) are those of the build."""
    repo = sample_project(tmp_path / "repo")
    catalogue = load_catalogue(repo)
    build_site(catalogue, repo, tmp_path / "base", today=TODAY)
    live = LiveSite(repo, catalogue, tmp_path / "base", TODAY)  # its scratch folder lives with it
    update = live.update(catalogue)
    pages = [path for path in update.written if path.endswith(".html")]
    assert sorted(pages) == ["browse/index.html", "index.html", "units/index.html"]
    for path in pages:
        assert (update.folder / path).read_bytes() == (tmp_path / "base" / path).read_bytes()
    assert json.loads((update.folder / LIVE_MANIFEST).read_text()) == {"bundle": None, "replaced": []}


def test_a_showcase_commit_updates_live_as_a_full_build(tmp_path: Path) -> None:
    """成果展示: a case and figures arriving, then the case removed, are rendered by the fast path
    byte for byte as a full build renders them."""
    repo = sample_project(tmp_path / "repo")
    catalogue = load_catalogue(repo)
    build_site(catalogue, repo, tmp_path / "base", today=TODAY)
    live = LiveSite(repo, catalogue, tmp_path / "base", TODAY)
    served = tmp_path / "served"
    shutil.copytree(tmp_path / "base", served)
    removed = repo / "showcase" / "2026" / "kepu-shili.yaml"
    for number, touched in enumerate([write_showcase(repo), {str(removed.relative_to(repo))}]):
        if number == 1:
            removed.unlink()
        catalogue = reload(catalogue, repo, touched)
        assert catalogue.showcase == load_catalogue(repo).showcase
        update = live.update(catalogue)
        assert "showcase/index.html" in update.written
        apply(served, update)
        build_site(catalogue, repo, tmp_path / f"full-{number}", today=TODAY)
        assert_same_site(served, tmp_path / f"full-{number}", catalogue)
