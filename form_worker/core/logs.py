"""Logs without personal data: query strings, resubmit tokens, email addresses, phone numbers.

Staff search for applicants by name (`?q=陈`), a unit's resubmit link is `/submit/<token>` and
its draft's `/submit/draft/<token>`, and mail errors quote addresses; an access log would keep all
of them for as long as logs are kept. Every line the worker writes goes through `scrub`: the
filter below sits on the dev server's request log, the app's and the consumer's loggers, and
`GunicornLogger` does the same for gunicorn's access and error logs
(`gunicorn --logger-class form_worker.core.logs.GunicornLogger`).
"""

import logging
import re

from gunicorn import glogging

_RULES = (
    # A unit's resubmit or draft link, an invitation to set a password, a student's offer link.
    (re.compile(r"(/(?:submit/draft|submit|offer|staff/welcome)/)[A-Za-z0-9_.-]{16,}"), r"\1[token]"),
    # A query string runs to the next space: quotes inside it are the visitor's, not the log's.
    (re.compile(r"(/[^\s?]*)\?\S*"), r"\1?[query]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"), "[id-number]"),
    (re.compile(r"(?<![\d+])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"), "[phone]"),
)


def scrub(text: str) -> str:
    """The text with tokens, query strings, addresses and numbers that name a person masked."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


class ScrubFilter(logging.Filter):
    """Masks a record's message (its arguments and traceback included) before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            # A traceback quotes the failing statement and values: format it here, masked.
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


def install() -> None:
    """Put the filter on the root logger's handlers (where the app's loggers end) and on the
    werkzeug logger, whose request lines `jianxi serve` writes; once per process."""
    scrubber = ScrubFilter()
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        if not any(isinstance(f, ScrubFilter) for f in handler.filters):
            handler.addFilter(scrubber)
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, ScrubFilter) for f in werkzeug.filters):
        werkzeug.addFilter(scrubber)


class GunicornLogger(glogging.Logger):  # type: ignore[misc]  # gunicorn is untyped
    """gunicorn's logger with every access-log field and every error-log line scrubbed."""

    def setup(self, cfg: object) -> None:
        super().setup(cfg)
        self.error_log.addFilter(ScrubFilter())
        install()  # the app's own loggers end at the root logger

    def atoms(self, resp: object, req: object, environ: dict, request_time: object) -> dict:
        fields = super().atoms(resp, req, environ, request_time)
        if fields.get("q"):
            fields["q"] = "[query]"  # the bare query string, which no path pattern precedes
        return {name: scrub(value) if isinstance(value, str) else value for name, value in fields.items()}


def masked(email: str) -> str:
    """An address shown in part (a page after a save, an email naming another person's address):
    enough to recognise or spot a typo, not to read it off."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"
