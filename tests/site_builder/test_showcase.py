"""The 成果展示 page: built from showcase/ files, in the navigation, readable without JavaScript; the
files validated by `jianxi validate` like positions (the failing fixtures are in tests/data/invalid)."""

from pathlib import Path

from click.testing import CliRunner

from site_builder.build import build_site
from site_builder.cli import main
from site_builder.model.catalogue import load_catalogue
from tests.conftest import TODAY
from tests.helpers.positions import sample_project
from tests.helpers.showcase import CASE, write_showcase


def test_the_page_shows_the_cases_and_the_years_figures(tmp_path: Path) -> None:
    repo = sample_project(tmp_path / "repo")
    write_showcase(repo)
    catalogue = load_catalogue(repo)
    assert catalogue.problems == []
    assert [c.case.intern for c in catalogue.showcase.cases] == ["王同学"]
    build_site(catalogue, repo, tmp_path / "site", today=TODAY)
    page = (tmp_path / "site" / "showcase" / "index.html").read_text(encoding="utf-8")
    body = page[page.index('<article class="md-content__inner') :]
    assert "<h1" in body and "成果展示" in body
    assert "在科普一线成长（示例）" in body and "示例科技馆 · 科普助理 · 王同学" in body
    assert "<p>导师评价她“能把复杂的知识讲得有趣”。</p>" in body
    assert "上岗见习</dt><dd>40 人" in body and "（完成率 90%）" in body
    assert '<th scope="row">留用</th><td>10</td><td>28%</td>' in body
    # Static HTML: nothing on the page needs a script to be read; every page links it in the nav.
    assert "<script" not in body.split("</article>")[0]
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="showcase/"' in home


def test_without_files_the_page_says_so(tmp_path: Path) -> None:
    repo = sample_project(tmp_path / "repo")
    build_site(load_catalogue(repo), repo, tmp_path / "site", today=TODAY)
    page = (tmp_path / "site" / "showcase" / "index.html").read_text(encoding="utf-8")
    assert "暂无成果展示" in page


def test_a_case_cannot_carry_markup(tmp_path: Path) -> None:
    repo = sample_project(tmp_path / "repo")
    marked = CASE.replace("title: 在科普一线成长（示例）", "title: <script>alert(1)</script>示例")
    write_showcase(repo, marked)
    build_site(load_catalogue(repo), repo, tmp_path / "site", today=TODAY)
    page = (tmp_path / "site" / "showcase" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;示例" in page


def test_validate_reports_showcase_problems_as_file_line_field(tmp_path: Path) -> None:
    repo = sample_project(tmp_path / "repo")
    write_showcase(repo, CASE.replace("intern: 王同学\n", "intern: 王同学\nphone: '13800001234'\n"))
    result = CliRunner().invoke(main, ["--root", str(repo), "validate"])
    assert result.exit_code == 1
    assert "showcase/2026/kepu-shili.yaml:6:1: phone: 不认识的字段，请检查拼写或删去" in result.output
    build = CliRunner().invoke(main, ["--root", str(repo), "build", "--out", str(tmp_path / "site")])
    assert build.exit_code == 1 and not (tmp_path / "site").exists()


def test_validate_counts_the_showcase(tmp_path: Path) -> None:
    repo = sample_project(tmp_path / "repo")
    write_showcase(repo)
    result = CliRunner().invoke(main, ["--root", str(repo), "validate", str(repo / "showcase")])
    assert result.exit_code == 0, result.output
    assert "1 个成果展示案例，1 份年度数据" in result.output
