"""Positions and units for publishing tests: the sample unit and position, a new unit, HEAD, a
copy of the sample project."""

import functools
import shutil
from pathlib import Path

from site_builder.model.catalogue import load_catalogue
from site_builder.model.credit_code import check_character
from site_builder.model.schema import Position, Unit
from tests.conftest import ROOT, git

SAMPLE_UNIT = "shili-youth-scitech-society"
SAMPLE_POSITION = f"{SAMPLE_UNIT}/academic-conference-assistant"
NEW_UNIT = "test-new-society"


def sample_project(folder: Path) -> Path:
    """A copy of the sample project (what the worker's positions repository holds) at folder."""
    folder.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    for name in ("content", "overrides", "positions"):
        shutil.copytree(ROOT / name, folder / name)
    return folder


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def credit_code(serial: int) -> str:
    first17 = f"515000007XJ{serial:06d}"
    return first17 + check_character(first17)


@functools.cache
def sample():
    return load_catalogue(ROOT)


def new_unit(serial: int = 1, name: str = "重庆市测试科技学会") -> Unit:
    unit = sample().units[SAMPLE_UNIT].unit
    return unit.model_copy(update={"name": name, "credit_code": credit_code(serial)})


def sample_position(**changes) -> Position:
    entry = next(e for e in sample().positions if e.id == SAMPLE_POSITION)
    return entry.position.model_copy(update=changes)
