"""What the worker logs names no one: no query strings, resubmit tokens, addresses or numbers."""

import datetime as dt
import logging
import secrets
import urllib.request
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from form_worker.core import logs
from tests.browser.conftest import serve_app

TOKEN = secrets.token_urlsafe(32)


@pytest.mark.parametrize(
    ("line", "kept", "gone"),
    [
        (
            '"GET /staff/applications?q=陈示例&state=checked HTTP/1.1" 200',
            "/staff/applications?[query]",
            "陈示例",
        ),
        (f'"GET /submit/{TOKEN} HTTP/1.1" 200', "/submit/[token]", TOKEN),
        (f'"POST /submit/draft/{TOKEN} HTTP/1.1" 200', "/submit/draft/[token]", TOKEN),
        ("outbox 7: permanent failure: 550 <chen.shili@example.com> no such user", "[email]", "chen.shili"),
        ("phone 13800001234 or 023-63002289", "023-63002289", "13800001234"),
        ("phone +8613812345678 in a path", "[phone]", "13812345678"),
        ("/x/138-1234-5678", "[phone]", "1234-5678"),
        ('"GET /staff/applications?x=\'q=陈晓明 HTTP/1.1"', "?[query] HTTP/1.1", "陈晓明"),
        ("id 50010219990101123X", "[id-number]", "50010219990101123X"),
    ],
    ids=[
        "query",
        "token",
        "draft-token",
        "email",
        "phone",
        "phone-86",
        "phone-dashed",
        "query-with-quote",
        "id-number",
    ],
)
def test_scrub_masks_what_names_a_person(line: str, kept: str, gone: str) -> None:
    cleaned = logs.scrub(line)
    assert kept in cleaned and gone not in cleaned


def test_the_dev_servers_request_log_is_scrubbed(app, caplog) -> None:
    """`jianxi serve` writes werkzeug's request lines; with the filter they keep method, path, status."""
    logs.install()
    with caplog.at_level(logging.INFO, logger="werkzeug"), serve_app(app) as base_url:
        for path in ("/status?q=%E9%99%88%E7%A4%BA%E4%BE%8B", f"/submit/{TOKEN}"):
            try:
                urllib.request.urlopen(base_url + path).close()
            except urllib.error.HTTPError:
                pass
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any('"GET /status?[query] HTTP/1.1" 200' in line for line in lines), lines
    assert any("/submit/[token]" in line for line in lines), lines
    assert not any("陈示例" in line or TOKEN in line or "%E9%99%88" in line for line in lines)


def test_gunicorn_access_log_fields_are_scrubbed() -> None:
    logger = logs.GunicornLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/submit/{TOKEN}?q=陈",
        "PATH_INFO": f"/submit/{TOKEN}",
        "QUERY_STRING": "q=陈",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://forms.example.cn/staff/applications?q=陈示例",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=10)
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms(response, request, environ, dt.timedelta(seconds=1))
    assert atoms["r"] == "GET /submit/[token]?[query] HTTP/1.1"
    assert atoms["U"] == "/submit/[token]" and atoms["q"] == "[query]"
    assert "陈" not in atoms["f"] and "陈" not in atoms["{referer}i"] and atoms["s"] == "200"


def test_a_traceback_is_scrubbed_too(caplog) -> None:
    """A database error quotes its statement's values; the filter masks the formatted traceback."""
    logger = logging.getLogger("jianxi.test.traceback")
    logger.addFilter(logs.ScrubFilter())
    try:
        raise ValueError("[parameters: {'email': 'leaky.person@example.edu.cn', 'phone': '13800001234'}]")
    except ValueError:
        logger.exception("insert failed")
    [record] = [r for r in caplog.records if r.name == "jianxi.test.traceback"]
    text = logging.Formatter().format(record)
    assert "insert failed" in text and "ValueError" in text
    assert "leaky.person" not in text and "13800001234" not in text and "[email]" in text
