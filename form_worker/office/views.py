"""The office's dashboard: counts across applications, submissions and emails, and whether the
catalogue's last build and the last look at the forge went well."""

from flask import Blueprint, current_app, render_template
from sqlalchemy import func, select

from ..accounts.auth import office_only
from ..applications.models import Application
from ..core.db import get_session
from ..feedback import services as feedback
from ..outbox.models import Outbox
from ..publishing import rebuilds
from ..publishing.models import FORGE_SYNC_ROW, CatalogueBuild, ForgeSync
from ..submissions.models import Submission

bp = Blueprint("office", __name__, url_prefix="/staff")


@bp.get("/")
@office_only
def dashboard():
    db = get_session()
    by_state = dict(db.execute(select(Application.state, func.count()).group_by(Application.state)).all())
    submissions = dict(db.execute(select(Submission.state, func.count()).group_by(Submission.state)).all())
    failed = db.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "failed"))
    flagged = db.scalar(select(func.count()).select_from(Application).where(Application.flag.is_not(None)))
    forge = db.get(ForgeSync, FORGE_SYNC_ROW) if current_app.config["POSITIONS_REMOTE"] else None
    return render_template(
        "staff/dashboard.html",
        by_state=by_state,
        submissions=submissions,
        failed=failed,
        flagged=flagged,
        feedback=feedback.counts(db),
        build=db.get(CatalogueBuild, rebuilds.ROW_ID),
        forge_configured=bool(current_app.config["POSITIONS_REMOTE"]),
        forge=forge,
        branch=current_app.config["POSITIONS_BRANCH"],
    )
