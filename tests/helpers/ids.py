"""Reading the ids a page or file exposes, and which of them repeat."""

from collections import Counter
from html.parser import HTMLParser


class Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1


def duplicates(html: str) -> list[str]:
    parser = Ids()
    parser.feed(html)
    return sorted(i for i, n in parser.ids.items() if n > 1)
