"""Absolute addresses on the worker, for emails and for links that leave the page.

They start with WORKER_URL from the configuration, never with the request's Host header: a forged
Host must not put its own address into a review link that every staff member receives.
"""

from typing import Any

from flask import current_app, url_for


def external(endpoint: str, **values: Any) -> str:
    """The absolute address of a worker page, as url_for builds its path."""
    return current_app.config["WORKER_URL"].rstrip("/") + url_for(endpoint, **values)
