"""Email messages rendered from one template folder each (subject.txt, body.txt, body.html)."""

import datetime as dt
import uuid
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import cast

from flask import current_app, has_app_context
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from site_builder.model.window import closes_text

from ..core import config

_templates = Environment(
    loader=PackageLoader("form_worker", "templates/email"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    # Package files that change only with a deploy: no stat() per render.
    auto_reload=False,
)


def _setting(name: str) -> str:
    """A setting of the app rendering the email, or the environment's outside any app (a script
    or a test that records an application directly)."""
    settings = current_app.config if has_app_context() else config.load()
    return str(settings[name])


def worker_page(path: str) -> str:
    """The absolute address of a worker page for an email, from WORKER_URL.

    A global of the email templates, so that every applicant's email links /status without each
    step of the state machine carrying the address (issue 22).
    """
    return _setting("WORKER_URL").rstrip("/") + path


def registration_url() -> str:
    """Where graduates register nationally (REGISTRATION_URL): the receipt reminds those who have not."""
    return _setting("REGISTRATION_URL")


def collection_deadline() -> str:
    """The collection window's end (COLLECTION_CLOSES), as a receipt for a late submission names it."""
    settings = current_app.config if has_app_context() else config.load()
    return closes_text(cast(dt.date, settings["COLLECTION_CLOSES"]))  # a date: config.load parses it


_templates.globals.update(
    worker_page=worker_page, registration_url=registration_url, collection_deadline=collection_deadline
)


def render(kind: str, **context: object) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one kind of message (a folder under templates/email)."""
    subject = _templates.get_template(f"{kind}/subject.txt").render(**context)
    text = _templates.get_template(f"{kind}/body.txt").render(**context)
    html = _templates.get_template(f"{kind}/body.html").render(**context)
    return " ".join(subject.split()), text, html


def new_message_id(sender: str) -> str:
    domain = sender.rsplit("@", 1)[-1].strip(" >") or "jianxi.localhost"
    return make_msgid(domain=domain)


def build_message(
    sender: str, recipient: str, subject: str, text: str, html: str, message_id: str, date: dt.datetime
) -> MIMEMultipart:
    """A multipart/alternative message: non-ASCII headers as UTF-8 encoded words, bodies in base64.

    Built with the email package's compat32 classes (email.mime), not EmailMessage: the modern
    policy parses and refolds every header, which cost 4.8 ms a message (build and flatten) against
    0.75 ms here, more than the SMTP conversation itself (issue 24, bench/mail.py). The bytes on the
    wire are the same kind of MIME; a reader parses them back to the same headers and text.
    """
    # A boundary of our own spares the generator its search of the parts for a free one (a regex
    # compiled per message): base64 lines cannot hold "--", so no part line can start like it.
    message = MIMEMultipart("alternative", boundary=f"=_{uuid.uuid4().hex}")
    message["From"] = formataddr(parseaddr(sender), charset="utf-8")
    message["To"] = recipient
    message["Subject"] = subject  # encoded as UTF-8 words when it is not ASCII
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(date.replace(tzinfo=dt.UTC))
    message.attach(MIMEText(text, "plain", "utf-8"))
    message.attach(MIMEText(html, "html", "utf-8"))
    return message
