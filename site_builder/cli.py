"""The jianxi command line: thin shells around the model and the build."""

import datetime as dt
import subprocess  # nosec B404  # runs git with fixed argument lists
import sys
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import NoReturn

import click
from jinja2 import Environment, PackageLoader, StrictUndefined

from .build import build_site, load_site_config, site_for, stage
from .clock import today_in_chongqing
from .model.catalogue import SLUG, SUFFIXES, UNIT_FILE, Catalogue, load_catalogue
from .model.problem import Problem
from .model.window import collection_closes, collection_sentence
from .model.writer import find_unit_folder, unit_files, write_validated
from .schema_file import write_schemas
from .spreadsheet import (
    EXPORT_NAME,
    TEMPLATE_NAME,
    export_workbook,
    read_import,
    template_workbook,
    workbook_bytes,
)


def _report(catalogue: Catalogue) -> None:
    for problem in catalogue.problems:
        click.echo(str(problem), err=True)
    if catalogue.problems:
        click.echo(f"发现 {len(catalogue.problems)} 处错误。", err=True)


class Commands(click.Group):
    """The catalogue's commands plus those other packages register as `jianxi.commands` entry points.

    The form worker adds its commands that way, so site_builder never imports it, and Flask,
    SQLAlchemy and Huey are only imported when one of those commands runs.
    """

    @staticmethod
    def _registered() -> dict[str, EntryPoint]:
        return {point.name: point for point in entry_points(group="jianxi.commands")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._registered()))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and name in (registered := self._registered()):
            command = registered[name].load()
        return command


@click.group(cls=Commands)
@click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Project folder holding positions/, content/ and mkdocs.yml.",
)
@click.pass_context
def main(ctx: click.Context, root: Path) -> None:
    """Validate positions and build the jianxi catalogue."""
    ctx.obj = root


# The folders of files `jianxi validate` checks: positions and units, and the showcase (成果展示).
FOLDERS = ("positions/", "showcase/")


def changed_files(root: Path, base: str) -> list[Path]:
    """Files under positions/ or showcase/ added, copied, modified or renamed since git revision
    BASE, or untracked.

    Deleted files are left out: there is nothing to validate.
    """
    commands = [
        ["git", "diff", "--name-only", "--relative", "-z", "--diff-filter=ACMR", base, "--", *FOLDERS],
        ["git", "ls-files", "--others", "--exclude-standard", "-z", "--", *FOLDERS],
    ]
    names: set[str] = set()
    for command in commands:
        # Fixed git commands as lists, no shell.
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, encoding="utf-8")  # nosec B603
        if result.returncode != 0:
            raise click.ClickException(f"无法与 git 版本 {base} 比较：{result.stderr.strip()}")
        names.update(name for name in result.stdout.split("\0") if name)
    paths = (root / name for name in sorted(names))
    # A symlink is kept whatever it is named or points at: the validator refuses it.
    return [p for p in paths if p.is_symlink() or (p.suffix.lower() in SUFFIXES and p.is_file())]


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--changed",
    "base",
    metavar="BASE",
    help="Validate only the files under positions/ and showcase/ changed since git revision BASE (for CI).",
)
@click.pass_obj
def validate(root: Path, paths: tuple[Path, ...], base: str | None) -> None:
    """Check position, unit and showcase files; print every problem as path:line:column: field: message."""
    if base is not None:
        if paths:
            raise click.UsageError("--changed 与 PATH 不能同时使用")
        paths = tuple(changed_files(root, base))
        if not paths:
            click.echo(f"自 {base} 以来 positions/ 和 showcase/ 中没有改动的文件，无需校验。")
            return
        click.echo(f"校验自 {base} 以来改动的 {len(paths)} 个文件。")
    catalogue = load_catalogue(root, list(paths) if paths else None)
    _report(catalogue)
    if catalogue.problems:
        sys.exit(1)
    shown = catalogue.showcase
    click.echo(
        f"全部通过：{len(catalogue.units)} 家单位，{len(catalogue.positions)} 个岗位，"
        f"{len(shown.cases)} 个成果展示案例，{len(shown.figures)} 份年度数据。"
    )


@main.command()
@click.pass_obj
def schema(root: Path) -> None:
    """Write the JSON Schema of units and positions into schema/."""
    for path in write_schemas(root / "schema"):
        click.echo(str(path))


@main.command("new-position")
@click.argument("unit")
@click.option("--slug", help="File name of the position, without .yaml (default position-N).")
@click.pass_obj
def new_position(root: Path, unit: str, slug: str | None) -> None:
    """Write a commented position template for UNIT (and a unit template if the unit is new)."""
    folder = root / "positions" / unit
    if not SLUG.fullmatch(unit) or (slug is not None and not SLUG.fullmatch(slug)):
        raise click.UsageError("单位目录名和岗位文件名只能用小写英文字母、数字和连字符（-）")
    closes = _collection_closes()  # before any folder is made: a bad value leaves nothing behind
    folder.mkdir(parents=True, exist_ok=True)
    # These templates are YAML files, not HTML: escaping would corrupt them.
    env = Environment(loader=PackageLoader("site_builder", "templates"), undefined=StrictUndefined)  # nosec B701
    written = []
    if not (folder / UNIT_FILE).exists():
        written.append(folder / UNIT_FILE)
    if slug is None:
        number = 1
        while (folder / f"position-{number}.yaml").exists():
            number += 1
        slug = f"position-{number}"
    target = folder / f"{slug}.yaml"
    if target.exists():
        raise click.UsageError(f"{target} 已存在")
    written.append(target)
    today = today_in_chongqing()
    deadline = today + dt.timedelta(days=60)
    for path in written:
        template = "new-unit.yaml" if path.name == UNIT_FILE else "new-position.yaml"
        text = env.get_template(template).render(
            unit_slug=unit,
            path=path.relative_to(root).as_posix(),
            published=today.isoformat(),
            deadline=deadline.isoformat(),
            start_date=(deadline + dt.timedelta(days=15)).isoformat(),
            end_date=(deadline + dt.timedelta(days=195)).isoformat(),
            collection_window=collection_sentence(today, closes),
        )
        path.write_text(text, encoding="utf-8")
        click.echo(f"已写入 {path}")


def _collection_closes() -> dt.date:
    """COLLECTION_CLOSES, or the command stops with the setting's own message."""
    try:
        return collection_closes()
    except ValueError as error:
        raise click.UsageError(str(error)) from None


def _step(name: str) -> None:
    """Name the step under way on stderr: a slow build shows where it is, stdout keeps the result."""
    click.echo(f"{name}……", err=True)


@main.command()
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True
)
@click.option(
    "--stage",
    "stage_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the complete docs folder here instead of building, for builders without Python plugins.",
)
@click.option(
    "--site-url",
    envvar="CATALOGUE_URL",
    help="The catalogue's public address (default: CATALOGUE_URL, else mkdocs.yml's site_url).",
)
@click.option(
    "--cache",
    type=click.Path(file_okay=False, path_type=Path),
    help="What builds keep for the next (QR codes, compressed copies), best on OUT's file system; "
    "delete it for a cold build. Default: .cache/jianxi in the project folder.",
)
@click.pass_obj
def build(root: Path, out: Path, stage_dir: Path | None, site_url: str | None, cache: Path | None) -> None:
    """Validate everything, then build the catalogue into OUT; refuse if anything is invalid."""
    _collection_closes()  # the guide names it: a bad value stops the build before any work
    _step("校验岗位")
    catalogue = load_catalogue(root)
    if catalogue.problems:
        _report(catalogue)
        click.echo("存在错误，未构建网站。", err=True)
        sys.exit(1)
    if stage_dir is not None:
        config = load_site_config(root, site_url)
        _step("生成页面")
        pages = stage(catalogue, root, stage_dir, site_for(config, None, None), config["site_name"])
        click.echo(
            f"已写入 {pages} 个页面到 {stage_dir}/；在 mkdocs.yml 中设 docs_dir: {stage_dir} 即可构建。"
        )
        return
    cache = cache or root / ".cache" / "jianxi"
    pages = build_site(catalogue, root, out, progress=_step, site_url=site_url, cache=cache)
    click.echo(f"已生成 {pages} 个页面（{len(catalogue.positions)} 个岗位）到 {out}/")


@main.command("xlsx-template")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=Path(TEMPLATE_NAME), show_default=True
)
def xlsx_template(out: Path) -> None:
    """Write the blank 岗位征集表 spreadsheet that units fill in."""
    out.write_bytes(workbook_bytes(template_workbook()))
    click.echo(f"已写入 {out}")


@main.command("export-xlsx")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=Path(EXPORT_NAME), show_default=True
)
@click.option("--unit", "unit_slug", help="Export only this unit folder (to edit and import again).")
@click.pass_obj
def export_xlsx(root: Path, out: Path, unit_slug: str | None) -> None:
    """Export the catalogue in the 岗位征集表 layout, one position per row with its unit's columns."""
    paths = None
    if unit_slug is not None:
        folder = root / "positions" / unit_slug
        if not SLUG.fullmatch(unit_slug) or not folder.is_dir():
            raise click.UsageError(f"找不到单位目录 positions/{unit_slug}")
        paths = [folder]
    catalogue = load_catalogue(root, paths)
    if catalogue.problems:
        _report(catalogue)
        click.echo("存在错误，未导出。", err=True)
        sys.exit(1)
    out.write_bytes(workbook_bytes(export_workbook(catalogue)))
    click.echo(f"已导出 {len(catalogue.positions)} 个岗位到 {out}")


@main.command("import-xlsx")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unit", "unit_slug", help="Unit folder to write into (default: found by credit code).")
@click.pass_obj
def import_xlsx(root: Path, file: Path, unit_slug: str | None) -> None:
    """Import a filled-in 岗位征集表 into positions/; on any problem write nothing."""
    if unit_slug is not None and not SLUG.fullmatch(unit_slug):
        raise click.UsageError("单位目录名只能用小写英文字母、数字和连字符（-）")
    result = read_import(file.read_bytes(), file.name, today=today_in_chongqing())
    if result.problems or result.unit is None:
        _refuse(result.problems)
    unit = result.unit
    existing = find_unit_folder(root, unit.credit_code)
    if existing is not None and unit_slug is not None and existing != unit_slug:
        raise click.UsageError(f"统一社会信用代码 {unit.credit_code} 已属于单位目录 positions/{existing}")
    folder = unit_slug or existing or f"unit-{unit.credit_code.lower()}"
    if existing is None and (root / "positions" / folder / UNIT_FILE).exists():
        raise click.UsageError(f"单位目录 positions/{folder} 已属于另一家单位（统一社会信用代码不同）")
    positions = []
    for position_id, position in zip(result.position_ids, result.positions, strict=True):
        # A row exported from this very folder replaces its file; any other row is a new position.
        slug = None
        if position_id and position_id.split("/")[0] == folder:
            slug = position_id.split("/")[1]
        positions.append((slug, position))
    files = unit_files(root, folder, unit, positions)
    # A row exported and imported again unchanged leaves its file alone.
    files = {
        relative: text
        for relative, text in files.items()
        if not (root / relative).is_file() or (root / relative).read_text(encoding="utf-8") != text
    }
    problems = write_validated(root, files)
    if problems:
        _refuse(problems)
    unit_path = f"positions/{folder}/{UNIT_FILE}"
    if unit_path not in files:
        click.echo(f"单位信息未变，保留 {unit_path}")
    for relative in files:
        click.echo(f"已写入 {relative}")
    written = len(files) - (unit_path in files)
    click.echo(
        f"导入完成：{unit.name}，{len(positions)} 个岗位（{written} 个新增或修改），在 positions/{folder}/。"
    )


def _refuse(problems: list[Problem]) -> NoReturn:
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"发现 {len(problems)} 处错误，未写入任何文件。", err=True)
    sys.exit(1)
