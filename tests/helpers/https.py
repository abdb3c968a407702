"""A visitor's browser over real HTTPS, for tests of a deployment: cookies kept, the last page sent
as the Referer, redirects shown rather than followed, with the get/post of Flask's test client, so
the form helpers (Applicant, Clerk, Reviewer) drive a deployed site as in-process."""

import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode, urljoin


@dataclass
class Reply:
    status_code: int
    headers: Message
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


class _ShowRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the redirect is answered as it is, as Flask's test client does


def _pairs(data: object) -> list[tuple[str, str]]:
    """Form fields as a browser sends them: a list (or a MultiDict's several values) as repeats."""
    if hasattr(data, "items") and hasattr(data, "getlist"):
        return [(key, str(value)) for key, value in data.items(multi=True)]
    pairs = []
    for key, value in dict(data).items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, str(item)))
    return pairs


class Browser:
    """One person's browser on a site at base_url whose certificate cafile vouches for."""

    def __init__(self, base_url: str, cafile: Path) -> None:
        self.base_url = base_url
        context = ssl.create_default_context(cafile=str(cafile))
        self.cookies = CookieJar()
        self.page = ""  # the last page opened
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(self.cookies),
            _ShowRedirects(),
        )

    def open(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Reply:
        url = urljoin(self.base_url, path)
        # As a browser under Referrer-Policy same-origin: Flask-WTF checks it on HTTPS posts.
        referer = {"Referer": self.page} if self.page else {}
        request = urllib.request.Request(url, data=body, headers=referer | (headers or {}), method=method)
        self.page = url
        try:
            with self.opener.open(request, timeout=120) as response:
                return Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:  # 3xx, 4xx and 5xx alike are answers
            with error:
                return Reply(error.code, error.headers, error.read())

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        return self.open("GET", path, headers=headers)

    def post(self, path: str, data: object = None, headers: dict[str, str] | None = None) -> Reply:
        body = urlencode(_pairs(data or {})).encode()
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.open("POST", path, body, form | (headers or {}))
