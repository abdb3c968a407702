"""Email messages rendered from one template folder each (subject.txt, body.txt, body.html)."""

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_templates = Environment(
    loader=PackageLoader("form_worker", "templates/email"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    # Package files that change only with a deploy: no stat() per render.
    auto_reload=False,
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
) -> EmailMessage:
    """A multipart/alternative message; the email package encodes Chinese headers and bodies."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(date.replace(tzinfo=dt.UTC))
    message.set_content(text, charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message
