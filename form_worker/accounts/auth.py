"""Sessions with Flask-Login, and the role check every /staff view is wrapped in (`role_required`,
or `office_only` for the office's own pages).

Roles: the office's `admin` (accounts, the audit log, priority-group answers) and `reviewer`
(the office's queues); a university's `university` accounts and a host unit's `unit` accounts, each
bound to its university or unit folder; a district's `district_cast` (区县科协) and `district_hr`
(区县人力社保) accounts, bound to one district. An anonymous visitor is sent to the login page; a user
without the role gets the Chinese 403 page, never data.
"""

import datetime as dt
from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, abort, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user

from ..core.db import get_session
from .models import Account
from .services import OFFICE_ROLES, ROLE_LABELS

SESSION_LIFETIME = dt.timedelta(hours=8)
OFFICE = OFFICE_ROLES
# Where each role starts after logging in: its own work list.
LANDING = {
    "admin": "office.dashboard",
    "reviewer": "office.dashboard",
    "university": "university.queue",
    "unit": "unit.queue",
    "district_cast": "units.units_list",
    "district_hr": "units.units_list",
}
EVERYONE = tuple(LANDING)
login_manager = LoginManager()


class SignedIn(UserMixin):
    """The signed-in account as Flask-Login sees it; a snapshot, not a database row."""

    def __init__(self, user: Account) -> None:
        self.id = str(user.id)
        self.session_version = user.session_version
        self.username = user.username
        self.name = user.name
        self.role = user.role
        self.university = user.university or ""
        self.unit = user.unit or ""
        self.district = user.district or ""
        self.email = user.email

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_office(self) -> bool:
        return self.role in OFFICE

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def landing(self) -> str:
        """The endpoint of this user's own work list."""
        return LANDING[self.role]

    def get_id(self) -> str:
        """What the session cookie holds: the account and the session version it was signed with."""
        return f"{self.id}:{self.session_version}"


@login_manager.user_loader
def _load(session_id: str) -> SignedIn | None:
    """The staff member of a session, if the account is active and the session version current."""
    user_id, _, version = session_id.partition(":")
    user = get_session().get(Account, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return SignedIn(user)


@login_manager.unauthorized_handler
def _unauthorized():
    return redirect(url_for("accounts.login", next=request.full_path if request.method == "GET" else None))


def role_required(*roles: str) -> Callable[[Callable], Callable]:
    """Let only accounts of these roles in: an anonymous visitor goes to the login page, an account
    of another role gets the Chinese 403 page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# The office's own pages (admins and reviewers): the dashboard, the queues, the reports.
office_only = role_required(*OFFICE)


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
