"""Staff accounts: Flask-Login sessions, hashed passwords, roles, and `jianxi create-staff`.

Roles: `admin` manages accounts and sees the audit log; `reviewer` works the queues. Every /staff
view is wrapped in staff_required, so an anonymous visitor is sent to the login page.
"""

import datetime as dt
from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .db import get_session
from .models import StaffUser

ROLES = ("admin", "reviewer")
SESSION_LIFETIME = dt.timedelta(hours=8)
login_manager = LoginManager()


class Staff(UserMixin):
    """The logged-in staff member as Flask-Login sees it; a snapshot, not a database row."""

    def __init__(self, user: StaffUser) -> None:
        self.id = str(user.id)
        self.username = user.username
        self.name = user.name
        self.role = user.role

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@login_manager.user_loader
def _load(user_id: str) -> Staff | None:
    user = get_session().get(StaffUser, int(user_id)) if user_id.isdigit() else None
    return Staff(user) if user is not None and user.active else None


@login_manager.unauthorized_handler
def _unauthorized():
    return redirect(url_for("staff.login", next=request.full_path if request.method == "GET" else None))


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


def create_staff(
    session: Session, username: str, name: str, password: str, role: str, email: str = ""
) -> StaffUser:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if len(password) < 10:
        raise ValueError("密码至少 10 位")
    user = StaffUser(
        username=username, name=name, email=email, role=role, password_hash=generate_password_hash(password)
    )
    session.add(user)
    session.commit()
    return user


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None or not user.active:
        # Spend the same time as a real check, so timing does not tell which usernames exist.
        check_password_hash(generate_password_hash("x"), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def init_app(app: Flask) -> None:
    # Flask's own default is 31 days, so setdefault would never apply: replace that default, keep a
    # lifetime someone configured.
    if app.config["PERMANENT_SESSION_LIFETIME"] == Flask.default_config["PERMANENT_SESSION_LIFETIME"]:
        app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIFETIME
    app.config.setdefault("REMEMBER_COOKIE_DURATION", SESSION_LIFETIME)
    login_manager.init_app(app)
