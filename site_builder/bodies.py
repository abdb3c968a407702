"""Hand MkDocs the generated pages as they are: in memory, with their finished HTML bodies.

Pages are rendered by plain Python (site_builder.pages) before the build. This plugin only hands them
over: each becomes a virtual file (front matter only, so no staging write and read per page) and
its body replaces what Python-Markdown would produce, since the body is already autoescaped HTML and
re-parsing it cost half of a large build. `jianxi build --stage DIR` writes the same pages as plain
files instead, for builders that run no Python plugins (Zensical).
"""

import re
from collections.abc import Mapping

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .pages import GeneratedPage, fill_settings

# Links of the written pages (content/*.md) to the form worker, root-relative as they are written.
WORKER_LINK = re.compile(r"\]\(/(submit|status|apply)\b")


class GeneratedPages(BasePlugin):
    """Also fills in the settings content/'s pages name (the collection deadline: Site.settings)
    and points their links to the forms at the worker when it is served elsewhere."""

    def __init__(
        self,
        pages: list[GeneratedPage],
        worker_url: str = "",
        home: str = "",
        settings: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.pages = pages
        self.settings = settings or {}
        self.bodies = {page.path: page.body for page in pages}
        self.worker_url = worker_url.rstrip("/")
        self.home = home  # the job board, put on the home page above its own text

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        for page in self.pages:
            files.append(File.generated(config, page.path, content=page.front))
        return files

    def on_page_markdown(self, markdown: str, page: Page, **kwargs: object) -> str:
        if page.file.src_uri in self.bodies:
            return ""
        markdown = fill_settings(markdown, self.settings, page.file.src_uri)
        if self.worker_url:
            return WORKER_LINK.sub(rf"]({self.worker_url}/\1", markdown)
        return markdown

    def on_page_content(self, html: str, page: Page, **kwargs: object) -> str:
        if page.file.src_uri == "index.md" and self.home:
            title, _, rest = html.partition("</h1>")
            return f"{title}</h1>{self.home}{rest}" if rest else self.home + html
        return self.bodies.get(page.file.src_uri, html)
