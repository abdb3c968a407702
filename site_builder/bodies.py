"""Hand MkDocs the generated pages' finished HTML instead of making Python-Markdown re-parse it.

Generated pages are already HTML (autoescaped Jinja). Running them through Python-Markdown's raw-HTML
parser cost half of a large build and changed nothing, so each page's Markdown file keeps only its
front matter and its body waits in memory until MkDocs asks for the page's content. Pages this
plugin does not know (content/) are converted as usual.
"""

from mkdocs.plugins import BasePlugin
from mkdocs.structure.pages import Page


class PrerenderedBodies(BasePlugin):
    def __init__(self, bodies: dict[str, str]) -> None:
        super().__init__()
        self.bodies = bodies

    def on_page_markdown(self, markdown: str, page: Page, **kwargs: object) -> str:
        return "" if page.file.src_uri in self.bodies else markdown

    def on_page_content(self, html: str, page: Page, **kwargs: object) -> str:
        return self.bodies.get(page.file.src_uri, html)
