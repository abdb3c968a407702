"""Staff sessions with Flask-Login, and the role check every /staff view is wrapped in.

Roles: `admin` manages accounts and sees the audit log; `reviewer` works the queues. An anonymous
visitor is sent to the login page; a staff member without the role gets 403.
"""

import datetime as dt
from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, abort, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user

from ..core.db import get_session
from .models import StaffUser

SESSION_LIFETIME = dt.timedelta(hours=8)
login_manager = LoginManager()


class Staff(UserMixin):
    """The logged-in staff member as Flask-Login sees it; a snapshot, not a database row."""

    def __init__(self, user: StaffUser) -> None:
        self.id = str(user.id)
        self.session_version = user.session_version
        self.username = user.username
        self.name = user.name
        self.role = user.role

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def get_id(self) -> str:
        """What the session cookie holds: the account and the session version it was signed with."""
        return f"{self.id}:{self.session_version}"


@login_manager.user_loader
def _load(session_id: str) -> Staff | None:
    """The staff member of a session, if the account is active and the session version current."""
    user_id, _, version = session_id.partition(":")
    user = get_session().get(StaffUser, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return Staff(user)


@login_manager.unauthorized_handler
def _unauthorized():
    return redirect(url_for("accounts.login", next=request.full_path if request.method == "GET" else None))


def staff_required(role: str | None = None) -> Callable:
    """Refuse anonymous visitors (to the login page) and, with role="admin", non-admins (403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if role is not None and current_user.role != role:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _no_store(response: Response) -> Response:
    """Staff pages and status answers hold personal data: no browser or proxy may keep a copy
    (the back button after logout on a shared computer in a university office)."""
    if request.path.startswith(("/staff", "/status")):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    # Flask's own default is 31 days, so setdefault would never apply: replace that default, keep a
    # lifetime someone configured.
    if app.config["PERMANENT_SESSION_LIFETIME"] == Flask.default_config["PERMANENT_SESSION_LIFETIME"]:
        app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIFETIME
    app.config.setdefault("REMEMBER_COOKIE_DURATION", SESSION_LIFETIME)
    login_manager.init_app(app)
    app.after_request(_no_store)
