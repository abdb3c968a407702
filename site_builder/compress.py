"""Pre-compressed copies of the built site's text files, so no server compresses on the fly.

Each text asset of at least MIN_BYTES gets a `.gz` beside it (gzip, mtime 0, so a rebuild of the
same content writes the same bytes). `jianxi serve` sends it to clients that accept gzip; nginx's
`gzip_static on;` uses the same files.

A full build keeps the copies in its store (site_builder.store) by the hash of the bytes they
compress: a file that an earlier build compressed already (most of them, from one build to the
next) gets that copy as a hard link, so only the files that changed are compressed and written.
"""

import gzip
import os
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from .store import COPIES, Store, digest

SUFFIXES = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".map")
# Below this a gzip header and a request's worth of overhead outweigh the saving.
MIN_BYTES = 1024
LEVEL = 6  # zlib's default: within 1 % of level 9 on these pages at a third of the time


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=LEVEL, mtime=0)


def _gzip_file(path: Path) -> bytes:
    return _gzip(path.read_bytes())


def _copy(store: Store, path: Path) -> bool:
    """Write path's copy (from the store when it keeps one); False when path is too small."""
    target = Path(f"{path}.gz")
    placed = store.placed.get(str(path))
    if placed is None:
        data = path.read_bytes()
        if len(data) < MIN_BYTES:
            return False
        if store.folder is None:
            target.write_bytes(_gzip(data))
            return True
        key, make = digest(data), partial(_gzip, data)
    else:  # placed from the store: its hash is known, its bytes are read only to make a copy
        key, size = placed
        if size < MIN_BYTES:
            return False
        make = partial(_gzip_file, path)
    store.place(store.keep(COPIES, key, make), target)
    return True


def precompress(site: Path, store: Store | None = None) -> int:
    """Write `<file>.gz` beside every text file of site worth compressing; return how many.

    store: the build's store (see above), None to compress every file.
    zlib and hashlib let go of the GIL while they work, so threads use every core.
    """
    store = store or Store()
    paths = [
        Path(folder, name) for folder, _, names in os.walk(site) for name in names if name.endswith(SUFFIXES)
    ]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return sum(pool.map(lambda path: _copy(store, path), paths))
