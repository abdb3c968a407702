"""Load and validate the positions/ tree: one folder per unit, one YAML file per position.

This is the validator behind `jianxi validate`, the site build and (later) the forms: it returns
every problem at once instead of stopping at the first, because a clerk fixes a file in one go.
"""

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from .loader import Document, read_document
from .messages import chinese_message, field_path
from .problem import Problem
from .schema import Position, Unit
from .showcase import FOLDER as SHOWCASE
from .showcase import Showcase, load_showcase

UNIT_FILE = "unit.yaml"
SUFFIXES = (".yaml", ".yml")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class UnitEntry:
    slug: str
    path: str
    unit: Unit


@dataclass(frozen=True)
class PositionEntry:
    id: str
    slug: str
    unit_slug: str
    path: str
    position: Position


@dataclass
class Catalogue:
    units: dict[str, UnitEntry] = field(default_factory=dict)
    positions: list[PositionEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # The showcase (成果展示) files, validated with the positions and built into one page.
    showcase: Showcase = field(default_factory=Showcase)


def validate_document(document: Document, model: type[M]) -> tuple[M | None, list[Problem]]:
    """Validate parsed data against a model, mapping each error to the line it comes from."""
    if document.problems or document.data is None:
        return None, document.problems
    try:
        return model.model_validate(document.data), []
    except ValidationError as error:
        problems = []
        for detail in error.errors(include_url=False):
            line, column = document.locate(detail["loc"])
            name = field_path(detail["loc"])
            problems.append(Problem(document.path, line, column, name, chinese_message(detail)))
        return None, problems


SYMLINK_MESSAGE = "不允许符号链接：岗位文件和单位目录必须是仓库里的普通文件和目录"


def symlink_on_the_way(path: Path, root: Path) -> Path | None:
    """The first symlink among path and its folders up to root, or None: a link could make the
    validator read, or publishing write, a file outside the repository."""
    path, root = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    for step in (path, *path.parents):
        if step == root or root not in step.parents:
            return None
        if step.is_symlink():
            return step
    return None


def _yaml_files(paths: Iterable[Path], root: Path) -> tuple[list[Path], set[Path]]:
    """The YAML files under paths, and every symlink met on the way (never followed)."""
    found: set[Path] = set()
    links: set[Path] = set()
    for path in paths:
        link = symlink_on_the_way(path, root) or (path if path.is_symlink() else None)
        if link is not None:
            links.add(link)
        elif path.is_dir():
            for folder, folders, names in os.walk(path):
                for name in folders + names:
                    entry = Path(folder) / name
                    if entry.is_symlink():
                        links.add(entry)
                    elif name in names and entry.suffix.lower() in SUFFIXES:
                        found.add(entry)
        else:
            found.add(path)
    return sorted(found), links


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def load_catalogue(
    root: Path, paths: Iterable[Path] | None = None, overlay: Mapping[Path, bytes] | None = None
) -> Catalogue:
    """Validate the given files and folders (default: root/positions and root/showcase) and load
    what is valid; files under root/showcase are showcase files (site_builder.model.showcase).

    `overlay` maps paths under root to the bytes they would hold: the catalogue is validated as if
    they were written (new files join the folders given), without writing anything.
    """
    catalogue = Catalogue()
    given = list(paths) if paths is not None else [root / "positions"]
    if paths is None and (root / SHOWCASE).exists():
        given.append(root / SHOWCASE)
    contents = overlay or {}
    found, links = _yaml_files(given, root)
    added = {path for path in contents if any(_within(path, place) for place in given)}
    # A folder that only the overlay creates is not on disk: its files come from the overlay.
    new_folders = {path for path in found if not path.exists() and any(path in a.parents for a in added)}
    files = sorted((set(found) - new_folders) | added)
    showcase_root = Path(os.path.abspath(root / SHOWCASE))
    cases = [f for f in files if showcase_root in Path(os.path.abspath(f)).parents]
    if cases:
        catalogue.showcase = load_showcase([(_display(f, root), _read(f, contents)) for f in cases])
        catalogue.problems.extend(catalogue.showcase.problems)
        files = [f for f in files if f not in cases]
    for link in sorted(links):
        shown = os.path.relpath(os.path.abspath(link), os.path.abspath(root))
        catalogue.problems.append(Problem(shown, 1, 1, "-", SYMLINK_MESSAGE))
    unit_files = {f for f in files if f.name == UNIT_FILE}
    # A position is checked against its unit folder even when only the position file was named.
    for folder in {f.parent for f in files} - {f.parent for f in unit_files}:
        if (folder / UNIT_FILE).is_symlink():
            shown = os.path.relpath(os.path.abspath(folder / UNIT_FILE), os.path.abspath(root))
            catalogue.problems.append(Problem(shown, 1, 1, "-", SYMLINK_MESSAGE))
        elif (folder / UNIT_FILE).is_file():
            unit_files.add(folder / UNIT_FILE)
    for path in sorted(unit_files):
        _load_unit(catalogue, path, root, contents)
    seen: dict[str, str] = {}
    for path in files:
        if path.name != UNIT_FILE:
            _load_position(catalogue, path, root, seen, contents)
    catalogue.problems.sort()
    return catalogue


def _within(path: Path, given: Path) -> bool:
    """Whether path is given, or lies in the folder given."""
    return path == given or given in path.parents


def _read(path: Path, contents: Mapping[Path, bytes]) -> bytes:
    """What the file holds, or would hold once the overlay is written."""
    return contents[path] if path in contents else path.read_bytes()


def _load_unit(catalogue: Catalogue, path: Path, root: Path, contents: Mapping[Path, bytes]) -> None:
    shown = _display(path, root)
    slug = path.parent.name
    if not SLUG.fullmatch(slug):
        message = f"单位目录名“{slug}”不合规：只能用小写英文字母、数字和连字符（-）"
        catalogue.problems.append(Problem(shown, 1, 1, "-", message))
        return
    unit, problems = validate_document(read_document(shown, _read(path, contents)), Unit)
    catalogue.problems.extend(problems)
    if unit is not None:
        catalogue.units[slug] = UnitEntry(slug, shown, unit)


def _load_position(
    catalogue: Catalogue, path: Path, root: Path, seen: dict[str, str], contents: Mapping[Path, bytes]
) -> None:
    shown = _display(path, root)
    unit_slug, slug = path.parent.name, path.stem
    if path.suffix == ".yml" and slug == "unit":
        catalogue.problems.append(Problem(shown, 1, 1, "-", "单位文件应命名为 unit.yaml"))
        return
    if not (SLUG.fullmatch(slug) and SLUG.fullmatch(unit_slug)):
        message = (
            f"文件路径“{unit_slug}/{path.name}”不合规：目录名和文件名只能用小写英文字母、数字和连字符（-）"
        )
        catalogue.problems.append(Problem(shown, 1, 1, "-", message))
        return
    position_id = f"{unit_slug}/{slug}"
    if position_id in seen:
        message = f"岗位编号 {position_id} 已被 {seen[position_id]} 使用，请换一个文件名"
        catalogue.problems.append(Problem(shown, 1, 1, "-", message))
        return
    seen[position_id] = shown
    if not ((path.parent / UNIT_FILE).is_file() or path.parent / UNIT_FILE in contents):
        message = f"单位目录 {unit_slug} 中缺少 unit.yaml"
        catalogue.problems.append(Problem(shown, 1, 1, "-", message))
    position, problems = validate_document(read_document(shown, _read(path, contents)), Position)
    catalogue.problems.extend(problems)
    if position is not None and unit_slug in catalogue.units:
        catalogue.positions.append(PositionEntry(position_id, slug, unit_slug, shown, position))


def reload(
    catalogue: Catalogue, root: Path, changed: Iterable[str], overlay: Mapping[Path, bytes] | None = None
) -> Catalogue:
    """The catalogue with the files changed (paths under root, as git names them) read again: from
    the working tree, or from overlay where it holds a path; a path in neither is gone.

    Only those files are parsed, so a commit of one position costs one file, not 5,000. Units and
    positions stay in the order a full load gives them. Problems are those of the files read again.
    A change under showcase/ reads the whole showcase again (a few files a year).
    """
    contents = overlay or {}
    names = list(changed)
    showcase = catalogue.showcase
    if any(Path(name).parts[:1] == (SHOWCASE,) for name in names):
        showcase = load_catalogue(root, [root / SHOWCASE] if (root / SHOWCASE).is_dir() else []).showcase
        names = [name for name in names if Path(name).parts[:1] != (SHOWCASE,)]
    paths = {root / name for name in names}
    present = sorted(path for path in paths if path in contents or path.is_file())
    fresh = load_catalogue(root, present, contents) if present else Catalogue()
    gone_units = {path.parent.name for path in paths if path.name == UNIT_FILE} - set(fresh.units)
    touched = {_display(path, root) for path in paths}
    units = {slug: entry for slug, entry in catalogue.units.items() if slug not in gone_units}
    units.update(fresh.units)
    positions = {
        entry.path: entry
        for entry in catalogue.positions
        if entry.path not in touched and entry.unit_slug in units
    }
    positions.update((entry.path, entry) for entry in fresh.positions)
    return Catalogue(
        units=dict(sorted(units.items(), key=lambda item: Path(item[1].path))),
        positions=[positions[path] for path in sorted(positions, key=Path)],
        problems=sorted(fresh.problems + (showcase.problems if showcase is not catalogue.showcase else [])),
        showcase=showcase,
    )
