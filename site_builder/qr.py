"""QR codes as inline SVG (segno): on posters, and on position pages for a reader at a desk.

Every position needs one (its page and its poster share it), so at 5,000 positions the encoding is
a build cost: about 1.2 ms a code, 6 s of CPU in all. The mask is fixed (MASK) instead of segno
trying all eight and scoring them (1.8 ms a code instead of 7.9; any mask reads the same to a
scanner). `QrCodes` encodes each address once: a build's addresses are read from the codes the
last build kept (a file in the build cache, keyed by the address and the settings below), and only
the new ones are encoded, on every core when there are many.
"""

import json
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import segno
from markupsafe import Markup

MASK = 0
ERROR = "m"
# What the kept codes were made with: a kept code made otherwise is encoded again.
SETTINGS = f"segno {segno.__version__}, error {ERROR}, mask {MASK}, border 2"
_KEPT = 20_000  # addresses kept in memory between builds of one process (a worker rebuilds all day)


def _encode(url: str) -> str:
    # One unit a module and a viewBox instead of a width and height: the stylesheet sizes the code
    # (50 mm on a poster), which a fixed-size SVG would clip instead of scale.
    code = segno.make(url, error=ERROR, mask=MASK)
    return code.svg_inline(border=2, svgclass="jx-qr-code", omitsize=True)


class QrCodes:
    """Each address's QR code, encoded once, and kept in `store` (a JSON file) between builds
    when one is given: the codes a build used, and no others, so old addresses drop out."""

    def __init__(self, store: Path | None = None) -> None:
        self.store = store
        self.encoded: dict[str, str] = {}
        self.used: set[str] = set()
        if store is not None and store.is_file():
            kept = json.loads(store.read_text(encoding="utf-8"))
            if kept.get("settings") == SETTINGS:
                self.encoded = kept["codes"]

    def prepare(self, urls: Iterable[str]) -> None:
        """Encode every address not yet encoded, in parallel when there are many."""
        wanted = dict.fromkeys(urls)
        if self.store is not None:
            self.used.update(wanted)
        missing = [url for url in wanted if url not in self.encoded]
        if self.store is None and len(self.encoded) + len(missing) > _KEPT:
            self.encoded = {url: svg for url, svg in self.encoded.items() if url in wanted}
        workers = os.cpu_count() or 1
        if len(missing) < 500 or workers == 1:
            self.encoded.update((url, _encode(url)) for url in missing)
            return
        # Spawned, not forked: a rebuild runs in the worker's queue consumer, whose other threads
        # may hold locks a forked child would inherit locked.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            self.encoded.update(zip(missing, pool.map(_encode, missing, chunksize=250), strict=True))

    def svg(self, url: str, title: str) -> Markup:
        """A QR code of url as an inline SVG image named title (escaped here)."""
        if self.store is not None:
            self.used.add(url)
        if url not in self.encoded:
            self.prepare([url])
        name = str(Markup.escape(title))
        svg = self.encoded[url].replace("<svg ", f'<svg role="img" aria-label="{name}" ', 1)
        return Markup(svg)  # nosec B704  # segno's own markup around a URL we built; the name is escaped

    def save(self) -> None:
        """Keep the codes this build used in the store, replaced whole (a reader never sees half)."""
        if self.store is None:
            return
        codes = {url: self.encoded[url] for url in sorted(self.used) if url in self.encoded}
        self.store.parent.mkdir(parents=True, exist_ok=True)
        partial = self.store.with_name(f".{self.store.name}.{os.getpid()}")
        partial.write_text(json.dumps({"settings": SETTINGS, "codes": codes}), encoding="utf-8")
        os.replace(partial, self.store)


# The codes of a process that builds without a store: the worker's warm catalogue (site_builder.live)
# renders a few pages at a time and encodes only theirs.
in_memory = QrCodes()
