"""A warm catalogue: after a full build, publish a change by rendering only what it touches.

A full build at 5,000 positions takes a minute or more; one approval changes a handful of files.
`LiveSite` keeps what a build needs warm in the process (the catalogue, MkDocs' configuration,
theme, files and navigation) and, for a new catalogue, renders through MkDocs' own page pipeline
(the same theme, templates and plugin as `build_site`) only the pages whose key changed
(site_builder.changes), with the posters, positions.json, the feed, the sitemap when the pages
changed, and a small extra Pagefind bundle of the records that differ from the full build's index.
The caller (the worker's publishing) lays these files over a copy of the served build and
switches the site to it.

MkDocs has no public API for rendering one page, so this calls the three functions its own build
calls per page (`_populate_page`, `_build_page`, `_build_theme_template`). The version is locked,
and the property test (tests/site_builder/test_live.py) fails if the pages stop matching.
"""

import dataclasses
import datetime as dt
import os
import shutil
import tempfile
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mkdocs.commands.build import _build_page, _build_theme_template, _populate_page
from mkdocs.structure.files import File, Files, get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from .bodies import GeneratedPages, Prerendered
from .build import extra_outputs, load_site_config, site_for, write_posters
from .changes import NOTHING, page_keys, record_keys
from .compress import precompress
from .model.catalogue import Catalogue
from .pages import PageRenderer, page_url
from .search import BUNDLE, LIVE_BUNDLE, page_ids, position_record, write_live_index


@dataclass(frozen=True)
class Update:
    """The files of an update under `folder` (paths relative to the site, with their `.gz`), and
    the site's folders and files it removes first (a position, unit or listing page gone, the last
    live bundle, a `.gz` whose file is rewritten without one). The caller removes `folder` once
    the files are laid where they go."""

    folder: Path
    written: list[str]
    removed: list[str]


class LiveSite:
    """What a full build of one catalogue left warm, moved on by each update."""

    def __init__(
        self,
        root: Path,
        catalogue: Catalogue,
        built: Path,
        today: dt.date,
        worker_url: str | None = None,
        places_held: Mapping[str, int] | None = None,
        site_url: str | None = None,
    ) -> None:
        """root: the repository; built: the full build of catalogue (its search index is read),
        built by `build_site` with the same today, worker_url, places_held and site_url."""
        scratch = self.scratch = Path(tempfile.mkdtemp(prefix="jianxi-live-"))
        # Removed with the copy: the worker replaces it after each full build.
        weakref.finalize(self, shutil.rmtree, scratch, ignore_errors=True)
        self.updates = 0
        shutil.copytree(root / "content", scratch / "docs")
        self.out = scratch / "site"
        self.config = load_site_config(root, site_url, docs_dir=str(scratch / "docs"), site_dir=str(self.out))
        self.site = site_for(self.config, today, worker_url, places_held)
        self.catalogue = catalogue
        renderer = PageRenderer(catalogue, self.site)
        self.keys = page_keys(renderer)
        self.plugin = GeneratedPages([], self.site.worker_url, renderer.home_board(), self.site.settings())
        self.config.plugins["jianxi/pages"] = self.plugin
        self.config = self.config.plugins.on_config(self.config)
        self.env = self.config.theme.get_env()
        files = get_files(self.config)
        files.add_files_from_theme(self.env, self.config)
        self._fixed = list(files)
        for path in self._generated(self.keys):
            files.append(File.generated(self.config, path, content=""))
        set_exclusions(files, self.config)
        self.files = files
        self.nav = get_navigation(files, self.config)
        for file in files.documentation_pages():
            if file.page is None:
                Page(None, file, self.config)
        self.env = self.config.plugins.on_env(self.env, config=self.config, files=self.files)
        # The navigation's own pages are read as a build reads them: their titles show on every page.
        self._render_pages(renderer, {p for p in self.keys if self._in_nav(p)})
        self.base_records = record_keys(renderer)
        self.base_ids = page_ids(built / BUNDLE)

    def _in_nav(self, path: str) -> bool:
        file = self.files.get_file_from_path(path)
        return file is not None and file.page is not None and file.page in self.nav.pages

    def _page(self, path: str) -> Page:
        file = self.files.get_file_from_path(path)
        assert file is not None and file.page is not None  # nosec B101  # set up in __init__
        return file.page

    @staticmethod
    def _generated(keys: Mapping[str, object]) -> list[str]:
        return [path for path in keys if path.endswith(".md") and path != "index.md"]

    def update(self, catalogue: Catalogue, places_held: Mapping[str, int] | None = None) -> Update:
        """Render what differs between the last catalogue and this one into a fresh folder."""
        site = dataclasses.replace(self.site, places_held=places_held)
        renderer = PageRenderer(catalogue, site)
        keys = page_keys(renderer)
        changed = {path for path, key in keys.items() if self.keys.get(path, NOTHING) != key}
        gone = [path for path in self.keys if path not in keys]
        shutil.rmtree(self.out, ignore_errors=True)
        self.out.mkdir()
        self.updates += 1
        self.plugin.home = renderer.home_board()
        # The sitemap lists the pages in the order a build generates them (open positions first).
        pages_moved = self._generated(keys) != self._generated(self.keys)
        if pages_moved:
            self._refile(keys)
        self._render_pages(renderer, {path for path in changed if path.endswith(".md")})
        posters_changed = {path for path in changed if path.endswith(".html")}
        write_posters(renderer, self.out, only=posters_changed)
        extra_outputs(catalogue, self.out, site, self.config["site_name"])
        if pages_moved:
            _build_theme_template("sitemap.xml", self.env, self.files, self.config, self.nav)
        self._write_search(renderer)
        precompress(self.out)
        self.catalogue, self.site, self.keys = catalogue, site, keys
        written = sorted(
            str(Path(folder, name).relative_to(self.out))
            for folder, _, names in os.walk(self.out)
            for name in names
        )
        removed = [page_url(path) if path.endswith(".md") else path for path in gone]
        # A page rewritten too small to compress keeps no stale copy of its old self.
        kept = set(written)
        removed += [
            f"{path}.gz"
            for path in written
            if f"{path}.gz" not in kept
            and not path.endswith(".gz")
            and not path.startswith(f"{LIVE_BUNDLE}/")
        ]
        # MkDocs writes where the configuration said at the start: the update's files move out.
        folder = self.scratch / f"update-{self.updates}"
        os.rename(self.out, folder)
        return Update(folder, written, [LIVE_BUNDLE, *removed])

    def _refile(self, keys: Mapping[str, object]) -> None:
        """The generated pages' files in the order of a full build's (the sitemap's order)."""
        known = {file.src_uri: file for file in self.files}
        files = Files(self._fixed)
        for path in self._generated(keys):
            file = known.get(path) or File.generated(self.config, path, content="")
            files.append(file)
        set_exclusions(files, self.config)
        for file in files.documentation_pages():
            if file.page is None:
                Page(None, file, self.config)
        self.files = files

    def _render_pages(self, renderer: PageRenderer, paths: set[str]) -> None:
        """Each page through MkDocs as `build_site` renders it: front matter read, body handed over."""
        rendered = list(renderer.pages(only=paths))
        self.plugin.pages = {page.path: page for page in rendered}
        documents = self.files.documentation_pages()
        if "index.md" in paths:
            page = self._page("index.md")
            _populate_page(page, self.config, self.files)
            _build_page(page, self.config, documents, self.nav, self.env)
        for generated in rendered:
            file = self.files.get_file_from_path(generated.path)
            assert file is not None  # nosec B101  # every generated path has a file (_refile)
            file.content_string = generated.front
            page = file.page if file.page in self.nav.pages else Prerendered(None, file, self.config)
            assert page is not None  # nosec B101  # a navigation page has its Page
            _populate_page(page, self.config, self.files)
            _build_page(page, self.config, documents, self.nav, self.env)

    def _write_search(self, renderer: PageRenderer) -> None:
        """The records that differ from the full build's index, and that index's records replaced."""
        now = record_keys(renderer)
        fresh = [e for e in renderer.positions if self.base_records.get(e.id, NOTHING) != now[e.id]]
        stale = [i for i, key in self.base_records.items() if now.get(i, NOTHING) != key]
        urls = [page_url(f"positions/{i}.md") for i in stale]
        replaced = {self.base_ids[url] for url in urls if url in self.base_ids}
        write_live_index([position_record(renderer, entry) for entry in fresh], replaced, self.out)
