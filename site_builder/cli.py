"""The jianxi command line: thin shells around the model and the build."""

import datetime as dt
import sys
from pathlib import Path

import click
from jinja2 import Environment, PackageLoader, StrictUndefined
from tqdm import tqdm

from .build import build_site, today_in_chongqing
from .model.catalogue import SLUG, UNIT_FILE, Catalogue, load_catalogue
from .schema_file import write_schemas


def _report(catalogue: Catalogue) -> None:
    for problem in catalogue.problems:
        click.echo(str(problem), err=True)
    if catalogue.problems:
        click.echo(f"发现 {len(catalogue.problems)} 处错误。", err=True)


@click.group()
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


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.pass_obj
def validate(root: Path, paths: tuple[Path, ...]) -> None:
    """Check position and unit files; print every problem as path:line:column: field: message."""
    catalogue = load_catalogue(root, list(paths) if paths else None)
    _report(catalogue)
    if catalogue.problems:
        sys.exit(1)
    click.echo(f"全部通过：{len(catalogue.units)} 家单位，{len(catalogue.positions)} 个岗位。")


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
    folder.mkdir(parents=True, exist_ok=True)
    env = Environment(loader=PackageLoader("site_builder", "templates"), undefined=StrictUndefined)
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
        )
        path.write_text(text, encoding="utf-8")
        click.echo(f"已写入 {path}")


@main.command()
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True
)
@click.pass_obj
def build(root: Path, out: Path) -> None:
    """Validate everything, then build the catalogue into OUT; refuse if anything is invalid."""
    with tqdm(total=3, desc="校验岗位", unit="步", file=sys.stderr) as bar:
        catalogue = load_catalogue(root)
        if catalogue.problems:
            bar.close()
            _report(catalogue)
            click.echo("存在错误，未构建网站。", err=True)
            sys.exit(1)

        def next_step(name: str) -> None:
            bar.update()
            bar.set_description(name)

        pages = build_site(catalogue, root, out, progress=next_step)
        bar.update()
    click.echo(f"已生成 {pages} 个页面（{len(catalogue.positions)} 个岗位）到 {out}/")
