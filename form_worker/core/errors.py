"""Chinese error pages for every status a visitor can meet; never a stack trace."""

import logging
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)

MESSAGES = {
    400: ("请求有误", "请返回上一页重试。"),
    403: ("没有权限", "这个页面或操作只有管理员可以使用。如需开通，请联系管理员。"),
    404: ("页面不存在", "您访问的页面不存在或已下线。"),
    405: ("不支持的操作", "请返回上一页重试。"),
    413: ("提交的内容太大", "提交的内容超过了允许的大小，请精简个人陈述等长文本后再试。"),
    429: ("操作太频繁", "您提交得太频繁了，请稍等一分钟再试。"),
    500: ("服务器出错了", "抱歉，服务器暂时出了问题，请稍后再试。您填写的内容没有提交。"),
}


def _bind_to_worker_url() -> None:
    """A request with a Host outside TRUSTED_HOSTS gets no URL adapter from Flask (that is its 400),
    so its error page, which links to the stylesheet and /status, builds them on WORKER_URL."""
    if request_ctx.url_adapter is None:
        url = urlsplit(current_app.config["WORKER_URL"])
        request_ctx.url_adapter = current_app.url_map.bind(
            url.netloc, script_name=url.path or "/", url_scheme=url.scheme
        )


def _page(code: int):
    _bind_to_worker_url()
    title, message = MESSAGES.get(code, MESSAGES[400])
    return render_template("error.html", title=title, message=message), code


def _csrf(_error: CSRFError):
    """A stale or missing token on a page without its own handler (the forms' blueprints have one)."""
    return render_template(
        "error.html", title="页面已过期", message="页面停留时间过长，请返回上一页刷新后再提交。"
    ), 400


def _http(error: HTTPException):
    return _page(error.code or 500)


def _unexpected(error: Exception):
    logger.exception("unhandled error on %s", request.path)
    return _page(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)
