"""QR codes as inline SVG (segno): on posters, and on position pages for a reader at a desk."""

import segno
from markupsafe import Markup


def qr_code(url: str, title: str) -> Markup:
    """A QR code of url as an inline SVG image named title."""
    svg = segno.make(url, error="m").svg_inline(scale=5, border=2, title=title, svgclass="jx-qr-code")
    # segno's own markup around a URL we built (the title is escaped by segno).
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # nosec B704
