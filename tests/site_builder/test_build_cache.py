"""The build cache (QR codes by address; pages, posters and `.gz` copies by their bytes) changes
nothing a build writes: a build with a warm cache, even one left by a different catalogue or
address, writes byte for byte what a build without one does, and the cache then holds only what
that build used.

Pagefind's bundle is compared by its records and its index chunks: its filter files, the metadata
naming them and its entry file come out in a different order from one run to the next whatever
the cache (Pagefind's own hash maps), so they are left out."""

import json
import os
import re
from pathlib import Path

import pytest

from site_builder import qr
from site_builder.build import QR_CODES, build_site
from site_builder.model.catalogue import load_catalogue
from site_builder.pages import page_url, position_page
from site_builder.search import BUNDLE
from site_builder.store import COPIES, FILES
from tests.conftest import ROOT, TODAY
from tests.helpers.positions import sample_project
from tests.site_builder.test_live import records
from tests.site_builder.test_posters import encoded, modules

UNORDERED = re.compile(rf"{BUNDLE}/(filter/.*|pagefind\..*\.pf_meta|pagefind-entry\.json)(\.gz)?")


def written(site: Path) -> dict[str, bytes]:
    """Every file of a build, `.gz` copies as they are, Pagefind's unordered files aside."""
    found = {}
    for folder, _, names in os.walk(site):
        for name in names:
            relative = str(Path(folder, name).relative_to(site))
            if not UNORDERED.fullmatch(relative):
                found[relative] = Path(folder, name).read_bytes()
    return found


def assert_same_site(got: Path, expected: Path) -> None:
    files, wanted = written(got), written(expected)
    assert sorted(files) == sorted(wanted)
    assert [path for path in wanted if files[path] != wanted[path]] == []
    assert records(got / BUNDLE) == records(expected / BUNDLE)


def kept(cache: Path) -> set[int]:
    """The inodes of the files the cache keeps."""
    return {
        path.stat().st_ino for kind in (FILES, COPIES) for path in (cache / kind).rglob("*") if path.is_file()
    }


def placed(site: Path) -> set[int]:
    """The inodes of a site's pages, posters and `.gz` copies: what a build places from its cache."""
    names = ("index.html", "poster.html")
    return {path.stat().st_ino for path in site.rglob("*") if path.name in names or path.suffix == ".gz"}


def test_a_warm_cache_builds_what_no_cache_builds(
    tmp_path: Path, sample_catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    build_site(sample_catalogue, ROOT, tmp_path / "cold", today=TODAY, cache=cache)

    def encode(url: str) -> str:
        raise AssertionError(f"{url} encoded again")

    monkeypatch.setattr(qr, "_encode", encode)
    build_site(sample_catalogue, ROOT, tmp_path / "warm", today=TODAY, cache=cache)
    monkeypatch.undo()
    build_site(sample_catalogue, ROOT, tmp_path / "none", today=TODAY)

    assert_same_site(tmp_path / "warm", tmp_path / "none")
    assert_same_site(tmp_path / "cold", tmp_path / "none")
    # The warm build wrote and compressed none of them: its pages, posters and copies are the
    # cold build's files, which the cache keeps.
    assert placed(tmp_path / "warm") == placed(tmp_path / "cold") == kept(cache)
    assert placed(tmp_path / "none").isdisjoint(kept(cache))


def test_a_cache_left_by_another_catalogue_and_address_changes_nothing(tmp_path: Path) -> None:
    """A title changed and the catalogue moved to another address: new pages, new QR codes; the
    cache then holds this build's codes and copies and no others."""
    repo = sample_project(tmp_path / "repo")
    cache = tmp_path / "cache"
    build_site(load_catalogue(repo), repo, tmp_path / "before", today=TODAY, cache=cache)
    position = sorted((repo / "positions").rglob("*.yaml"))[-1]
    text = position.read_text(encoding="utf-8")
    position.write_text(re.sub(r"^title: ", "title: 改", text, count=1, flags=re.M), encoding="utf-8")
    catalogue = load_catalogue(repo)
    address = "https://jianxi.example.org/"

    build_site(catalogue, repo, tmp_path / "after", today=TODAY, site_url=address, cache=cache)
    build_site(catalogue, repo, tmp_path / "fresh", today=TODAY, site_url=address)

    assert_same_site(tmp_path / "after", tmp_path / "fresh")
    codes = json.loads((cache / QR_CODES).read_text(encoding="utf-8"))["codes"]
    assert codes and all(url.startswith(address) for url in codes)
    entry = catalogue.positions[0]
    poster = (tmp_path / "after" / page_url(position_page(entry)) / "poster.html").read_text(encoding="utf-8")
    svg = re.search(r"<svg .*?</svg>", poster, re.S).group(0)
    assert modules(svg) == encoded(address + page_url(position_page(entry)))
    assert kept(cache) == placed(tmp_path / "after")
