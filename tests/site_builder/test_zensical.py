"""The theme's exit, exercised: `jianxi build --stage` output built by MkDocs (Material 9) and by
Zensical from the same mkdocs.yml, and the two sites compared. The differences asserted here are the
README's table ("The theme's exit"); a change to one is a change to the other."""

import importlib.util
import json
import re
import subprocess
import sys
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from click.testing import CliRunner
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from site_builder.cli import main
from tests.conftest import make_project, skip_or_fail

BUILDERS = ("mkdocs", "zensical")
# Served below a path, a link one folder too high leaves the site instead of landing on its root.
BASE = "https://example.org/jianxi/"
HREF = re.compile(r'\s(?:href|src)="([^"]*)"')


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample catalogue staged once, then built by each builder in strict mode."""
    if importlib.util.find_spec("zensical") is None:
        skip_or_fail("Zensical is not installed (the dev extra of requirements.lock)")
    project = make_project(tmp_path_factory.mktemp("exit") / "project")
    staged = CliRunner().invoke(main, ["--root", str(project), "build", "--stage", str(project / "staged")])
    assert staged.exit_code == 0, staged.output
    config = project / "mkdocs.yml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    # Zensical takes a docs_dir only inside the project folder.
    settings |= {"docs_dir": "staged", "site_dir": "zensical-site"}
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    command = [sys.executable, "-m", "zensical", "build", "--strict", "-f", str(config)]
    zensical = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    assert zensical.returncode == 0, zensical.stdout + zensical.stderr
    mkdocs_build(load_config(config_file=str(config), site_dir=str(project / "mkdocs-site"), strict=True))
    return {
        "staged": project / "staged",
        "mkdocs": project / "mkdocs-site",
        "zensical": project / "zensical-site",
    }


def files(site: Path) -> set[str]:
    """Every file of a built site but the theme's own assets (each theme ships its own)."""
    paths = (p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    return {p for p in paths if not p.startswith("assets/")}


def copied(sites: dict[str, Path]) -> list[str]:
    """The staged files a builder only copies: posters, positions.json, the feed, the search index."""
    return sorted(p for p in files(sites["staged"]) if not p.endswith(".md"))


def pages(sites: dict[str, Path]) -> list[str]:
    """The pages MkDocs rendered through the theme."""
    return sorted(p for p in files(sites["mkdocs"]) - set(copied(sites)) if p.endswith(".html"))


def read(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def article_text(html: str) -> str:
    """The page's own content, tags and whitespace dropped (Zensical adds code-highlighting spans)."""
    found = re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', html, re.S)
    return "".join(re.sub(r"<[^>]+>", "", found.group(1) if found else "").split())


def sharing_tags(site: Path, page: str) -> tuple[list[tuple[str, str]], list[dict], list[tuple[str, str]]]:
    """What a crawler or a link preview reads: Open Graph tags, JSON-LD, the canonical and feed links
    (where they lead). Values are compared unescaped: Zensical's templates write "/" as "&#x2f;"."""
    html = read(site, page)
    open_graph = re.findall(r'<meta property="(og:[^"]*)" content="([^"]*)">', html)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    links = re.findall(r'<link rel="(canonical|alternate feed)"[^>]*href="([^"]*)"', html)
    return (
        [(name, unescape(value)) for name, value in open_graph],
        [json.loads(block) for block in blocks],
        [(rel, urljoin(page_url(page), unescape(href))) for rel, href in links],
    )


def page_url(page: str) -> str:
    return BASE + page.removesuffix("index.html")


def resolves(site: Path, page: str, href: str) -> bool:
    target = urljoin(page_url(page), href)
    if not target.startswith(BASE):
        return False
    path = site / urlsplit(target).path.removeprefix(urlsplit(BASE).path)
    return path.is_file() or (path / "index.html").is_file()


def missing_links(sites: dict[str, Path], builder: str) -> list[tuple[str, str]]:
    """Each relative link or source on each rendered page whose target the builder's site lacks."""
    site = sites[builder]
    return [
        (page, href)
        for page in pages(sites)
        for href in HREF.findall(read(site, page))
        if href and not re.match(r"[a-z]+:|/|#", href) and not resolves(site, page, href.split("#")[0])
    ]


def test_both_builders_write_the_same_pages_and_files(sites: dict[str, Path]) -> None:
    mkdocs, zensical = sites["mkdocs"], sites["zensical"]
    # Zensical writes its own search index (mkdocs.yml lists no search plugin; Pagefind searches)
    # and no gzipped sitemap (the build's precompress step writes the .gz copies anyway).
    assert files(mkdocs) - {"sitemap.xml.gz"} == files(zensical) - {"search.json"}
    assert len(pages(sites)) > 60
    for page in pages(sites):
        assert article_text(read(mkdocs, page)) == article_text(read(zensical, page)), page
    for name in copied(sites):
        assert (mkdocs / name).read_bytes() == (zensical / name).read_bytes(), name
    locations = {b: re.findall(r"<loc>(.*?)</loc>", read(sites[b], "sitemap.xml")) for b in BUILDERS}
    assert sorted(locations["mkdocs"]) == sorted(locations["zensical"])


def test_the_same_open_graph_tags_and_json_ld_on_every_page(sites: dict[str, Path]) -> None:
    postings = 0
    for page in pages(sites):
        tags = {builder: sharing_tags(sites[builder], page) for builder in BUILDERS}
        assert tags["mkdocs"] == tags["zensical"], page
        assert tags["mkdocs"][0], page
        postings += any(block["@type"] == "JobPosting" for block in tags["mkdocs"][1])
    assert postings > 20


@pytest.mark.parametrize("builder", BUILDERS)
def test_the_overrides_apply(sites: dict[str, Path], builder: str) -> None:
    site = sites[builder]
    assert "没有找到这个页面" in read(site, "404.html")  # 404.html
    faq = read(site, "faq/index.html")
    assert 'aria-label="搜索岗位"' in faq and "md-search" not in faq  # partials/header.html
    assert 'id="__toc" aria-label="本页目录"' in faq  # partials/nav-item.html
    assert 'rel="alternate feed"' in faq  # main.html


def test_the_home_pages_title_and_the_palette_form_differ(sites: dict[str, Path]) -> None:
    """Zensical sets no page.is_homepage, so the theme's title block names the home page too; and it
    turns mkdocs.yml's one palette into a list of one, for which the header renders a palette form."""
    home = {builder: read(sites[builder], "index.html") for builder in BUILDERS}
    titles = {builder: re.findall(r"<title>(.*?)</title>", html) for builder, html in home.items()}
    assert titles == {"mkdocs": ["重庆市大学生科技见习计划"], "zensical": ["首页 - 重庆市大学生科技见习计划"]}
    assert 'id="__palette_0"' in home["zensical"] and "__palette" not in home["mkdocs"]


def test_zensical_sends_the_staged_pages_links_one_folder_too_high(sites: dict[str, Path]) -> None:
    """The generated pages carry HTML whose links are relative to the page's address, which MkDocs
    leaves alone. Zensical rewrites every relative link as if relative to the Markdown file, so on a
    page staged as x.md (served at x/) each points one folder higher: they miss below a path, and
    at a domain's root only those that do not climb to it (posters, neighbouring positions) miss."""
    assert missing_links(sites, "mkdocs") == []
    missing = missing_links(sites, "zensical")
    assert len(missing) > 100
    assert all(
        href.startswith("../") and resolves(sites["zensical"], page, href[3:]) for page, href in missing
    )
    # Pages written as index.md sit in the folder they are served from: their links hold.
    assert {page for page, _ in missing}.isdisjoint(
        {"index.html", "positions/index.html", "units/index.html"}
    )
