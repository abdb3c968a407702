"""The form worker: application forms, status lookup, unit submissions, every party's pages, the
queue, and the built catalogue beside them. create_app only wires the pieces together."""

from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from site_builder.clock import local_time, today_in_chongqing

from .accounts import admin_views as account_admin_views
from .accounts import auth
from .accounts import views as accounts_views
from .applications import placements
from .applications.intake import intern_views, status_views
from .applications.intake import views as apply_views
from .applications.review import filing_views, university_views
from .applications.review import office_views as review_office_views
from .applications.selection import group_views, interview_views, proposal_views, unit_views
from .applications.selection import office_views as selection_office_views
from .applications.workfile import log_views, plan_views, sheet_views
from .applications.workfile import views as workfile_views
from .catalogue import views as site
from .catalogue.positions import PositionSource
from .core import clock, config, db, errors, headers, paging, queue
from .core.forms import MAX_ID
from .core.throttle import limiter
from .districts import views as district_views
from .feedback import staff_views as feedback_staff_views
from .feedback import views as feedback_views
from .office import email_views, export_views
from .office import views as office_views
from .publishing import hook_views
from .reports import office_views as reports_office_views
from .reports import statistics_views
from .reports import unit_views as reports_unit_views
from .retention import views as retention_views
from .showcase import tasks as showcase_tasks
from .showcase import views as showcase_views
from .submissions import review_views
from .submissions import views as submit_views
from .units import bureau_views
from .units import views as units_views

csrf = CSRFProtect()


# Each package's pages on a blueprint of its own: the applicant's, then each party's by stage.
PAGES = (
    apply_views,
    status_views,
    intern_views,
    submit_views,
    accounts_views,
    account_admin_views,
    office_views,
    email_views,
    export_views,
    review_office_views,
    university_views,
    filing_views,
    unit_views,
    group_views,
    proposal_views,
    interview_views,
    selection_office_views,
    workfile_views,
    sheet_views,
    plan_views,
    log_views,
    statistics_views,
    reports_office_views,
    reports_unit_views,
    retention_views,
    feedback_views,
    feedback_staff_views,
    showcase_views,
    review_views,
    units_views,
    bureau_views,
    district_views,
    hook_views,
    site,
)


class RowId(IntegerConverter):
    """`<int:…>` in every route: 1 to the largest id PostgreSQL's integer columns hold."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then the environment, then test_config."""
    settings = config.load() | (test_config or {})
    app = Flask(__name__, instance_path=str(settings["INSTANCE_PATH"]))
    # Before any route is added: an id too large for the database is a 404, not a 500.
    app.url_map.converters["int"] = RowId
    app.config.update(
        MAX_CONTENT_LENGTH=256 * 1024,
        MAX_FORM_MEMORY_SIZE=64 * 1024,
        MAX_FORM_PARTS=200,
        WTF_I18N_ENABLED=False,
        WTF_CSRF_TIME_LIMIT=6 * 3600,
        OUTBOX_CLAIM_TIMEOUT=300,
        # The configured clock (core.clock): today in Chongqing, now in naive UTC; tests pin them.
        CLOCK=today_in_chongqing,
        UTCNOW=clock.utcnow,
        RATELIMIT_HEADERS_ENABLED=True,
    )
    app.config.update(settings)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = config.secret_key(Path(app.instance_path))
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    queue.use(app.config["HUEY_URL"])

    db.init_app(app)
    csrf.init_app(app)
    csrf.exempt(hook_views.bp)  # the forge signs its webhook instead (publishing.hook_views)
    limiter.init_app(app)
    auth.init_app(app)
    app.extensions["jianxi.positions"] = PositionSource(Path(app.config["POSITIONS_ROOT"]))
    app.extensions["jianxi.places_held"] = placements.taken_at  # the rebuild's 剩余名额
    # /status (intake) queues the showcase's publishing through this: the showcase lies above it.
    app.extensions["jianxi.showcase_changed"] = showcase_tasks.queue_showcase
    app.jinja_env.globals["local_time"] = local_time
    app.jinja_env.globals["query_args"] = paging.query_args

    for module in PAGES:  # a module with pages for several parties lists its blueprints
        for blueprint in getattr(module, "blueprints", (module.bp,)):
            app.register_blueprint(blueprint)
    errors.init_app(app)
    headers.init_app(app)
    return app
