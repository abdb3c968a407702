"""The jianxi command line, as a clerk and CI run it."""

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from site_builder import cli
from site_builder.cli import main
from site_builder.schema_file import SCHEMAS, schema_text
from tests.conftest import DATA, ROOT, git, make_project
from tests.site_builder.spreadsheet.workbooks import POSITION, UNIT, fill


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_validate_passes_on_valid_tree() -> None:
    result = run("--root", str(DATA / "valid"), "validate")
    assert result.exit_code == 0
    assert "1 家单位，1 个岗位" in result.stdout


def test_validate_reports_every_problem_and_fails() -> None:
    case = DATA / "invalid" / "unit-credit-code-check"
    result = run("--root", str(case), "validate", str(case))
    assert result.exit_code == 1
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    assert result.stderr.startswith(expected)
    assert "发现 1 处错误" in result.stderr


def test_new_position_template_validates_once_filled_in(tmp_path: Path) -> None:
    result = run("--root", str(tmp_path), "new-position", "my-unit")
    assert result.exit_code == 0
    folder = tmp_path / "positions" / "my-unit"
    assert sorted(p.name for p in folder.iterdir()) == ["position-1.yaml", "unit.yaml"]
    unfilled = run("--root", str(tmp_path), "validate")
    assert unfilled.exit_code == 1
    assert "还没有填写" in unfilled.stderr
    fills = {
        "name: 待填写\n": "name: 示例单位\n",
        "credit_code: 待填写": "credit_code: 91110000600037341L",
        "address: 待填写": "address: 重庆市渝中区示例路 2 号",
        "bureau: 待填写（如 重庆市渝中区人力资源和社会保障局）": "bureau: 重庆市渝中区人力资源和社会保障局",
        "phone: 待填写": "phone: 023-63000002",
        "email: 待填写": "email: clerk@example.com",
        "name: 待填写": "name: 王示例",
        "title: 待填写（职务或职称）": "title: 工程师",
        "title: 待填写": "title: 见习助理",
        "待填写：见习生每天做什么。": "整理会议资料，联系参会专家，维护会员信息。",
        "待填写：见习生能掌握哪些能力。": "掌握会议组织流程和基本的数据整理方法。",
    }
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        for old, new in fills.items():
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    filled = run("--root", str(tmp_path), "validate")
    assert filled.stderr == ""
    assert filled.exit_code == 0
    assert run("--root", str(tmp_path), "new-position", "my-unit").exit_code == 0
    assert (folder / "position-2.yaml").is_file()


ON_TIME = "岗位征集工作请于 2027 年 6 月 30 日 24:00（北京时间）前完成。"


@pytest.mark.parametrize(
    ("today", "said"),
    [
        (dt.date(2027, 6, 20), f"# {ON_TIME}距岗位征集截止还有 10 天。\n"),
        (dt.date(2027, 5, 1), f"# {ON_TIME}\n"),
        (dt.date(2027, 7, 1), "# 岗位征集已于 2027 年 6 月 30 日 24:00（北京时间）截止。"),
    ],
)
def test_the_templates_name_the_configured_collection_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, today: dt.date, said: str
) -> None:
    monkeypatch.setenv("COLLECTION_CLOSES", "2027-06-30")
    monkeypatch.setattr(cli, "today_in_chongqing", lambda: today)
    assert run("--root", str(tmp_path), "new-position", "my-unit").exit_code == 0
    for name in ("position-1.yaml", "unit.yaml"):
        assert said in (tmp_path / "positions" / "my-unit" / name).read_text(encoding="utf-8"), name


def test_a_bad_collection_deadline_stops_the_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLLECTION_CLOSES", "2027-06-31")
    for command in (["new-position", "my-unit"], ["build", "--stage", str(tmp_path / "docs")]):
        result = CliRunner().invoke(main, ["--root", str(ROOT), *command])
        assert result.exit_code == 2 and "COLLECTION_CLOSES must be a date" in result.output, command
    assert not (tmp_path / "docs").exists() and not (ROOT / "positions" / "my-unit").exists()


def test_new_position_refuses_a_bad_unit_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "new-position", "My Unit"])
    assert result.exit_code == 2
    assert "小写英文字母" in result.output


def test_build_refuses_invalid_positions(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", DATA / "invalid" / "position-mentor-limit")
    out = tmp_path / "site"
    result = run("--root", str(project), "build", "--out", str(out))
    assert result.exit_code == 1
    assert "headcount: 招收 4 人至少需要 2 名导师" in result.stderr
    assert "未构建网站" in result.stderr
    assert not out.exists()


def test_build_writes_the_site_at_the_catalogue_address(tmp_path: Path) -> None:
    """Issue 21: positions.json, the posters' QR codes and the 404 page's links used mkdocs.yml's
    site_url wherever the catalogue was served; the build takes CATALOGUE_URL."""
    project = make_project(tmp_path / "p", DATA / "valid" / "positions")
    address = "https://jianxi.example.cn/catalogue/"
    args = ["--root", str(project), "build", "--out", str(tmp_path / "site")]
    result = CliRunner().invoke(main, args, env={"CATALOGUE_URL": address}, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    site = tmp_path / "site"
    page = site / "positions" / "demo-society" / "academic-assistant"
    assert (page / "index.html").is_file()
    urls = [p["url"] for p in json.loads((site / "positions.json").read_text(encoding="utf-8"))["positions"]]
    assert urls and all(url.startswith(address + "positions/") for url in urls)
    assert f"{address}positions/demo-society/academic-assistant/" in (page / "poster.html").read_text("utf-8")
    assert f'<a href="{address}positions/">' in (site / "404.html").read_text(encoding="utf-8")
    assert "127.0.0.1:8000" not in (site / "sitemap.xml").read_text(encoding="utf-8")


def test_committed_json_schema_is_current(tmp_path: Path) -> None:
    for name, model in SCHEMAS.items():
        assert (ROOT / "schema" / name).read_text(encoding="utf-8") == schema_text(model), (
            f"schema/{name} is stale: run `jianxi schema`"
        )
    result = run("--root", str(tmp_path), "schema")
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "schema").iterdir()) == sorted(SCHEMAS)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_xlsx_template_is_written(tmp_path: Path) -> None:
    out = tmp_path / "征集表.xlsx"
    result = run("xlsx-template", "--out", str(out))
    assert result.exit_code == 0
    assert load_workbook(out).sheetnames == ["单位信息", "岗位", "选项"]


def test_import_xlsx_writes_a_new_unit_that_validates(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", DATA / "valid" / "positions")
    unit = {**UNIT, "单位名称": "重庆示例汽车零部件有限公司科学技术协会（示例）",
            "统一社会信用代码": "91500112MA5U00001H", "单位类别": "企业科协"}  # fmt: skip
    second = {**POSITION, "岗位名称": "科普讲解助理（示例）", "岗位类型": "科普助理"}
    workbook = tmp_path / "岗位征集表.xlsx"
    workbook.write_bytes(fill(unit, [POSITION, second]))
    result = run("--root", str(project), "import-xlsx", str(workbook))
    assert result.exit_code == 0, result.stderr
    folder = project / "positions" / "unit-91500112ma5u00001h"
    assert sorted(p.name for p in folder.iterdir()) == ["academic-1.yaml", "outreach-1.yaml", "unit.yaml"]
    assert "已写入 positions/unit-91500112ma5u00001h/outreach-1.yaml" in result.stdout
    text = (folder / "outreach-1.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/position.schema.json\n")
    assert "title: 科普讲解助理（示例）\n" in text
    validated = run("--root", str(project), "validate")
    assert validated.exit_code == 0, validated.stderr
    assert "2 家单位，3 个岗位" in validated.stdout


def test_export_edit_import_updates_the_same_files(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    exported = tmp_path / "导出.xlsx"
    result = run("--root", str(project), "export-xlsx", "--unit", "shili-biopharma", "--out", str(exported))
    assert result.exit_code == 0, result.stderr
    before = _files(project / "positions")
    workbook = load_workbook(exported)
    sheet = workbook["岗位"]
    headers = [c.value for c in sheet[1]]
    ids = [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)]
    edited = ids.index("shili-biopharma/lab-experience") + 2
    sheet.cell(edited, headers.index("招收人数") + 1).value = 1
    workbook.save(exported)
    result = run("--root", str(project), "import-xlsx", str(exported))
    assert result.exit_code == 0, result.stderr
    assert "单位信息未变" in result.stdout
    after = _files(project / "positions")
    assert sorted(after) == sorted(before)
    changed = [name for name in after if after[name] != before[name]]
    assert changed == ["shili-biopharma/lab-experience.yaml"]
    assert "\nheadcount: 1\n" in after["shili-biopharma/lab-experience.yaml"].decode("utf-8")
    assert run("--root", str(project), "validate").exit_code == 0


def test_import_of_a_broken_workbook_writes_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", DATA / "valid" / "positions")
    before = _files(project)
    rows = [{**POSITION, "岗位类型": "助理"}, POSITION, {**POSITION, "每月生活费（元）": "2600元"},
            {**POSITION, "最低学历": "高中"}]  # fmt: skip
    workbook = tmp_path / "征集表.xlsx"
    workbook.write_bytes(fill(UNIT, rows))
    result = run("--root", str(project), "import-xlsx", str(workbook))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "征集表.xlsx:岗位:第2行:B列（岗位类型）: "
        "应为以下之一：学术助理、科普助理、编辑助理、科创助理、国际助理",
        "征集表.xlsx:岗位:第4行:AE列（每月生活费（元））: 应填写整数（不要带单位、逗号或小数点）",
        "征集表.xlsx:岗位:第5行:AB列（最低学历）: 应为以下之一：专科、本科、硕士、博士",
        "发现 3 处错误，未写入任何文件。",
    ]
    assert _files(project) == before


def test_validate_changed_checks_only_what_changed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", DATA / "valid" / "positions")
    # An invalid folder nobody touches: CI for someone else's pull request must not report it.
    shutil.copytree(DATA / "invalid" / "position-type" / "demo", project / "positions" / "old-unit")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")

    result = run("--root", str(project), "validate", "--changed", "HEAD")
    assert result.exit_code == 0
    assert "没有改动的文件" in result.stdout

    position = project / "positions" / "demo-society" / "academic-assistant.yaml"
    position.write_text(position.read_text(encoding="utf-8").replace("headcount: 2", "headcount: 0"), "utf-8")
    (project / "positions" / "old-unit" / "unit.yaml").unlink()  # deleted files are ignored
    result = run("--root", str(project), "validate", "--changed", "HEAD")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "positions/demo-society/academic-assistant.yaml:8:1: headcount: 不能小于 1",
        "发现 1 处错误。",
    ]

    position.write_text(position.read_text(encoding="utf-8").replace("headcount: 0", "headcount: 2"), "utf-8")
    shutil.copy(position, position.with_name("second.yaml"))  # new, not yet committed
    result = run("--root", str(project), "validate", "--changed", "HEAD")
    assert result.exit_code == 0, result.stderr
    # The restored file equals HEAD again; the new file and its unit are checked.
    assert "改动的 1 个文件" in result.stdout and "1 家单位，1 个岗位" in result.stdout


def test_validate_changed_names_a_bad_revision(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", DATA / "valid" / "positions")
    git(project, "init", "-q")
    result = CliRunner().invoke(main, ["--root", str(project), "validate", "--changed", "no-such-rev"])
    assert result.exit_code == 1
    assert "无法与 git 版本 no-such-rev 比较" in result.output
    result = CliRunner().invoke(main, ["--root", str(project), "validate", "--changed", "HEAD", str(project)])
    assert result.exit_code == 2


def test_symlinks_under_positions_are_refused_never_followed(tmp_path: Path) -> None:
    """A pull request adding only a symlinked unit folder, or a position linked to a file outside the
    repository, fails validation (full and --changed) without reading through the link."""
    project = make_project(tmp_path / "p", DATA / "valid" / "positions")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    outside = tmp_path / "outside"
    shutil.copytree(DATA / "invalid" / "position-type" / "demo", outside)
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n", encoding="utf-8")
    (project / "positions" / "linked-unit").symlink_to(outside, target_is_directory=True)
    (project / "positions" / "demo-society" / "linked.yaml").symlink_to(secret)
    refused = "不允许符号链接：岗位文件和单位目录必须是仓库里的普通文件和目录"
    expected = [
        f"positions/demo-society/linked.yaml:1:1: -: {refused}",
        f"positions/linked-unit:1:1: -: {refused}",
    ]
    full = run("--root", str(project), "validate")
    assert full.exit_code == 1
    assert full.stderr.splitlines()[:-1] == expected
    assert "password" not in full.stderr and "岗位类型" not in full.stderr

    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "links")
    changed = run("--root", str(project), "validate", "--changed", "HEAD~1")
    assert changed.exit_code == 1
    assert changed.stderr.splitlines()[:-1] == expected
