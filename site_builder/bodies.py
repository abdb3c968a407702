"""Hand MkDocs the generated pages as they are: in memory, with their finished HTML bodies.

Pages are rendered by plain Python (site_builder.pages) before the build. This plugin only hands them
over: each becomes a virtual file (front matter only, so no staging write and read per page) and
its body replaces what Python-Markdown would produce, since the body is already autoescaped HTML and
re-parsing it cost half of a large build. `jianxi build --stage DIR` writes the same pages as plain
files instead, for builders that run no Python plugins (Zensical).
"""

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .pages import GeneratedPage


class GeneratedPages(BasePlugin):
    def __init__(self, pages: list[GeneratedPage]) -> None:
        super().__init__()
        self.pages = pages
        self.bodies = {page.path: page.body for page in pages}

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        for page in self.pages:
            files.append(File.generated(config, page.path, content=page.front))
        return files

    def on_page_markdown(self, markdown: str, page: Page, **kwargs: object) -> str:
        return "" if page.file.src_uri in self.bodies else markdown

    def on_page_content(self, html: str, page: Page, **kwargs: object) -> str:
        return self.bodies.get(page.file.src_uri, html)
