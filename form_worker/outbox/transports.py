"""Email transports, chosen by MAIL_URL.

Transports follow one small interface, like Huey's storages: `folder://PATH` writes .eml files for a
newcomer's machine, `smtp://user:pass@host:port` (add `?starttls=1` for STARTTLS) and `smtps://`
talk to a real server. Failures are sorted into temporary (retry) and permanent (staff look).
"""

import functools
import smtplib
import ssl
import threading
import time
import weakref
from email.message import Message
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class TemporaryFailure(Exception):
    """The server or network said "not now" (SMTP 4xx, connection trouble): try again later."""


class PermanentFailure(Exception):
    """The server refused for good (SMTP 5xx): retrying will not help."""


class Sender:
    """Delivers one message. Implementations raise TemporaryFailure or PermanentFailure."""

    def send(self, message: Message) -> None:
        raise NotImplementedError


class FolderSender(Sender):
    """Writes each message as <Message-ID>.eml, so a resend overwrites instead of doubling."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: Message) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("/", "_") + ".eml"
        temporary = self.folder / (name + ".part")
        temporary.write_bytes(message.as_bytes())
        temporary.replace(self.folder / name)


class SmtpSender(Sender):
    """Sends over SMTP, keeping the connection open between messages (issue 24): connecting,
    EHLO, STARTTLS and LOGIN cost more than a message. Each thread of a consumer holds its own
    connection, for at most MESSAGES_PER_CONNECTION messages; a connection idle for CHECK_AFTER
    seconds or more is checked with a NOOP first and replaced when the server closed it, so a
    message is only ever sent on a connection seen alive moments before, as on a new one (a NOOP
    before each message of a busy stream cost a sixth of the throughput). A failure closes the
    connection; a server that drops one within the moment fails that message for now (a retry)."""

    MESSAGES_PER_CONNECTION = 100
    CHECK_AFTER = 2.0  # seconds; servers drop idle connections after tens of seconds or minutes

    # An empty default means no login, not a password.
    def __init__(self, host: str, port: int, user: str = "", password: str = "", mode: str = "plain") -> None:  # nosec B107
        self.host, self.port, self.user, self.password, self.mode = host, port, user, password, mode
        self._held = threading.local()
        # Every open connection, whichever thread holds it: a thread that ends drops its local, and
        # its connection would then be left for the garbage collector, unclosed. These are closed
        # when the sender goes, or at exit.
        self._open: set[smtplib.SMTP] = set()
        self._lock = threading.Lock()
        weakref.finalize(self, _close_all, self._open, self._lock)

    def _connect(self) -> smtplib.SMTP:
        client: smtplib.SMTP
        if self.mode == "ssl":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=30, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=30)
        if self.mode == "starttls":
            client.starttls(context=ssl.create_default_context())
        if self.user:
            client.login(self.user, self.password)
        return client

    def _client(self) -> smtplib.SMTP:
        """This thread's open connection if it is still alive and not used up, else a new one."""
        client, used = getattr(self._held, "client", None), getattr(self._held, "used", 0)
        if client is not None and used < self.MESSAGES_PER_CONNECTION:
            if time.monotonic() - self._held.answered < self.CHECK_AFTER:
                return client
            try:
                if client.noop()[0] == 250:
                    return client
            except (OSError, smtplib.SMTPException):
                pass
        self.close()
        client = self._connect()
        with self._lock:
            self._open.add(client)
        self._held.client, self._held.used, self._held.answered = client, 0, time.monotonic()
        return client

    def close(self) -> None:
        """End this thread's connection, if it holds one (QUIT, or just drop a broken one)."""
        client = getattr(self._held, "client", None)
        self._held.client = None
        if client is not None:
            with self._lock:
                self._open.discard(client)
            _quit(client)

    def send(self, message: Message) -> None:
        try:
            self._client().send_message(message)
            self._held.used += 1
            self._held.answered = time.monotonic()
        except smtplib.SMTPResponseException as error:
            self.close()
            kind = TemporaryFailure if 400 <= error.smtp_code < 500 else PermanentFailure
            raise kind(f"{error.smtp_code} {error.smtp_error!r}") from error
        except smtplib.SMTPRecipientsRefused as error:
            self.close()
            codes = [code for code, _ in error.recipients.values()]
            kind = TemporaryFailure if all(400 <= c < 500 for c in codes) else PermanentFailure
            raise kind(str(error.recipients)) from error
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise TemporaryFailure(repr(error)) from error


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


def _close_all(connections: set[smtplib.SMTP], lock: threading.Lock) -> None:
    with lock:
        held = list(connections)
        connections.clear()
    for client in held:
        _quit(client)


@functools.cache
def sender_from_url(url: str) -> Sender:
    """The sender of MAIL_URL, one per process and URL, so its SMTP connections serve every task."""
    parts = urlsplit(url)
    if parts.scheme == "folder":
        return FolderSender(Path(unquote(parts.netloc + parts.path)))
    if parts.scheme in ("smtp", "smtps"):
        query = parse_qs(parts.query)
        mode = "ssl" if parts.scheme == "smtps" else "starttls" if query.get("starttls") == ["1"] else "plain"
        return SmtpSender(
            parts.hostname or "127.0.0.1",
            parts.port or (465 if mode == "ssl" else 25),
            unquote(parts.username or ""),
            unquote(parts.password or ""),
            mode,
        )
    raise ValueError(f"MAIL_URL must start with folder://, smtp:// or smtps://, not {url!r}")
