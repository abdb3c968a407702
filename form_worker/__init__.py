"""The form worker: application forms, status lookup, the queue, and the built catalogue beside them."""

from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from site_builder.build import today_in_chongqing

from . import auth, config, db, errors, queue
from .catalogue import PositionSource
from .limits import limiter
from .models import utcnow

csrf = CSRFProtect()


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then the environment, then test_config."""
    settings = config.load() | (test_config or {})
    app = Flask(__name__, instance_path=str(settings["INSTANCE_PATH"]))
    app.config.update(
        MAX_CONTENT_LENGTH=256 * 1024,
        MAX_FORM_MEMORY_SIZE=64 * 1024,
        MAX_FORM_PARTS=200,
        WTF_I18N_ENABLED=False,
        WTF_CSRF_TIME_LIMIT=6 * 3600,
        SESSION_COOKIE_SAMESITE="Lax",
        OUTBOX_CLAIM_TIMEOUT=300,
        CLOCK=today_in_chongqing,
        UTCNOW=utcnow,
        RATELIMIT_HEADERS_ENABLED=True,
    )
    app.config.update(settings)
    app.config.update(test_config or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = config.secret_key(Path(app.instance_path))
    queue.use(app.config["HUEY_URL"])

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    auth.init_app(app)
    app.extensions["jianxi.positions"] = PositionSource(Path(app.config["POSITIONS_ROOT"]))

    from . import apply, site, staff, status, submit

    app.register_blueprint(apply.bp)
    app.register_blueprint(status.bp)
    app.register_blueprint(submit.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(site.bp)
    errors.init_app(app)
    return app
