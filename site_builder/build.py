"""Build the catalogue: validate, stage content/ plus generated pages, run MkDocs on the stage.

Generation is plain Python writing plain files into a staging folder. Each generated page's HTML
body is kept in memory and handed to MkDocs by the small PrerenderedBodies plugin; staged without
it, the bodies go into the Markdown files themselves, which any builder that reads mkdocs.yml
(ProperDocs, Zensical) can build without that plugin, only more slowly.
"""

import datetime as dt
import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from .bodies import PrerenderedBodies
from .feeds import CHINA, atom_feed, positions_json
from .model.catalogue import Catalogue
from .pages import PageRenderer, Site
from .schema_file import write_schemas

logger = logging.getLogger(__name__)


def today_in_chongqing() -> dt.date:
    return dt.datetime.now(CHINA).date()


def stage(
    catalogue: Catalogue,
    root: Path,
    docs: Path,
    site: Site,
    site_name: str,
    bodies: dict[str, str] | None = None,
) -> int:
    """Fill docs with content/ and every generated file; return the number of pages written.

    Given a bodies dict, page bodies go there by page path (see PrerenderedBodies); else into the pages.
    """
    shutil.copytree(root / "content", docs, dirs_exist_ok=True)
    count = 0
    for page in PageRenderer(catalogue, site).pages():
        target = docs / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if bodies is None:
            target.write_text(page.front + page.body, encoding="utf-8")
        else:
            target.write_text(page.front, encoding="utf-8")
            bodies[page.path] = page.body
        count += 1
    (docs / "positions.json").write_text(
        positions_json(catalogue, site.site_url, site.today), encoding="utf-8"
    )
    (docs / "feed.xml").write_text(atom_feed(catalogue, site.site_url, site_name), encoding="utf-8")
    write_schemas(docs / "schema")
    return count


def build_site(
    catalogue: Catalogue,
    root: Path,
    out: Path,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda step: None,
    worker_url: str | None = None,
) -> int:
    """Build a validated catalogue into out in strict mode; return the number of generated pages.

    worker_url overrides mkdocs.yml's extra.worker_url, for a worker served at another address.
    """
    with tempfile.TemporaryDirectory(prefix="jianxi-docs-") as staging:
        docs, bodies = Path(staging), {}
        config = load_config(
            config_file=str(root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(out.resolve()), strict=True
        )
        site = Site(
            site_url=config["site_url"] or "http://127.0.0.1:8000/",
            worker_url=worker_url if worker_url is not None else config["extra"].get("worker_url", ""),
            today=today or today_in_chongqing(),
        )
        progress("生成页面")
        count = stage(catalogue, root, docs, site, config["site_name"], bodies)
        config.plugins["jianxi/bodies"] = PrerenderedBodies(bodies)
        progress("MkDocs 构建")
        mkdocs_build(config)
    return count
