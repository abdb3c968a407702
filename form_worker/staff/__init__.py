"""/staff: the municipal project office's review area. One module per page group registers on bp."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

# session: login, logout, dashboard; applications: queue and detail; outbox: failed emails;
# exports: spreadsheets; admin: accounts and the audit log; submissions: position submissions.
from . import admin, applications, exports, outbox, session, submissions  # noqa: E402,F401
