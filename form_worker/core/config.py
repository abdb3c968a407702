"""Every setting of the worker, read from the environment in this one place.

The README lists each variable with its default. Defaults give a newcomer's machine an embedded
set-up: SQLite, SqliteHuey and mail written as files into the instance folder.
"""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from site_builder.model.window import collection_closes, programme_year

SETTINGS = (
    "INSTANCE_PATH",
    "SECRET_KEY",
    "DATABASE_URL",
    "HUEY_URL",
    "MAIL_URL",
    "MAIL_FROM",
    "WORKER_URL",
    "CATALOGUE_URL",
    "TRUSTED_HOSTS",
    "PROGRAMME_YEAR",
    "COLLECTION_CLOSES",
    "REGISTRATION_URL",
    "POSITIONS_ROOT",
    "SITE_DIR",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_POST",
    "RATELIMIT_APPLY_STEPS",
    "FEEDBACK_LIMIT",
    "FEEDBACK_POSITION_LIMIT",
    "OUTBOX_CLAIM_TIMEOUT",
    "PUBLISH_AUTHOR",
    "REBUILD_INTERVAL",
    "POSITIONS_REMOTE",
    "POSITIONS_BRANCH",
    "SYNC_INTERVAL",
    "GIT_HOOK_SECRET",
    "DRAFT_DAYS",
    "RETAIN_UNPLACED_MONTHS",
    "RETAIN_PLACED_YEARS",
    "RETAIN_EMAIL_DAYS",
    "RETAIN_FEEDBACK_DAYS",
    "TRUSTED_PROXIES",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_NAME",
)


def secret_key(instance: Path) -> str:
    """A random key kept in the instance folder, so sessions survive a restart of `make run`."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
    return path.read_text(encoding="ascii").strip()


# Where `jianxi serve` listens unless told otherwise; the default address of forms and catalogue.
DEFAULT_ADDRESS = ("127.0.0.1", 8000)
LOOPBACK = ("127.0.0.1", "localhost")


def address_url(host: str, port: int) -> str:
    """The URL of a listening address; a wildcard address is reached on this machine as 127.0.0.1."""
    if host in ("", "0.0.0.0", "::"):  # nosec B104  # names the wildcard to replace it, binds nothing
        host = "127.0.0.1"
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def served_at(host: str, port: int, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """WORKER_URL and CATALOGUE_URL for `jianxi serve` on host:port, where the environment is silent.

    The serving process and its queue consumer both read them, so the links the consumer writes
    into emails point at the port actually served (`make run PORT=8101`), not at the default.
    """
    worker = environ.get("WORKER_URL") or address_url(host, port)
    return {"WORKER_URL": worker, "CATALOGUE_URL": environ.get("CATALOGUE_URL") or worker}


def trusted_hosts(listed: str | None, *urls: str) -> list[str]:
    """The Host names the worker answers to: TRUSTED_HOSTS if set, else those of its own URLs.

    Links in emails never come from the Host header, but Flask still refuses a foreign one with
    400, so a forged Host cannot even reach the views. A loopback URL also admits the other
    loopback names, so a newcomer's http://localhost:8000 works beside http://127.0.0.1:8000.
    """
    if listed:
        return [name.strip() for name in listed.split(",") if name.strip()]
    names = [urlsplit(url).hostname or "" for url in urls]
    if any(name in LOOPBACK for name in names):
        names += LOOPBACK
    return list(dict.fromkeys(name for name in names if name))


def flag(value: str) -> bool:
    """An on/off setting: 1, true, yes or on (any case) is on, anything else off."""
    return value.strip().lower() in ("1", "true", "yes", "on")


def load(environ: Mapping[str, str] = os.environ) -> dict[str, object]:
    """Return the worker's configuration: environment values over embedded defaults."""
    env = {name: environ[name] for name in SETTINGS if environ.get(name)}
    instance = Path(env.get("INSTANCE_PATH", "instance")).resolve()
    worker = env.get("WORKER_URL", address_url(*DEFAULT_ADDRESS))
    catalogue = env.get("CATALOGUE_URL", worker)
    huey = env.get("HUEY_URL", f"sqlite:///{instance / 'huey.sqlite3'}")
    secure = (
        flag(env["SESSION_COOKIE_SECURE"]) if "SESSION_COOKIE_SECURE" in env else worker.startswith("https:")
    )
    return {
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": env.get("SECRET_KEY"),
        "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{instance / 'jianxi.sqlite3'}"),
        "HUEY_URL": huey,
        "MAIL_URL": env.get("MAIL_URL", f"folder://{instance / 'outbox'}"),
        "MAIL_FROM": env.get("MAIL_FROM", "重庆市大学生科技见习计划 <noreply@jianxi.localhost>"),
        # Every absolute link in a page or an email starts with one of these two, never with the
        # request's Host. `jianxi serve` sets both to the address it listens on unless they are set.
        "WORKER_URL": worker,
        "CATALOGUE_URL": catalogue,
        "TRUSTED_HOSTS": trusted_hosts(env.get("TRUSTED_HOSTS"), worker, catalogue),
        "PROGRAMME_YEAR": programme_year(env),
        # The last day of position collection (a date; it ends at 24:00 Beijing time), default
        # 30 June of PROGRAMME_YEAR. The catalogue build reads the same setting with the same parser.
        "COLLECTION_CLOSES": collection_closes(env),
        # Where the notice has graduates register and choose positions (智慧科协见习计划系统): /apply,
        # its check and done pages and the receipt remind those who have not registered there.
        "REGISTRATION_URL": env.get("REGISTRATION_URL", "https://kjxjh-kc.cast.org.cn"),
        "POSITIONS_ROOT": str(Path(env.get("POSITIONS_ROOT", ".")).resolve()),
        # Not resolved: SITE_DIR is a symlink that publishing switches to each new build.
        "SITE_DIR": os.path.abspath(env.get("SITE_DIR", "site")),
        # Limits shared by every process: Redis when the queue is on Redis, else this process only.
        "RATELIMIT_STORAGE_URI": env.get(
            "RATELIMIT_STORAGE_URI", huey if huey.startswith("redis") else "memory://"
        ),
        "RATELIMIT_POST": env.get("RATELIMIT_POST", "20 per minute"),
        # /apply's steps before the confirm (search, pick, check) write nothing, and a campus shares
        # one address: they count against this looser limit, the confirms against RATELIMIT_POST.
        "RATELIMIT_APPLY_STEPS": env.get("RATELIMIT_APPLY_STEPS", "120 per minute"),
        # Reports of a problem with a position (form_worker.feedback) stored per address, and per
        # position from all addresses together, so a flood cannot bury the office's queue.
        "FEEDBACK_LIMIT": env.get("FEEDBACK_LIMIT", "5 per hour"),
        "FEEDBACK_POSITION_LIMIT": env.get("FEEDBACK_POSITION_LIMIT", "20 per day"),
        "OUTBOX_CLAIM_TIMEOUT": int(env.get("OUTBOX_CLAIM_TIMEOUT", "300")),
        "PUBLISH_AUTHOR": env.get("PUBLISH_AUTHOR", "jianxi <jianxi@localhost>"),
        "REBUILD_INTERVAL": int(env.get("REBUILD_INTERVAL", "60")),
        # The forge (publishing.forge): the shared repository POSITIONS_ROOT pulls from and pushes
        # to; unset, publishing stays in the local working copy. SYNC_INTERVAL: seconds between
        # looks for commits made there (at least a minute apart: the sweep runs each minute).
        # GIT_HOOK_SECRET: what the forge's push webhook (/hooks/git) signs with; unset, no hook.
        "POSITIONS_REMOTE": env.get("POSITIONS_REMOTE", ""),
        "POSITIONS_BRANCH": env.get("POSITIONS_BRANCH", "main"),
        "SYNC_INTERVAL": int(env.get("SYNC_INTERVAL", "60")),
        "GIT_HOOK_SECRET": env.get("GIT_HOOK_SECRET", ""),
        # How long a saved draft of the submission form, and its emailed link, lasts after its last save.
        "DRAFT_DAYS": int(env.get("DRAFT_DAYS", "30")),
        # Retention (form_worker.retention): an application never placed is anonymised this many
        # months after its programme year ends (31 December); a placement with its work file this
        # many years after the internship ended, the period the HR bureau may audit a subsidy claim;
        # an email's rendered body this many days after it was sent. Audit entries are kept.
        "RETAIN_UNPLACED_MONTHS": int(env.get("RETAIN_UNPLACED_MONTHS", "12")),
        "RETAIN_PLACED_YEARS": int(env.get("RETAIN_PLACED_YEARS", "5")),
        "RETAIN_EMAIL_DAYS": int(env.get("RETAIN_EMAIL_DAYS", "90")),
        # A position report's contact is kept this many days after the report came in, to answer it.
        "RETAIN_FEEDBACK_DAYS": int(env.get("RETAIN_FEEDBACK_DAYS", "90")),
        # How many reverse proxies in front of the worker set X-Forwarded-For (nginx: 1). With 0,
        # the forwarded headers are ignored, since anyone could send them.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # Cookies only over HTTPS once the worker is public over HTTPS; Lax keeps them off
        # cross-site posts; HttpOnly (Flask's default) keeps them from scripts.
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_SECURE": secure,
        "SESSION_COOKIE_SAMESITE": env.get("SESSION_COOKIE_SAMESITE", "Lax"),
        "SESSION_COOKIE_NAME": env.get("SESSION_COOKIE_NAME", "session"),
    }
