"""The request handler `jianxi serve` runs: errors the HTTP layer answers itself, in Chinese, with
the same security headers as every page.

A malformed request line, a path or header too long, an unknown HTTP version: werkzeug's server
answers these before Flask sees a request, with Python's English "Error response" page and no
headers. A request too broken to name its version would be answered as HTTP/0.9, with no status
line or headers at all; it gets an HTTP/1.0 answer instead.

When a client hangs up mid-response, werkzeug's server raises out of its clean-up before it closes
the response, leaving a served file open until the garbage collector finds it; `closing` notes
each response in its environ so `connection_dropped` can close it.
"""

from collections.abc import Iterable
from html import escape
from http import HTTPStatus
from typing import Any

from werkzeug.serving import WSGIRequestHandler

from .headers import HEADERS, WORKER_POLICY

RESPONSE = "jianxi.response"


def closing(app: Any) -> Any:
    """The WSGI app, noting each response where RequestHandler.connection_dropped finds it."""

    def noted(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        response = app(environ, start_response)
        environ[RESPONSE] = response
        return response

    return noted


PAGE = """<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>请求有误 - 重庆市大学生科技见习计划</title></head>
<body><h1>请求有误（{code}）</h1><p>浏览器发来的请求无法处理，请返回<a href="/">首页</a>重试。</p></body>
</html>
"""


class RequestHandler(WSGIRequestHandler):
    def connection_dropped(self, error: BaseException, environ: dict[str, Any] | None = None) -> None:
        close = getattr((environ or {}).get(RESPONSE), "close", None)
        if close is not None:
            close()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        self.log_error("code %d, message %s", code, message or HTTPStatus(code).phrase)
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"
        self.send_response(code, message)
        self.send_header("Connection", "close")
        for name, value in (*HEADERS.items(), ("Content-Security-Policy", WORKER_POLICY)):
            self.send_header(name, value)
        body = b""
        if code >= 200 and code not in (
            HTTPStatus.NO_CONTENT,
            HTTPStatus.RESET_CONTENT,
            HTTPStatus.NOT_MODIFIED,
        ):
            body = PAGE.format(code=escape(str(code))).encode()
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)
