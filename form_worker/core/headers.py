"""Security headers on every response `jianxi serve` gives: worker pages and the static catalogue.

Worker pages have no script and no inline style, so their policy allows only their own
stylesheet. Catalogue pages are MkDocs Material's: its bundle from 'self', plus two small inline
scripts in every page (one sets the page's scope, which differs with its depth), allowed by their
hashes, which site.py computes from the file it serves; the search page's Pagefind compiles its
WebAssembly, which 'wasm-unsafe-eval' allows (it allows no JavaScript eval). Nothing comes from another
host. The README lists the same headers for nginx.
"""

import base64
import functools
import hashlib
import re
from pathlib import Path

from flask import Flask, Response, request

WORKER_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
CATALOGUE_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
HSTS = "max-age=31536000"
# Inline scripts: a <script> without src; JSON data blocks (Material's __config) never execute.
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src|type)=)[^>]*>(.*?)</script>", re.S)


@functools.lru_cache(maxsize=4096)
def _script_hashes(path: str, _mtime_ns: int, _size: int) -> str:
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    digests = {
        base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        for script in _INLINE_SCRIPT.findall(text)
    }
    return "".join(f" 'sha256-{digest}'" for digest in sorted(digests))


def catalogue_policy(page: Path) -> str:
    """The policy of one built catalogue page: its inline scripts allowed by hash, nothing else.

    Cached by file, modification time and size, so a rebuild's new page is hashed anew.
    """
    stat = page.stat()
    return CATALOGUE_POLICY.format(hashes=_script_hashes(str(page), stat.st_mtime_ns, stat.st_size))


def _secure(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy", WORKER_POLICY)
    if request.is_secure:  # behind nginx with TRUSTED_PROXIES, from X-Forwarded-Proto
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_secure)
