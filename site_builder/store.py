"""The files of a build kept for the next one, each by a hash of its bytes (the build cache).

A full build writes every page and poster anew, though from one build to the next most come out
the same. With a store, a file is written once into the cache folder under its hash and placed in
the site as a hard link to it: a file that an earlier build wrote already costs a hash and a link,
no write. The `.gz` copy of a file is kept the same way under the hash of what it compresses
(site_builder.compress). Without a cache folder files are simply written.

A kept file is never written through once made (it may be a file of several builds at once, the
served one among them): files are made under a temporary name and renamed into place, and a build
replaces a file of its own by a rename, never by writing into it.
"""

import hashlib
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

FILES = "files"
COPIES = "gz"


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class Store:
    """The cache folder's kept files (None: none kept), and what this build placed from it."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.used: dict[str, set[str]] = {FILES: set(), COPIES: set()}
        self.placed: dict[str, tuple[str, int]] = {}  # a site file's path: its hash and size
        self._lock = threading.Lock()

    def put(self, target: Path, data: bytes) -> None:
        """target holds data: linked from the kept file when there is one, else written."""
        if self.folder is None:
            target.write_bytes(data)
            return
        key = digest(data)
        self.place(self.keep(FILES, key, lambda: data), target)
        self.placed[str(target)] = (key, len(data))

    def keep(self, kind: str, key: str, make: Callable[[], bytes]) -> Path:
        """The kept file of kind under key, made by make when missing; it counts as used."""
        assert self.folder is not None  # nosec B101  # callers hold a folder
        kept = self.folder / kind / key[:2] / key
        with self._lock:
            self.used[kind].add(key)
        if not kept.is_file():
            kept.parent.mkdir(parents=True, exist_ok=True)
            partial = kept.with_name(f".{key}.{os.getpid()}.{threading.get_ident()}")
            partial.write_bytes(make())
            os.replace(partial, kept)
        return kept

    @staticmethod
    def place(kept: Path, target: Path) -> None:
        """target, the same file as kept: a hard link, or a copy across file systems."""
        target.unlink(missing_ok=True)  # one MkDocs wrote itself (sitemap.xml.gz)
        try:
            os.link(kept, target)
        except OSError:
            shutil.copyfile(kept, target)

    def prune(self) -> None:
        """Remove the kept files this build did not use."""
        if self.folder is None:
            return
        for kind, used in self.used.items():
            folder = self.folder / kind
            for kept in folder.glob("*/*") if folder.is_dir() else ():
                if kept.name not in used:
                    kept.unlink()
