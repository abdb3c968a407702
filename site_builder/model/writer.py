"""Write units and positions back to YAML, in the same shape as the hand-written sample files.

The spreadsheet import (and the form's publishing path) turn validated models into files with
these functions; reading a written file with the strict loader gives back an equal model.
"""

import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from .catalogue import SLUG, UNIT_FILE, load_catalogue, validate_document
from .loader import read_document
from .problem import Problem
from .schema import Position, Unit
from .vocab import POSITION_TYPES

# Long prose fields: always written as `|` blocks, as in the samples, so a clerk can edit them.
_PROSE_FIELDS = ("duties", "learning")


class _Block(str):
    """A string to be written as a literal block scalar."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that indents sequences under their key, as the sample files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


# YAML 1.1 line breaks besides \n. PyYAML writes them raw in single-quoted and block scalars, where
# they read back as newlines, so text holding one is double-quoted (they become \N, \L, \P escapes).
_UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(c in value for c in _UNICODE_BREAKS) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_block(dumper: yaml.SafeDumper, value: _Block) -> yaml.ScalarNode:
    # PyYAML falls back to a double-quoted scalar by itself when a block cannot hold the text exactly.
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="|")


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Block, _represent_block)


def _blocks(value: Any, key: str | None = None) -> Any:
    """Mark multi-line and prose strings as blocks; models strip text, so the added newline is inert."""
    if isinstance(value, dict):
        return {k: _blocks(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_blocks(v) for v in value]
    if isinstance(value, str) and any(c in value for c in _UNICODE_BREAKS):
        return value
    if isinstance(value, str) and ("\n" in value or key in _PROSE_FIELDS):
        return _Block(value + "\n")
    return value


def _dump(model: BaseModel, kind: str) -> str:
    # Python mode keeps dates as dates, which PyYAML writes unquoted (2026-07-01) like the samples.
    data = model.model_dump(mode="python", exclude_none=True)
    if data.get("sample") is False:
        del data["sample"]
    if data.get("tags") == []:
        del data["tags"]
    body = yaml.dump(
        _blocks(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=2**31, indent=2
    )
    return f"# yaml-language-server: $schema=../../schema/{kind}.schema.json\n{body}"


def unit_yaml(unit: Unit) -> str:
    """Return the text of a unit.yaml file for this unit."""
    return _dump(unit, "unit")


def position_yaml(position: Position) -> str:
    """Return the text of a position file for this position."""
    return _dump(position, "position")


def slugify_unique(title_or_hint: str, taken: Iterable[str]) -> str:
    """Return a new ASCII file name such as `academic-2`, not in taken.

    Titles are Chinese, so the name comes from the position type (学术助理 → academic); an ASCII
    hint is slugified as it is; anything else becomes `position`.
    """
    base = POSITION_TYPES.get(title_or_hint.strip())
    if base is None:
        base = re.sub(r"[^a-z0-9]+", "-", title_or_hint.lower()).strip("-") or "position"
    used = set(taken)
    number = 1
    while f"{base}-{number}" in used:
        number += 1
    return f"{base}-{number}"


def find_unit_folder(root: Path, credit_code: str) -> str | None:
    """Return the folder name under positions/ whose unit.yaml has this credit code, if any."""
    for path in sorted((root / "positions").glob(f"*/{UNIT_FILE}")):
        if path.is_symlink() or path.parent.is_symlink():
            continue  # never read through a link; the validator reports it
        data = read_document(str(path), path.read_bytes()).data
        if isinstance(data, dict) and str(data.get("credit_code", "")).strip().upper() == credit_code:
            return path.parent.name
    return None


def read_unit(path: Path) -> Unit | None:
    """Return the unit in a unit.yaml file, or None when it is missing or invalid."""
    if not path.is_file():
        return None
    unit, _ = validate_document(read_document(str(path), path.read_bytes()), Unit)
    return unit if isinstance(unit, Unit) else None


def unit_files(
    root: Path, unit_slug: str, unit: Unit, positions: Sequence[tuple[str | None, Position]]
) -> dict[str, str]:
    """Plan the files that put a unit and its positions into positions/<unit_slug>/.

    Each position comes with the file name it should replace, or None for a new file. The unit
    file is only included when it is new or differs from the one on disk. Returns relative
    path → text.
    """
    folder = root / "positions" / unit_slug
    files: dict[str, str] = {}
    if read_unit(folder / UNIT_FILE) != unit:
        files[f"positions/{unit_slug}/{UNIT_FILE}"] = unit_yaml(unit)
    taken = {p.stem for p in folder.glob("*.y*ml")} | {slug for slug, _ in positions if slug}
    for slug, position in positions:
        if slug is None:
            slug = slugify_unique(position.type, taken)
            taken.add(slug)
        files[f"positions/{unit_slug}/{slug}.yaml"] = position_yaml(position)
    return files


def write_validated(root: Path, files: dict[str, str]) -> list[Problem]:
    """Validate planned files in a staging copy; write them under root only if there is no problem.

    The written files are checked with the normal validator together with their unit.yaml, so
    what lands in positions/ is exactly what `jianxi validate` accepts.
    """
    for relative in files:
        parts = Path(relative).parts
        if len(parts) != 3 or parts[0] != "positions" or not SLUG.fullmatch(parts[1]):
            raise ValueError(f"not a file of a unit folder: {relative}")
    with tempfile.TemporaryDirectory() as stage_dir:
        stage = Path(stage_dir)
        for folder in {Path(relative).parent for relative in files}:
            (stage / folder).mkdir(parents=True)
            existing = root / folder / UNIT_FILE
            if existing.is_file():
                shutil.copy(existing, stage / folder / UNIT_FILE)
        for relative, text in files.items():
            (stage / relative).write_text(text, encoding="utf-8", newline="\n")
        problems = load_catalogue(stage, [stage / relative for relative in files]).problems
    if problems:
        return problems
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    return []
