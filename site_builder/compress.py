"""Pre-compressed copies of the built site's text files, so no server compresses on the fly.

Each text asset of at least MIN_BYTES gets a `.gz` beside it (gzip, mtime 0, so a rebuild of the
same content writes the same bytes). `jianxi serve` sends it to clients that accept gzip; nginx's
`gzip_static on;` uses the same files.

A full build keeps its copies in the build cache by a hash of the bytes they compress: a file that
a previous build compressed already (most of them, from one build to the next) gets that copy as a
hard link, so only the files that changed are compressed and written. A copy is never written
through once made (it may be a file of several builds at once), only replaced by a rename.
"""

import gzip
import hashlib
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SUFFIXES = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".map")
# Below this a gzip header and a request's worth of overhead outweigh the saving.
MIN_BYTES = 1024
LEVEL = 6  # zlib's default: within 1 % of level 9 on these pages at a third of the time


def _place(source: Path, target: Path) -> None:
    """target, the same file as source: a hard link, or a copy across file systems."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


class _Copies:
    """The `.gz` copies of one site, made or taken from the cache folder when there is one."""

    def __init__(self, cache: Path | None) -> None:
        self.cache = cache

    def compress(self, path: Path) -> str | None:
        """Write path's copy; return the cache's name for it ("" without a cache), None when
        path is too small to be worth one."""
        data = path.read_bytes()
        if len(data) < MIN_BYTES:
            return None
        target = Path(f"{path}.gz")
        if self.cache is None:
            target.write_bytes(gzip.compress(data, compresslevel=LEVEL, mtime=0))
            return ""
        name = hashlib.blake2b(data, digest_size=20).hexdigest()
        kept = self.cache / name[:2] / name
        if not kept.is_file():
            kept.parent.mkdir(exist_ok=True)
            partial = kept.with_name(f".{name}.{os.getpid()}.{threading.get_ident()}")
            partial.write_bytes(gzip.compress(data, compresslevel=LEVEL, mtime=0))
            os.replace(partial, kept)
        target.unlink(missing_ok=True)  # MkDocs writes sitemap.xml.gz itself
        _place(kept, target)
        return name

    def prune(self, used: set[str]) -> None:
        """Remove the cached copies no file of this build used."""
        assert self.cache is not None  # nosec B101  # only called with a cache
        for folder in self.cache.iterdir():
            for kept in folder.iterdir() if folder.is_dir() else ():
                if kept.name not in used:
                    kept.unlink()


def precompress(site: Path, cache: Path | None = None) -> int:
    """Write `<file>.gz` beside every text file of site worth compressing; return how many.

    cache: the folder of a previous build's copies (see above), None to compress every file.
    zlib and hashlib let go of the GIL while they work, so threads use every core.
    """
    paths = [
        Path(folder, name) for folder, _, names in os.walk(site) for name in names if name.endswith(SUFFIXES)
    ]
    copies = _Copies(cache)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        names = [name for name in pool.map(copies.compress, paths) if name is not None]
    if cache is not None:
        copies.prune(set(names))
    return len(names)
