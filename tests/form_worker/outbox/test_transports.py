import datetime as dt
import email
import email.policy
import socket
from pathlib import Path

import pytest
from jinja2 import Environment
from jinja2.meta import find_undeclared_variables

from form_worker.outbox.rendering import build_message, new_message_id, render
from form_worker.outbox.transports import (
    FolderSender,
    PermanentFailure,
    SmtpSender,
    TemporaryFailure,
    sender_from_url,
)
from tests.conftest import ROOT
from tests.helpers.mailserver import free_port

MAIL_FROM = "重庆市大学生科技见习计划 <noreply@jianxi.test>"
SUBJECT = "报名已收到（JX2026-000001）· 重庆市大学生科技见习计划"
TEXT = "陈示例同学，您好：\n\n我们已收到您的见习报名，报名编号：JX2026-000001\n"
HTML = "<p>陈示例同学，您好：</p><p>报名编号：<strong>JX2026-000001</strong></p>"
HOSTILE = "<script>alert('见习')</script>"
TEMPLATES = ROOT / "form_worker" / "templates" / "email"


def chinese_message(message_id: str | None = None):
    return build_message(
        MAIL_FROM,
        "chen@example.com",
        SUBJECT,
        TEXT,
        HTML,
        message_id or new_message_id(MAIL_FROM),
        dt.datetime(2026, 11, 27, 8, 30),
    )


def test_smtp_delivers_chinese_message(smtp_server) -> None:
    message = chinese_message()
    SmtpSender("127.0.0.1", smtp_server.port).send(message)

    [received] = smtp_server.mailbox.messages
    assert received["Subject"] == SUBJECT
    assert received["Message-ID"] == message["Message-ID"]
    assert received["From"].addresses[0].display_name == "重庆市大学生科技见习计划"
    assert received["To"] == "chen@example.com"
    assert received.get_content_type() == "multipart/alternative"
    # SMTP carries CRLF line ends; the words must come back unchanged.
    assert received.get_body(("plain",)).get_content().replace("\r\n", "\n") == TEXT
    assert received.get_body(("html",)).get_content().strip() == HTML


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
def test_smtp_4xx_is_temporary(smtp_server, stage: str) -> None:
    smtp_server.mailbox.stage, smtp_server.mailbox.busy = stage, 1
    with pytest.raises(TemporaryFailure, match="451"):
        SmtpSender("127.0.0.1", smtp_server.port).send(chinese_message())
    assert smtp_server.mailbox.messages == []


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
def test_smtp_5xx_is_permanent(smtp_server, stage: str) -> None:
    smtp_server.mailbox.stage, smtp_server.mailbox.reject = stage, True
    with pytest.raises(PermanentFailure, match="550"):
        SmtpSender("127.0.0.1", smtp_server.port).send(chinese_message())
    assert smtp_server.mailbox.messages == []


def test_connection_refused_is_temporary() -> None:
    with pytest.raises(TemporaryFailure):
        SmtpSender("127.0.0.1", free_port()).send(chinese_message())


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://user:pass@mail.example.com:2525?starttls=1",
            ("mail.example.com", 2525, "user", "pass", "starttls"),
        ),
        ("smtp://mail.example.com", ("mail.example.com", 25, "", "", "plain")),
        (
            "smtp://u%40example.com:p%2Fw%40rd@127.0.0.1:1025",
            ("127.0.0.1", 1025, "u@example.com", "p/w@rd", "plain"),
        ),
        ("smtps://user:pass@mail.example.com", ("mail.example.com", 465, "user", "pass", "ssl")),
        ("smtps://mail.example.com:2465", ("mail.example.com", 2465, "", "", "ssl")),
    ],
)
def test_sender_from_smtp_url(url: str, expected: tuple) -> None:
    sender = sender_from_url(url)
    assert isinstance(sender, SmtpSender)
    assert (sender.host, sender.port, sender.user, sender.password, sender.mode) == expected


@pytest.mark.parametrize(
    ("url", "folder"),
    [
        ("folder:///srv/jianxi/outbox", Path("/srv/jianxi/outbox")),
        ("folder://instance/outbox", Path("instance/outbox")),
    ],
)
def test_sender_from_folder_url(url: str, folder: Path) -> None:
    sender = sender_from_url(url)
    assert isinstance(sender, FolderSender)
    assert sender.folder == folder


@pytest.mark.parametrize("url", ["mailto:staff@example.com", "http://127.0.0.1:8025", "outbox"])
def test_sender_from_unknown_url(url: str) -> None:
    with pytest.raises(ValueError, match="MAIL_URL"):
        sender_from_url(url)


def test_folder_writes_one_file_per_message_id(tmp_path: Path) -> None:
    sender = FolderSender(tmp_path / "outbox")
    first, second = chinese_message(), chinese_message()
    sender.send(first)
    sender.send(second)
    resent = chinese_message(first["Message-ID"])
    resent.replace_header("To", "chen.resent@example.com")
    sender.send(resent)

    files = sorted((tmp_path / "outbox").iterdir())
    assert len(files) == 2
    assert all(f.suffix == ".eml" for f in files)
    by_id = {
        m["Message-ID"]: m
        for m in (email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files)
    }
    assert set(by_id) == {first["Message-ID"], second["Message-ID"]}
    assert by_id[first["Message-ID"]]["To"] == "chen.resent@example.com"
    assert by_id[second["Message-ID"]]["Subject"] == SUBJECT


class Hostile:
    """Any value a template asks for (an attribute, an item, a call, a loop): prints as a script tag."""

    def __str__(self) -> str:
        return HOSTILE

    def __getattr__(self, name: str) -> "Hostile":
        if name.startswith(("_", "jinja_")):  # __html__ would mark it safe; jinja_* are Jinja's hooks
            raise AttributeError(name)
        return self

    def __getitem__(self, key: object) -> "Hostile":
        return self

    def __call__(self, *args: object, **kwargs: object) -> "Hostile":
        return self

    def __iter__(self):
        return iter([self])

    def __len__(self) -> int:
        return 1


KINDS = sorted(p.name for p in TEMPLATES.iterdir() if p.is_dir())


@pytest.mark.parametrize("kind", KINDS)
def test_render_escapes_html_only(kind: str) -> None:
    """Every variable of every template, hostile: escaped in body.html, as typed in the text parts."""
    parse = Environment().parse
    names = set().union(
        *(find_undeclared_variables(parse(f.read_text())) for f in (TEMPLATES / kind).iterdir())
    )
    subject, text, html = render(kind, **dict.fromkeys(names, Hostile()))
    assert subject and "\n" not in subject
    assert HOSTILE in text
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;见习&#39;)&lt;/script&gt;" in html


@pytest.mark.parametrize("kind", KINDS)
def test_every_html_email_fits_a_phone(kind: str) -> None:
    """Without a viewport, mobile mail apps lay the message out 980 px wide and the text is tiny."""
    html = (TEMPLATES / kind / "body.html").read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width,initial-scale=1">' in html


def test_smtp_keeps_its_connection_between_messages_within_limits(smtp_server) -> None:
    """Issue 24: one connection serves many messages (at most MESSAGES_PER_CONNECTION), a refusal
    closes it, and a connection idle for CHECK_AFTER seconds is checked first: one the server
    dropped meanwhile is replaced before the next message, which still arrives once."""
    mailbox = smtp_server.mailbox
    sender = SmtpSender("127.0.0.1", smtp_server.port)
    sender.MESSAGES_PER_CONNECTION = 3
    for _ in range(4):
        sender.send(chinese_message())
    peers = mailbox.peers
    assert len(peers) == 4 and peers[0] == peers[1] == peers[2] != peers[3]
    assert mailbox.noops == 0  # each reuse came moments after the last answer

    mailbox.reject = True
    with pytest.raises(PermanentFailure):
        sender.send(chinese_message())
    mailbox.reject = False
    sender.send(chinese_message())
    assert mailbox.peers[-1] != peers[3]  # the refusal closed the connection

    sender.CHECK_AFTER = 0  # from now on every reuse comes after an idle spell
    sender.send(chinese_message())
    assert mailbox.noops == 1 and mailbox.peers[-1] == mailbox.peers[-2]
    sender._held.client.sock.shutdown(socket.SHUT_RDWR)  # the server (or a network) dropped it meanwhile
    last = chinese_message()
    sender.send(last)
    assert len(mailbox.with_id(last["Message-ID"])) == 1
    assert len(set(mailbox.peers)) == 4
    sender.close()


def test_smtp_connection_dropped_within_the_moment_fails_that_message_for_now(smtp_server) -> None:
    """Without a NOOP before a message sent moments after the last, a connection the server dropped
    in between fails the message as temporary (the outbox retries it); the next gets a new one."""
    sender = SmtpSender("127.0.0.1", smtp_server.port)
    sender.send(chinese_message())
    sender._held.client.sock.shutdown(socket.SHUT_RDWR)
    with pytest.raises(TemporaryFailure):
        sender.send(chinese_message())
    sender.send(chinese_message())
    mailbox = smtp_server.mailbox
    assert len(mailbox.messages) == 2 and len(set(mailbox.peers)) == 2 and mailbox.noops == 0
    sender.close()


def test_each_thread_holds_its_own_connection(smtp_server) -> None:
    import threading

    sender = SmtpSender("127.0.0.1", smtp_server.port)
    threads = [
        threading.Thread(target=lambda: [sender.send(chinese_message()) for _ in range(3)]) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(smtp_server.mailbox.messages) == 6 and len(set(smtp_server.mailbox.peers)) == 2
