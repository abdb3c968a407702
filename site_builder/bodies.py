"""Hand MkDocs the generated pages' finished HTML instead of making Python-Markdown re-parse it.

Generated pages are already HTML (autoescaped Jinja). Running them through Python-Markdown's raw-HTML
parser cost half of a large build and changed nothing, so each page's Markdown file keeps only its
front matter and its body waits in a side folder until MkDocs asks for the page's content. Pages
this plugin does not know (content/) are converted as usual.
"""

from pathlib import Path

from mkdocs.plugins import BasePlugin
from mkdocs.structure.pages import Page


class PrerenderedBodies(BasePlugin):
    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def _body(self, page: Page) -> Path:
        return self.folder / (page.file.src_uri + ".html")

    def on_page_markdown(self, markdown: str, page: Page, **kwargs: object) -> str:
        return "" if self._body(page).is_file() else markdown

    def on_page_content(self, html: str, page: Page, **kwargs: object) -> str:
        body = self._body(page)
        return body.read_text(encoding="utf-8") if body.is_file() else html
