"""The jianxi command line, as a clerk and CI run it."""

from pathlib import Path

from click.testing import CliRunner

from site_builder.cli import main
from site_builder.schema_file import SCHEMAS, schema_text
from tests.conftest import DATA, ROOT, make_project


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


def test_build_writes_the_site(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", DATA / "valid" / "positions")
    result = run("--root", str(project), "build", "--out", str(tmp_path / "site"))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "site" / "positions" / "demo-society" / "academic-assistant" / "index.html").is_file()


def test_committed_json_schema_is_current(tmp_path: Path) -> None:
    for name, model in SCHEMAS.items():
        assert (ROOT / "schema" / name).read_text(encoding="utf-8") == schema_text(model), (
            f"schema/{name} is stale: run `jianxi schema`"
        )
    result = run("--root", str(tmp_path), "schema")
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "schema").iterdir()) == sorted(SCHEMAS)
