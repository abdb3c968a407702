"""Build the catalogue: validate, render every generated page in plain Python, run MkDocs, then
write the posters, the Pagefind search index and the pre-compressed copies beside its output.

The rendered pages reach MkDocs through the small GeneratedPages plugin (in memory); `stage` can
instead write them as plain Markdown files into a folder that any builder reading mkdocs.yml
(ProperDocs, Zensical) builds without that plugin, only more slowly.
"""

import datetime as dt
import logging
import shutil
from collections.abc import Callable, Container, Mapping
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from .bodies import GeneratedPages, unlogged_skips
from .clock import today_in_chongqing
from .compress import precompress
from .feeds import atom_feed, write_positions_json
from .model.catalogue import Catalogue
from .pages import PageRenderer, Site, fill_settings
from .posters import posters
from .qr import QrCodes
from .schema_file import write_schemas
from .search import LIVE_MANIFEST, index_alongside, live_manifest, write_index
from .store import Store

logger = logging.getLogger(__name__)

# In a build cache folder, beside the store's kept files (site_builder.store): the QR codes.
QR_CODES = "qr-codes.json"


def extra_outputs(catalogue: Catalogue, folder: Path, site: Site, site_name: str) -> None:
    """Write the outputs over the whole catalogue beside the pages: positions.json and the feed."""
    write_positions_json(catalogue, site.site_url, site.today, folder / "positions.json")
    (folder / "feed.xml").write_text(atom_feed(catalogue, site.site_url, site_name), encoding="utf-8")


def extra_files(catalogue: Catalogue, folder: Path, site: Site, site_name: str) -> None:
    """Write the machine-readable outputs beside the pages (into the built site, or a staged docs
    folder): positions.json, the feed, the schemas, and the search page's note that no live
    bundle is to be merged (site_builder.live)."""
    extra_outputs(catalogue, folder, site, site_name)
    write_schemas(folder / "schema")
    (folder / LIVE_MANIFEST).write_text(live_manifest(False), encoding="utf-8")


def write_posters(
    renderer: PageRenderer, folder: Path, only: Container[str] | None = None, store: Store | None = None
) -> None:
    """Every poster (or those at the paths only names) into folder: the built site, or a staged
    docs folder (copied as it is); through a full build's store when given."""
    store = store or Store()
    for path, html in posters(renderer, only):
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        store.put(target, html.encode("utf-8"))


def stage(catalogue: Catalogue, root: Path, docs: Path, site: Site, site_name: str) -> int:
    """Write a complete docs folder (content/, every generated page, the extra files) for any
    MkDocs-compatible builder; return the number of generated pages."""
    shutil.copytree(root / "content", docs, dirs_exist_ok=True)
    for written in (root / "content").rglob("*.md"):
        target = docs / written.relative_to(root / "content")
        name = written.relative_to(root).as_posix()
        target.write_text(
            fill_settings(written.read_text(encoding="utf-8"), site.settings(), name), encoding="utf-8"
        )
    renderer = PageRenderer(catalogue, site, QrCodes())
    count = 0
    for page in renderer.pages():
        target = docs / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.front + page.body, encoding="utf-8")
        count += 1
    extra_files(catalogue, docs, site, site_name)
    write_posters(renderer, docs)
    write_index(renderer, docs)
    home = docs / "index.md"
    title, _, rest = home.read_text(encoding="utf-8").partition("\n")
    home.write_text(f"{title}\n\n{renderer.home_board()}\n{rest}", encoding="utf-8")
    return count


def build_site(
    catalogue: Catalogue,
    root: Path,
    out: Path,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda step: None,
    worker_url: str | None = None,
    places_held: Mapping[str, int] | None = None,
    site_url: str | None = None,
    cache: Path | None = None,
) -> int:
    """Build a validated catalogue into out in strict mode; return the number of generated pages.

    worker_url overrides mkdocs.yml's extra.worker_url, for a worker served at another address;
    places_held (the worker's count of places offered or signed per position) shows 剩余名额;
    site_url overrides mkdocs.yml's site_url (CATALOGUE_URL: the address in positions.json, the
    feed, the QR codes, the sitemap and the 404 page's links). cache: a folder kept between builds
    (the QR codes, the pages, posters and `.gz` copies, each by what it is made from: see
    site_builder.store), None to make and write everything anew.
    """
    config = load_site_config(root, site_url, docs_dir=str(root / "content"), site_dir=str(out.resolve()))
    site = site_for(config, today, worker_url, places_held)
    progress("生成页面")
    codes, store = QrCodes(cache / QR_CODES if cache else None), Store(cache)
    renderer = PageRenderer(catalogue, site, codes)
    pages = list(renderer.pages())
    plugin = GeneratedPages(pages, site.worker_url, renderer.home_board(), site.settings(), store)
    config.plugins["jianxi/pages"] = plugin
    progress("MkDocs 构建，同时生成搜索索引")
    with index_alongside(renderer, out), unlogged_skips():
        mkdocs_build(config)
        # Straight into the site: through MkDocs, 5,000 static files cost more than writing them.
        write_posters(renderer, out, store=store)
        extra_files(catalogue, out, site, config["site_name"])
    codes.save()
    progress("压缩")
    precompress(out, store)
    store.prune()
    return len(pages)


def load_site_config(root: Path, site_url: str | None = None, **options: str) -> MkDocsConfig:
    """mkdocs.yml of root in strict mode, with site_url in place of its own when given."""
    if site_url:
        options["site_url"] = site_url
    return load_config(config_file=str(root / "mkdocs.yml"), strict=True, **options)


def site_for(
    config: MkDocsConfig,
    today: dt.date | None,
    worker_url: str | None,
    places_held: Mapping[str, int] | None = None,
) -> Site:
    """Where the pages are published, from mkdocs.yml unless the caller says otherwise."""
    return Site(
        site_url=config["site_url"] or "http://127.0.0.1:8000/",
        worker_url=worker_url if worker_url is not None else config["extra"].get("worker_url", ""),
        today=today or today_in_chongqing(),
        places_held=places_held,
    )
