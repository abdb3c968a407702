"""QR codes as inline SVG (segno): on posters, and on position pages for a reader at a desk.

Every position needs one (its page and its poster share it), so at 5,000 positions the encoding is
a build cost. The mask is fixed (MASK) instead of segno trying all eight and scoring them: 1.8 ms a
code instead of 7.9, and any mask reads the same to a scanner (the choice only tunes the pattern).
`prepare` encodes a build's addresses on every core first (segno is pure Python, so one process
each); one encoding per address then serves the page and the poster.
"""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import segno
from markupsafe import Markup

MASK = 0
ERROR = "m"
_KEPT = 20_000  # addresses kept between builds of one process (a worker rebuilds all day)
_encoded: dict[str, str] = {}


def _encode(url: str) -> str:
    # One unit a module and a viewBox instead of a width and height: the stylesheet sizes the code
    # (50 mm on a poster), which a fixed-size SVG would clip instead of scale.
    code = segno.make(url, error=ERROR, mask=MASK)
    return code.svg_inline(border=2, svgclass="jx-qr-code", omitsize=True)


def prepare(urls: list[str]) -> None:
    """Encode every address not yet encoded, in parallel when there are many."""
    missing = [url for url in dict.fromkeys(urls) if url not in _encoded]
    if len(_encoded) + len(missing) > _KEPT:
        _encoded.clear()
    workers = os.cpu_count() or 1
    if len(missing) < 500 or workers == 1:
        _encoded.update((url, _encode(url)) for url in missing)
        return
    # Spawned, not forked: a rebuild runs in the worker's queue consumer, whose other threads may
    # hold locks a forked child would inherit locked.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        _encoded.update(zip(missing, pool.map(_encode, missing, chunksize=250), strict=True))


def qr_code(url: str, title: str) -> Markup:
    """A QR code of url as an inline SVG image named title (escaped here)."""
    if url not in _encoded:
        prepare([url])
    name = str(Markup.escape(title))
    svg = _encoded[url].replace("<svg ", f'<svg role="img" aria-label="{name}" ', 1)
    return Markup(svg)  # nosec B704  # segno's own markup around a URL we built; the name is escaped
