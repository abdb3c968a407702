"""Build the sample catalogue into a temporary folder and check what a reader and a crawler get."""

import datetime as dt
import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
import yaml
from click.testing import CliRunner
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from site_builder.build import build_site, stage
from site_builder.cli import main
from site_builder.model.catalogue import load_catalogue
from site_builder.model.vocab import DISTRICTS, POSITION_TYPES, TAGS, TRACKS
from site_builder.pages import Site, fill_settings
from tests.conftest import DATA, ROOT, TODAY, make_project


class Elements(HTMLParser):
    """Collects every start tag with its attributes, and the text inside <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def parse(path: Path) -> Elements:
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def json_ld(path: Path) -> list[dict]:
    html = path.read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def position_html(site: Path, position_id: str) -> Path:
    return site / "positions" / position_id / "index.html"


def test_page_count(sample_site: Path, sample_catalogue) -> None:
    positions = sample_catalogue.positions
    districts = {e.position.workplace.district for e in positions}
    tags = {t for e in positions for t in e.position.tags}
    hand_written = len(list((ROOT / "content").glob("*.md")))
    generated = (
        len(positions)
        + len(sample_catalogue.units)
        + 1  # units index
        + 1  # all positions
        + 1  # browse
        + 1  # showcase (成果展示)
        + len(POSITION_TYPES)
        + len(TRACKS)
        + len(districts)
        + len(tags)
    )
    pages = [p for p in sample_site.rglob("index.html")]
    assert len(pages) == generated + hand_written
    assert len(list((sample_site / "positions").glob("*/*/index.html"))) == len(positions)
    for district in districts:
        assert (sample_site / "districts" / DISTRICTS[district] / "index.html").is_file()
    for tag in tags:
        assert (sample_site / "tags" / TAGS[tag] / "index.html").is_file()


def test_every_position_has_a_complete_job_posting(sample_site: Path, sample_catalogue) -> None:
    for entry in sample_catalogue.positions:
        p = entry.position
        blocks = json_ld(position_html(sample_site, entry.id))
        assert len(blocks) == 1
        posting = blocks[0]
        assert posting["@type"] == "JobPosting"
        assert posting["title"] == p.title
        assert p.duties.strip().splitlines()[0] in posting["description"]
        assert posting["datePosted"] == p.published.isoformat()
        assert posting["validThrough"].startswith(p.deadline.isoformat())
        assert posting["employmentType"] == "INTERN"
        unit = sample_catalogue.units[entry.unit_slug].unit
        assert posting["hiringOrganization"] == {"@type": "Organization", "name": unit.name} | (
            {"sameAs": unit.website} if unit.website else {}
        )
        address = posting["jobLocation"]["address"]
        assert address["addressRegion"] == "重庆市"
        assert address["addressLocality"] == p.workplace.district
        salary = posting["baseSalary"]
        assert salary["currency"] == "CNY"
        assert salary["value"]["value"] == p.allowance
        assert salary["value"]["unitText"] == "MONTH"


def test_open_graph_tags_on_position_pages(sample_site: Path, sample_catalogue) -> None:
    entry = sample_catalogue.positions[0]
    metas = {
        a.get("property"): a.get("content")
        for tag, a in parse(position_html(sample_site, entry.id)).tags
        if tag == "meta" and a.get("property")
    }
    assert metas["og:title"].startswith(entry.position.title)
    assert metas["og:locale"] == "zh_CN"
    assert metas["og:url"].endswith(f"/positions/{entry.id}/")


def test_search_index_is_pagefind_with_every_position_and_no_material_index(
    sample_site: Path, sample_catalogue
) -> None:
    entry = json.loads((sample_site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["zh"]["page_count"] == len(sample_catalogue.positions)
    assert list((sample_site / "pagefind" / "index").glob("*.pf_index"))
    # Material's whole-site index is what a phone would download on every page: it is gone.
    assert not (sample_site / "search").exists()
    assert "search_index.json" not in (sample_site / "index.html").read_text(encoding="utf-8")


def test_closed_filled_and_expired_positions_are_marked(sample_site: Path, sample_catalogue) -> None:
    labels = {"expired": "已截止", "closed": "已关闭", "filled": "已招满"}
    states = {e.id: e.position.state(TODAY) for e in sample_catalogue.positions}
    assert {"expired", "closed"} <= set(states.values())
    for position_id, state in states.items():
        html = position_html(sample_site, position_id).read_text(encoding="utf-8")
        # Whatever its state, a reader can report a problem with it (form_worker.feedback).
        assert f'<a href="/feedback/{position_id}" id="report-problem">反馈岗位问题</a>' in html
        if state == "open":
            assert "立即报名" in html and f"apply?position={position_id.replace('/', '%2F')}" in html
        else:
            assert f'jx-badge--{state}">{labels[state]}' in html
            assert "立即报名" not in html
    listing = (sample_site / "positions" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'data-state="(\w+)"', listing)
    assert len(rows) == len(states)
    first_closed = next(i for i, s in enumerate(rows) if s != "open")
    assert set(rows[:first_closed]) == {"open"} and "open" not in rows[first_closed:]


def test_the_precompressed_files_match_their_sources(sample_site: Path) -> None:
    packed = sorted(sample_site.rglob("*.gz"))
    assert len(packed) > 30
    for path in packed:
        source = path.with_suffix("")
        assert gzip.decompress(path.read_bytes()) == source.read_bytes(), path
    text = [
        p for p in sample_site.rglob("*") if p.suffix in (".html", ".js", ".css") and p.stat().st_size >= 1024
    ]
    assert all(Path(f"{p}.gz").is_file() for p in text)


def test_the_404_page_is_chinese_and_leads_on(sample_site: Path) -> None:
    page = (sample_site / "404.html").read_text(encoding="utf-8")
    assert "没有找到这个页面" in page and "404 - Not found" not in page
    for link in ("返回首页", "浏览全部岗位", '/status">查询报名进度'):
        assert link in page


def test_no_asset_comes_from_another_host(sample_site: Path) -> None:
    for page in sample_site.rglob("*.html"):
        for tag, attrs in parse(page).tags:
            url = {"script": attrs.get("src"), "img": attrs.get("src"), "link": attrs.get("href")}.get(tag)
            if tag == "link" and attrs.get("rel") in ("canonical", "alternate"):
                continue
            assert not url or not re.match(r"(https?:)?//", url), f"{page}: {tag} {url}"
    assert "fonts.googleapis" not in (sample_site / "index.html").read_text(encoding="utf-8")


def test_atom_feed_parses(sample_site: Path, sample_catalogue) -> None:
    feed = feedparser.parse((sample_site / "feed.xml").read_bytes())
    assert not feed.bozo
    assert len(feed.entries) == min(50, len(sample_catalogue.positions))
    newest = max(sample_catalogue.positions, key=lambda e: (e.position.published, e.id))
    assert feed.entries[0].link.endswith(f"/positions/{newest.id}/")
    assert newest.position.title in feed.entries[0].title


def test_positions_json_matches_the_yaml(sample_site: Path, sample_catalogue) -> None:
    published = json.loads((sample_site / "positions.json").read_text(encoding="utf-8"))
    assert published["schema_version"] == 1
    by_id = {p["id"]: p for p in published["positions"]}
    assert set(by_id) == {e.id for e in sample_catalogue.positions}
    for path in (ROOT / "positions").glob("*/*.yaml"):
        if path.name == "unit.yaml":
            continue
        source = yaml.safe_load(path.read_text(encoding="utf-8"))
        record = by_id[f"{path.parent.name}/{path.stem}"]
        for key, value in source.items():
            expected = value.isoformat() if hasattr(value, "isoformat") else value
            if isinstance(expected, str):
                expected = expected.strip()
            assert record[key] == expected, (path, key)
        assert record["unit"]["slug"] == path.parent.name


def test_sitemap_lists_position_pages(sample_site: Path, sample_catalogue) -> None:
    sitemap = (sample_site / "sitemap.xml").read_text(encoding="utf-8")
    for entry in sample_catalogue.positions:
        assert f"/positions/{entry.id}/</loc>" in sitemap


def test_json_schema_is_published(sample_site: Path) -> None:
    schema = json.loads((sample_site / "schema" / "position.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["type"]["enum"] == list(POSITION_TYPES)
    assert schema["additionalProperties"] is False


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("hostile"), DATA / "hostile" / "positions")
    catalogue = load_catalogue(project)
    assert catalogue.problems == []
    out = project / "site"
    build_site(catalogue, project, out, today=TODAY)
    return out


def test_hostile_text_is_inert(hostile_site: Path) -> None:
    pages = list(hostile_site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        elements = parse(page)
        for tag, attrs in elements.tags:
            assert tag != "iframe", f"{page}: <{tag}>"
            for name, value in attrs.items():
                assert not name.startswith("on"), f"{page}: <{tag} {name}>"
                assert not (value or "").strip().lower().startswith("javascript:"), f"{page}: {value}"
        assert not any("alert(" in script for script in elements.scripts if "JobPosting" not in script)
        html = page.read_text(encoding="utf-8")
        for raw in ("<svg onload", "<style>body{display:none}", "<b>计算机</b>", "<img src=x"):
            assert raw not in html, f"{page}: {raw}"
    position = (hostile_site / "positions" / "hostile-unit" / "hostile" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "&lt;script&gt;alert(&#34;duties&#34;)&lt;/script&gt;" in position
    assert "[点我](javascript:alert(6))" in position
    assert "<title>&lt;/title&gt;&lt;script&gt;" in position
    posting = json_ld(hostile_site / "positions" / "hostile-unit" / "hostile" / "index.html")[0]
    assert posting["title"].startswith('</title><script>alert("title")')


def test_the_written_pages_link_to_the_forms(sample_site: Path, tmp_path: Path) -> None:
    """设岗指南 and the FAQ link the online form, the template and /status; on the worker's own
    address root-relatively, and at WORKER_URL when the catalogue is hosted elsewhere."""
    guide = (sample_site / "for-units" / "index.html").read_text(encoding="utf-8")
    assert 'href="/submit"' in guide and 'href="/submit/template.xlsx"' in guide
    assert 'href="/status"' in (sample_site / "faq" / "index.html").read_text(encoding="utf-8")
    # Newcomer finding 4: the home page leads to 查询报名进度 itself, not only through the FAQ.
    home = (sample_site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="md-button" href="/status">查询报名进度</a>', home)
    project = make_project(tmp_path / "project", DATA / "valid" / "positions")
    build_site(
        load_catalogue(project),
        project,
        tmp_path / "site",
        today=TODAY,
        worker_url="https://forms.example.cn/",
    )
    elsewhere = (tmp_path / "site" / "for-units" / "index.html").read_text(encoding="utf-8")
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://forms.example.cn/status"' in home and 'href="/status"' not in home
    assert 'href="https://forms.example.cn/submit"' in elsewhere and 'href="/submit"' not in elsewhere
    position = position_html(tmp_path / "site", "demo-society/academic-assistant").read_text(encoding="utf-8")
    assert 'href="https://forms.example.cn/feedback/demo-society/academic-assistant"' in position


def test_the_written_pages_name_the_collection_deadline(sample_site: Path) -> None:
    """The guide, the home page and the FAQ name COLLECTION_CLOSES (default 30 June of 2026); built
    on TODAY, after it, the guide says late positions are the office's call."""
    guide = (sample_site / "for-units" / "index.html").read_text(encoding="utf-8")
    assert "岗位征集已于 2026 年 6 月 30 日 24:00（北京时间）截止。" in guide
    assert "由市项目办决定是否接收" in guide
    for page in ("index.html", "faq/index.html"):
        text = (sample_site / page).read_text(encoding="utf-8")
        assert "2026 年 6 月 30 日 24:00（北京时间）前" in text and "{{" not in text, page


def test_staged_pages_carry_a_configured_deadline_and_its_countdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLLECTION_CLOSES", "2027-06-30")
    project = make_project(tmp_path / "project", DATA / "valid" / "positions")
    site = Site(site_url="https://jianxi.example.org/", worker_url="", today=dt.date(2027, 6, 25))
    stage(load_catalogue(project), project, tmp_path / "docs", site, "见习")
    guide = (tmp_path / "docs" / "for-units.md").read_text(encoding="utf-8")
    assert "岗位征集工作请于 2027 年 6 月 30 日 24:00（北京时间）前完成。距岗位征集截止还有 5 天。" in guide
    faq = (tmp_path / "docs" / "faq.md").read_text(encoding="utf-8")
    assert "2027 年 6 月 30 日 24:00（北京时间）前" in faq


def test_an_unknown_setting_in_a_written_page_stops_the_build() -> None:
    settings = {"collection_closes": "2026 年 6 月 30 日"}
    assert fill_settings("请于 {{ collection_closes }}前", settings) == "请于 2026 年 6 月 30 日前"
    with pytest.raises(ValueError, match=r"faq.md: unknown setting \{\{ deadline \}\}"):
        fill_settings("{{ deadline }}", settings, "content/faq.md")


def test_build_is_strict(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", DATA / "valid" / "positions")
    (project / "content" / "faq.md").write_text("# 常见问题\n\n[坏链接](missing.md)\n", encoding="utf-8")
    with pytest.raises(Abort):
        build_site(load_catalogue(project), project, tmp_path / "site", today=TODAY)


def test_staged_docs_build_without_the_plugin(tmp_path: Path) -> None:
    """The portable path: `jianxi build --stage` output builds with plain MkDocs, bodies inline."""
    project = make_project(tmp_path / "project", DATA / "valid" / "positions")
    result = CliRunner().invoke(main, ["--root", str(project), "build", "--stage", str(tmp_path / "docs")])
    assert result.exit_code == 0, result.output
    page = tmp_path / "docs" / "positions" / "demo-society" / "academic-assistant.md"
    assert "立即报名" in page.read_text(encoding="utf-8")
    config = load_config(
        config_file=str(project / "mkdocs.yml"),
        docs_dir=str(tmp_path / "docs"),
        site_dir=str(tmp_path / "site"),
        strict=True,
    )
    mkdocs_build(config)
    html = position_html(tmp_path / "site", "demo-society/academic-assistant").read_text(encoding="utf-8")
    assert "立即报名" in html and "学术会议组织助理（示例）" in html


def test_the_home_page_is_a_job_board_above_the_programme_text(sample_site: Path, sample_catalogue) -> None:
    home = (sample_site / "index.html").read_text(encoding="utf-8")
    board = home.index('class="jx-board"')
    programme = re.search(r'<h2 id="[^"]*">见习计划是什么', home).start()
    assert home.index("岗位目录</h1>") < board < programme
    open_positions = [e for e in sample_catalogue.positions if e.position.state(TODAY) == "open"]
    assert f"<strong>{len(open_positions)}</strong> 个岗位正在招募" in home
    newest = max(open_positions, key=lambda e: (e.position.published, e.id))
    assert newest.position.title in home[board:]
    assert "按类型和区县找" in home and 'href="types/' in home and 'href="districts/' in home
    closing = [e for e in open_positions if (e.position.deadline - TODAY).days <= 7]
    assert ("7 天内截止" in home) == bool(closing)


def test_the_search_forms_work_without_javascript(sample_site: Path) -> None:
    """A submit button and an action that exists: without script every box leads to the listing."""
    for page, form_class in (("index.html", "jx-board__search"), ("positions/index.html", "jx-filters")):
        html = (sample_site / page).read_text(encoding="utf-8")
        form = re.search(rf'<form class="{form_class}"[^>]* action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
        assert form, page
        target = (sample_site / page).parent / form.group(1)
        assert (target / "index.html").resolve().is_file(), (page, form.group(1))
        assert 'type="submit"' in form.group(2) and 'name="q"' in form.group(2)
    # the header's search button on every page is a link to the same page
    html = (sample_site / "faq" / "index.html").read_text(encoding="utf-8")
    link = re.search(r'<a href="([^"]+)" class="md-header__button md-icon" title="搜索岗位"', html)
    assert link and ((sample_site / "faq") / link.group(1) / "index.html").resolve().is_file()
