"""Hand MkDocs the generated pages as they are: in memory, with their finished HTML bodies.

Pages are rendered by plain Python (site_builder.pages). This plugin only hands them over: each
becomes a virtual file (front matter only, so no staging write and read per page) whose page
converts no Markdown (`Prerendered`), and its body is rendered just before the theme renders the
page around it and let go just after, so a build holds one body at a time, not 10,000.
`jianxi build --stage DIR` writes the same pages as plain files instead, for builders that run no
Python plugins (Zensical).
"""

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from jinja2 import Environment
from jinja2.runtime import Context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url
from mkdocs.utils.templates import TemplateContext

from .pages import GeneratedPage, fill_settings
from .store import Store

# Links of the written pages (content/*.md) to the form worker, root-relative as they are written.
WORKER_LINK = re.compile(r"\]\(/(submit|status|apply)\b")
# The parts of Material's pages that show nothing of a page outside the navigation (every generated
# page but the four in it) but where it is: its links to the navigation's pages and to the site's
# root (the navigation, tabs, table of contents, which is empty, footer, stylesheets, scripts,
# Material's settings). They come out the same for every such page with the same links, so each
# is rendered once per set of links (three at any size), not once per page. (template, block; None
# for the whole template)
SAME_BY_PLACE = (
    ("base.html", "styles"),
    ("base.html", "tabs"),
    ("base.html", "site_nav"),
    ("base.html", "footer"),
    ("base.html", "config"),
    ("base.html", "scripts"),
    ("partials/top.html", None),
)


class Prerendered(Page):
    """A generated page: its front matter is read as any page's, but its Markdown is empty and its
    body finished HTML, so no Python-Markdown instance is made for it (with the configured
    extensions, that cost a build at 5,000 positions two seconds for nothing)."""

    place: tuple[object, ...] | None = None

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = ""
        self.toc = get_toc([])
        self.present_anchor_ids = set()
        self.links_to_anchors = {}

    def where(self, context: Context) -> tuple[object, ...]:
        """Where the page is, as the theme's parts in SAME_BY_PLACE show it: its link to the
        site's root and to each page of the navigation (worked out once a page)."""
        if self.place is None:
            nav = context["nav"]
            links = tuple(get_relative_url(item.url, self.url) for item in nav.pages)
            self.place = (context["base_url"], links, self.meta.get("hide"))
        return self.place


class _Kept:
    """A part of the theme (a template's or a block's render function) whose output is kept for
    pages outside the navigation, by where the page is (see SAME_BY_PLACE)."""

    def __init__(self, render: Callable[[Context], Iterator[str]]) -> None:
        self.render = render
        self.kept: dict[tuple[object, ...], list[str]] = {}

    def __call__(self, context: Context) -> Iterator[str]:
        page = context.get("page")
        if not isinstance(page, Prerendered):
            yield from self.render(context)
            return
        key = page.where(context)
        if key not in self.kept:
            self.kept[key] = list(self.render(context))
        yield from self.kept[key]


class GeneratedPages(BasePlugin):
    """Also fills in the settings content/'s pages name (the collection deadline: Site.settings)
    and points their links to the forms at the worker when it is served elsewhere."""

    def __init__(
        self,
        pages: Iterable[GeneratedPage],
        worker_url: str = "",
        home: str = "",
        settings: Mapping[str, str] | None = None,
        store: Store | None = None,
    ) -> None:
        """store: where a full build's pages are placed from (site_builder.store), None to let
        MkDocs write them."""
        super().__init__()
        self.pages = {page.path: page for page in pages}
        self.store = store
        self.settings = settings or {}
        self.worker_url = worker_url.rstrip("/")
        self.home = home  # the job board, put on the home page above its own text

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        for page in self.pages.values():
            files.append(File.generated(config, page.path, content=page.front))
        return files

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        """Each generated file outside the navigation gets a Prerendered page in place of the
        plain one MkDocs made for it (the navigation's own pages are left as they are)."""
        in_nav = {page.file.src_uri for page in nav.pages}
        for path in self.pages:
            file = files.get_file_from_path(path)
            if file is not None and path not in in_nav:
                Prerendered(None, file, config)
        return nav

    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        """Keep the output of the theme's parts in SAME_BY_PLACE for this build's theme, and its
        templates as loaded (Jinja looks for a changed file at every include otherwise: a stat
        per include per page)."""
        env.auto_reload = False
        for name, block in SAME_BY_PLACE:
            template = env.get_template(name)
            if block is None:
                template.root_render_func = _Kept(template.root_render_func)  # type: ignore[method-assign]
            else:
                template.blocks[block] = _Kept(template.blocks[block])
        return env

    def on_page_markdown(self, markdown: str, page: Page, **kwargs: object) -> str:
        if page.file.src_uri in self.pages:
            return ""
        markdown = fill_settings(markdown, self.settings, page.file.src_uri)
        if self.worker_url:
            return WORKER_LINK.sub(rf"]({self.worker_url}/\1", markdown)
        return markdown

    def on_page_content(self, html: str, page: Page, **kwargs: object) -> str:
        if page.file.src_uri == "index.md" and self.home:
            title, _, rest = html.partition("</h1>")
            return f"{title}</h1>{self.home}{rest}" if rest else self.home + html
        return html

    def on_page_context(self, context: TemplateContext, page: Page, **kwargs: object) -> TemplateContext:
        generated = self.pages.get(page.file.src_uri)
        if generated is not None:
            page.content = generated.body
        return context

    def on_post_page(self, output: str, page: Page, **kwargs: object) -> str:
        if page.file.src_uri in self.pages:
            page.content = None  # written: its body is not needed again
        if self.store is None or not output.strip():
            return output
        target = Path(page.file.abs_dest_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.store.put(target, output.encode("utf-8", errors="xmlcharrefreplace"))  # as MkDocs would
        return ""  # placed: MkDocs writes nothing more (see unlogged_skips)


class _Placed(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Page skipped: ")


@contextmanager
def unlogged_skips() -> Iterator[None]:
    """MkDocs notes each page it did not write itself ("Page skipped", at info level): with a
    store that is every page, a note MkDocs has no other reason to make on this site."""
    logger, placed = logging.getLogger("mkdocs.commands.build"), _Placed()
    logger.addFilter(placed)
    try:
        yield
    finally:
        logger.removeFilter(placed)
