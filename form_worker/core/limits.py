"""Per-IP rate limits on form posts (Flask-Limiter; memory by default, Redis when configured)."""

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def post_limit() -> str:
    return current_app.config["RATELIMIT_POST"]
