"""Written YAML reads back as the same model, and looks like the hand-written sample files."""

import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from site_builder.model.catalogue import validate_document
from site_builder.model.loader import read_document
from site_builder.model.schema import Position, Unit
from site_builder.model.writer import (
    find_unit_folder,
    position_yaml,
    slugify_unique,
    unit_files,
    unit_yaml,
    write_validated,
)
from tests.conftest import DATA, ROOT

SAMPLE_FOLDERS = (ROOT / "positions", DATA / "valid", DATA / "hostile")
SAMPLES = sorted(path for folder in SAMPLE_FOLDERS for path in folder.rglob("*.yaml"))
HOSTILE = [
    '=HYPERLINK("http://evil.example","点我")',
    "- 看起来像列表",
    "键: 值",
    "# 看起来像注释",
    "'单引号'",
    '"双引号"',
    "yes",
    "null",
    "~",
    "2026-07-01",
    "0x1F",
    "1e3",
    "&anchor 锚点",
    "*alias",
    "!!python/object 标签",
    "%YAML 1.1",
    "---",
    "...",
    "a\tb 制表符",
    "第一行\n  缩进的第二行\n\n\n第五行",
    "行尾空格  \n下一行",
    "| 竖线开头",
    "> 大于号开头",
    "反斜杠\\",
    "{{ jinja }} {% raw %}",
    "<script>alert(1)</script>",
    "段落分隔\u2028符",
    "下一行\x85符",
    "段落\u2029分隔",
    "零宽\u200b空格",
    "表情😀",
    "\ufeff字节顺序标记",
    "控制字符\x00\x07\x1b",
    "12345678901",
    "@SUM(1+1)",
]


def _read(text: str, model: type[BaseModel]) -> BaseModel:
    document = read_document("x.yaml", text.encode("utf-8"))
    result, problems = validate_document(document, model)
    assert problems == [], [str(p) for p in problems]
    assert result is not None
    return result


def _model(path: Path) -> type[BaseModel]:
    return Unit if path.name == "unit.yaml" else Position


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_sample_file_round_trips(path: Path) -> None:
    model = _model(path)
    loaded = _read(path.read_text(encoding="utf-8"), model)
    text = unit_yaml(loaded) if model is Unit else position_yaml(loaded)  # type: ignore[arg-type]
    assert _read(text, model) == loaded


def test_repository_samples_are_written_byte_for_byte() -> None:
    for path in (ROOT / "positions").rglob("*.yaml"):
        original = path.read_text(encoding="utf-8")
        loaded = _read(original, _model(path))
        written = unit_yaml(loaded) if isinstance(loaded, Unit) else position_yaml(loaded)  # type: ignore[arg-type]
        assert written == original, path


def _sample_position() -> Position:
    path = DATA / "valid" / "positions" / "demo-society" / "academic-assistant.yaml"
    return _read(path.read_text(encoding="utf-8"), Position)  # type: ignore[return-value]


def _with(position: Position, **changes: object) -> Position:
    """A copy of position with changes, validated like a file would be."""
    return Position.model_validate({**position.model_dump(), **changes})


# Texts the model refuses in one-line fields (line breaks, tabs, control characters); the ones
# without a C0 control character other than tab and line feed are still fine in long texts.
MULTI_LINE = {text for text in HOSTILE if re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", text)}
CONTROL = {text for text in HOSTILE if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)}


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_round_trips_exactly(hostile: str) -> None:
    base = _sample_position()
    line = "普通的一行" if hostile in MULTI_LINE else hostile
    position = _with(
        base,
        title=line,
        duties=("没有控制字符" if hostile in CONTROL else hostile) + "。这是岗位职责的说明文字。",
        majors=[line, "不限"],
        mentors=[{"name": line, "title": line}],
    )
    assert position.title == line
    text = position_yaml(position)
    assert _read(text, Position) == position


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(min_size=1, max_size=200))
def test_any_text_round_trips(value: str) -> None:
    base = _sample_position()
    try:
        position = _with(base, title=value, learning=value + "，见习收获的说明文字。")
    except ValidationError:
        assume(False)
    assert _read(position_yaml(position), Position) == position


def test_written_file_shape() -> None:
    position = _with(_sample_position(), tags=[], contact=None, sample=False)
    text = position_yaml(position)
    assert text.startswith("# yaml-language-server: $schema=../../schema/position.schema.json\ntitle: ")
    assert "\nduties: |\n  协助策划" in text
    assert "\nmentors:\n  - name: 李示例\n" in text
    assert "\nstart_date: 2027-07-01\n" in text
    assert "\nstatus: open\n" in text
    for absent in ("tags:", "contact:", "sample:"):
        assert absent not in text


def test_unit_without_website_leaves_it_out() -> None:
    path = DATA / "valid" / "positions" / "demo-society" / "unit.yaml"
    unit = _read(path.read_text(encoding="utf-8"), Unit)
    text = unit_yaml(unit.model_copy(update={"website": None}))  # type: ignore[union-attr]
    assert text.startswith("# yaml-language-server: $schema=../../schema/unit.schema.json\nname: ")
    assert "website" not in text


def test_slugify_unique_uses_the_type_key() -> None:
    assert slugify_unique("学术助理", set()) == "academic-1"
    assert slugify_unique("科普助理", {"outreach-1"}) == "outreach-2"
    assert slugify_unique("科普助理", {"outreach-1", "outreach-3"}) == "outreach-2"
    assert slugify_unique("Lab Tour!", set()) == "lab-tour-1"
    assert slugify_unique("中文标题", {"position-1"}) == "position-2"


def test_unit_files_and_write_validated(tmp_path: Path) -> None:
    folder = tmp_path / "positions" / "demo-society"
    folder.mkdir(parents=True)
    source = DATA / "valid" / "positions" / "demo-society"
    (folder / "unit.yaml").write_bytes((source / "unit.yaml").read_bytes())
    (folder / "academic-1.yaml").write_bytes((source / "academic-assistant.yaml").read_bytes())
    assert find_unit_folder(tmp_path, "91110000600037341L") == "demo-society"
    assert find_unit_folder(tmp_path, "91500112MA5U00001H") is None
    unit = _read((source / "unit.yaml").read_text(encoding="utf-8"), Unit)
    position = _sample_position()
    files = unit_files(tmp_path, "demo-society", unit, [(None, position), ("kept-name", position)])  # type: ignore[arg-type]
    # The unit is unchanged, so its file is not rewritten; academic-1 is taken.
    assert sorted(files) == [
        "positions/demo-society/academic-2.yaml",
        "positions/demo-society/kept-name.yaml",
    ]
    assert write_validated(tmp_path, files) == []
    assert (folder / "academic-2.yaml").read_text(encoding="utf-8") == position_yaml(position)

    text = position_yaml(position).replace("headcount: 2", "headcount: 0")
    broken = {"positions/demo-society/broken.yaml": text}
    problems = write_validated(tmp_path, broken)
    assert [str(p) for p in problems] == ["positions/demo-society/broken.yaml:8:1: headcount: 不能小于 1"]
    assert not (folder / "broken.yaml").exists()
