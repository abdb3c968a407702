"""/staff: the municipal project office's review area. One module per page group registers on bp."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from . import session  # noqa: E402,F401  (login, logout, dashboard)
