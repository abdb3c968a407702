"""Email transports, chosen by MAIL_URL.

Transports follow one small interface, like Huey's storages: `folder://PATH` writes .eml files for a
newcomer's machine, `smtp://user:pass@host:port` (add `?starttls=1` for STARTTLS) and `smtps://`
talk to a real server. Failures are sorted into temporary (retry) and permanent (staff look).
"""

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class TemporaryFailure(Exception):
    """The server or network said "not now" (SMTP 4xx, connection trouble): try again later."""


class PermanentFailure(Exception):
    """The server refused for good (SMTP 5xx): retrying will not help."""


class Sender:
    """Delivers one message. Implementations raise TemporaryFailure or PermanentFailure."""

    def send(self, message: EmailMessage) -> None:
        raise NotImplementedError


class FolderSender(Sender):
    """Writes each message as <Message-ID>.eml, so a resend overwrites instead of doubling."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("/", "_") + ".eml"
        temporary = self.folder / (name + ".part")
        temporary.write_bytes(message.as_bytes())
        temporary.replace(self.folder / name)


class SmtpSender(Sender):
    # An empty default means no login, not a password.
    def __init__(self, host: str, port: int, user: str = "", password: str = "", mode: str = "plain") -> None:  # nosec B107
        self.host, self.port, self.user, self.password, self.mode = host, port, user, password, mode

    def send(self, message: EmailMessage) -> None:
        try:
            client: smtplib.SMTP
            if self.mode == "ssl":
                client = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=30, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=30)
            with client:
                if self.mode == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.user:
                    client.login(self.user, self.password)
                client.send_message(message)
        except smtplib.SMTPResponseException as error:
            kind = TemporaryFailure if 400 <= error.smtp_code < 500 else PermanentFailure
            raise kind(f"{error.smtp_code} {error.smtp_error!r}") from error
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            kind = TemporaryFailure if all(400 <= c < 500 for c in codes) else PermanentFailure
            raise kind(str(error.recipients)) from error
        except (OSError, smtplib.SMTPException) as error:
            raise TemporaryFailure(repr(error)) from error


def sender_from_url(url: str) -> Sender:
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
