"""Every schema and layout rule has a failing fixture with the exact lines it must produce."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from site_builder.model.catalogue import load_catalogue
from site_builder.model.schema import Position, Unit
from tests.conftest import DATA, ROOT

INVALID = sorted(p for p in (DATA / "invalid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_invalid_fixture_reports_exact_lines(case: Path) -> None:
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    catalogue = load_catalogue(case, [case])
    assert [str(p) for p in catalogue.problems] == expected


def test_valid_fixture_loads_everything() -> None:
    root = DATA / "valid"
    catalogue = load_catalogue(root)
    assert catalogue.problems == []
    assert list(catalogue.units) == ["demo-society"]
    assert [p.id for p in catalogue.positions] == ["demo-society/academic-assistant"]
    position = catalogue.positions[0].position
    assert position.headcount == 2
    assert position.start_date.isoformat() == "2027-07-01"


def test_repository_sample_catalogue_is_valid_and_complete(sample_catalogue) -> None:
    units = sample_catalogue.units.values()
    positions = [e.position for e in sample_catalogue.positions]
    assert len(units) >= 8 and len(positions) >= 30
    assert len({u.unit.category for u in units}) >= 5
    assert len({u.unit.district for u in units}) >= 6
    assert {p.type for p in positions} == {"学术助理", "科普助理", "编辑助理", "科创助理", "国际助理"}
    assert {p.track for p in positions} == {"科技见习", "职业体验"}
    assert {p.status for p in positions} >= {"open", "closed"}
    assert all(u.unit.sample and "示例" in u.unit.name for u in units)
    assert all(p.sample and "示例" in p.title for p in positions)


def test_sample_files_point_editors_at_the_schema() -> None:
    for path in (ROOT / "positions").rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        kind = "unit" if path.name == "unit.yaml" else "position"
        assert first == f"# yaml-language-server: $schema=../../schema/{kind}.schema.json", path


def test_problems_in_many_files_are_all_reported_at_once() -> None:
    cases = [DATA / "invalid" / "position-type", DATA / "invalid" / "unit-phone"]
    catalogue = load_catalogue(DATA / "invalid", cases)
    # Both cases use the folder name "demo", so their position files also share an id.
    assert [p.field for p in catalogue.problems] == ["type", "-", "contact.phone"]
    assert "岗位编号 demo/position 已被" in catalogue.problems[1].message


@pytest.mark.parametrize(
    "value", ["重庆市\n示例学会", "重庆市\r示例学会", "重庆市\t示例学会", "示例\u2028学会", "示例\x00学会"]
)
def test_one_line_fields_refuse_line_breaks_and_control_characters(value: str) -> None:
    """A unit name with a line break once forged an `Approved-by:` line in a publishing commit."""
    unit = load_catalogue(ROOT).units["shili-youth-scitech-society"].unit
    data = unit.model_dump(mode="json", exclude_none=True) | {"name": value}
    with pytest.raises(ValidationError) as refused:
        Unit.model_validate(data)
    assert [error["type"] for error in refused.value.errors()] == ["one_line"]


def test_long_texts_keep_line_breaks_but_refuse_control_characters(sample_catalogue) -> None:
    position = sample_catalogue.positions[0].position
    data = position.model_dump(mode="json", exclude_none=True)
    assert Position.model_validate(data | {"duties": "第一行职责说明。\n第二行职责说明。"})
    with pytest.raises(ValidationError, match="控制字符"):
        Position.model_validate(data | {"duties": "第一行职责说明。\x1b第二行职责说明。"})


def test_an_overlay_is_validated_as_if_written_and_nothing_is_written(tmp_path: Path) -> None:
    """Publishing's dry run: files that would be written join their folder, in memory only."""
    source = DATA / "valid" / "positions" / "demo-society"
    folder = tmp_path / "positions" / "demo-society"
    folder.mkdir(parents=True)
    for path in source.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    good = (folder / "academic-assistant.yaml").read_bytes()
    overlay = {
        folder / "second.yaml": good,
        folder / "broken.yaml": "title: 只有标题\n".encode(),
        tmp_path / "positions" / "new-unit" / "unit.yaml": (folder / "unit.yaml").read_bytes(),
    }
    checked = load_catalogue(tmp_path, [folder, tmp_path / "positions" / "new-unit"], overlay)
    assert [p.id for p in checked.positions] == ["demo-society/academic-assistant", "demo-society/second"]
    assert sorted(checked.units) == ["demo-society", "new-unit"]
    assert {p.path for p in checked.problems} == {"positions/demo-society/broken.yaml"}
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in source.iterdir())
    assert not (tmp_path / "positions" / "new-unit").exists()
