"""Every setting of the worker, read from the environment in this one place.

The README lists each variable with its default. Defaults give a newcomer's machine an embedded
set-up: SQLite, SqliteHuey and mail written as files into the instance folder.
"""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

SETTINGS = (
    "INSTANCE_PATH",
    "SECRET_KEY",
    "DATABASE_URL",
    "HUEY_URL",
    "MAIL_URL",
    "MAIL_FROM",
    "CATALOGUE_URL",
    "PROGRAMME_YEAR",
    "POSITIONS_ROOT",
    "SITE_DIR",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_POST",
    "OUTBOX_CLAIM_TIMEOUT",
    "PUBLISH_AUTHOR",
    "REBUILD_INTERVAL",
    "TRUSTED_PROXIES",
)


def secret_key(instance: Path) -> str:
    """A random key kept in the instance folder, so sessions survive a restart of `make run`."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
    return path.read_text(encoding="ascii").strip()


def load(environ: Mapping[str, str] = os.environ) -> dict[str, object]:
    """Return the worker's configuration: environment values over embedded defaults."""
    env = {name: environ[name] for name in SETTINGS if environ.get(name)}
    instance = Path(env.get("INSTANCE_PATH", "instance")).resolve()
    return {
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": env.get("SECRET_KEY"),
        "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{instance / 'jianxi.sqlite3'}"),
        "HUEY_URL": env.get("HUEY_URL", f"sqlite:///{instance / 'huey.sqlite3'}"),
        "MAIL_URL": env.get("MAIL_URL", f"folder://{instance / 'outbox'}"),
        "MAIL_FROM": env.get("MAIL_FROM", "重庆市大学生科技见习计划 <noreply@jianxi.localhost>"),
        "CATALOGUE_URL": env.get("CATALOGUE_URL", "http://127.0.0.1:8000/"),
        "PROGRAMME_YEAR": int(env.get("PROGRAMME_YEAR", "2026")),
        "POSITIONS_ROOT": str(Path(env.get("POSITIONS_ROOT", ".")).resolve()),
        # Not resolved: SITE_DIR is a symlink that publishing switches to each new build.
        "SITE_DIR": os.path.abspath(env.get("SITE_DIR", "site")),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_POST": env.get("RATELIMIT_POST", "20 per minute"),
        "OUTBOX_CLAIM_TIMEOUT": int(env.get("OUTBOX_CLAIM_TIMEOUT", "300")),
        "PUBLISH_AUTHOR": env.get("PUBLISH_AUTHOR", "jianxi <jianxi@localhost>"),
        "REBUILD_INTERVAL": int(env.get("REBUILD_INTERVAL", "60")),
        # How many reverse proxies in front of the worker set X-Forwarded-For (nginx: 1). With 0,
        # the forwarded headers are ignored, since anyone could send them.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
    }
