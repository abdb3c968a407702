"""Printable A4 posters of every position and every unit, for campus notice boards and offices.

Each is a plain HTML file beside its page (`positions/<id>/poster.html`, `units/<slug>/poster.html`):
no script, one stylesheet of print rules, and a QR code to the page drawn by segno as inline SVG,
so a poster prints the same from any browser and a phone scanning it lands on the page.
"""

import posixpath
from collections.abc import Container, Iterator

from markupsafe import Markup

from .model.catalogue import PositionEntry
from .pages import PageRenderer, page_url, position_page, relative_path, unit_page

STYLESHEET = "stylesheets/poster.css"


def poster_path(page: str) -> str:
    """The poster beside a page: positions/a/b.md -> positions/a/b/poster.html."""
    return f"{page_url(page)}poster.html"


def posters(renderer: PageRenderer, only: Container[str] | None = None) -> Iterator[tuple[str, str]]:
    """(path in the docs folder, HTML) of every position's and unit's poster, or of those at the
    paths only names."""
    template = renderer.env.get_template("poster.html")
    for entry in renderer.positions:
        path = poster_path(position_page(entry))
        if only is not None and path not in only:
            continue
        yield (
            path,
            template.render(
                kind="position",
                entry=entry,
                p=entry.position,
                unit=renderer.catalogue.units[entry.unit_slug].unit,
                state=renderer.state(entry),
                qr=position_qr(renderer, entry),
                address=renderer.page_address(position_page(entry)),
                stylesheet=relative_path(STYLESHEET, posixpath.dirname(path)),
            ),
        )
    for slug, unit in renderer.catalogue.units.items():
        path = poster_path(unit_page(slug))
        if only is not None and path not in only:
            continue
        address = renderer.page_address(unit_page(slug))
        yield (
            path,
            template.render(
                kind="unit",
                unit=unit.unit,
                entries=[e for e in renderer.by_unit[slug] if renderer.state(e) == "open"],
                qr=renderer.codes.svg(address, f"扫码查看{unit.unit.name}的见习岗位"),
                address=address,
                stylesheet=relative_path(STYLESHEET, posixpath.dirname(path)),
            ),
        )


def position_qr(renderer: PageRenderer, entry: PositionEntry) -> Markup:
    address = renderer.page_address(position_page(entry))
    return renderer.codes.svg(address, f"扫码查看岗位：{entry.position.title}")
