"""Hand MkDocs the generated pages as they are: in memory, with their finished HTML bodies.

Pages are rendered by plain Python (site_builder.pages). This plugin only hands them over: each
becomes a virtual file (front matter only, so no staging write and read per page) whose page
converts no Markdown (`Prerendered`), and its body is rendered just before the theme renders the
page around it and let go just after, so a build holds one body at a time, not 10,000.
`jianxi build --stage DIR` writes the same pages as plain files instead, for builders that run no
Python plugins (Zensical).
"""

import re
from collections.abc import Iterable, Mapping

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils.templates import TemplateContext

from .pages import GeneratedPage, fill_settings

# Links of the written pages (content/*.md) to the form worker, root-relative as they are written.
WORKER_LINK = re.compile(r"\]\(/(submit|status|apply)\b")


class Prerendered(Page):
    """A generated page: its front matter is read as any page's, but its Markdown is empty and its
    body finished HTML, so no Python-Markdown instance is made for it (with the configured
    extensions, that cost a build at 5,000 positions two seconds for nothing)."""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = ""
        self.toc = get_toc([])
        self.present_anchor_ids = set()
        self.links_to_anchors = {}


class GeneratedPages(BasePlugin):
    """Also fills in the settings content/'s pages name (the collection deadline: Site.settings)
    and points their links to the forms at the worker when it is served elsewhere."""

    def __init__(
        self,
        pages: Iterable[GeneratedPage],
        worker_url: str = "",
        home: str = "",
        settings: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.pages = {page.path: page for page in pages}
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
        return output
