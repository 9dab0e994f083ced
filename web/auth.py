"""Login, logout and role checks.

A session cookie names the user and their ``session_epoch``; logout, a password change, a role change or
removal and disabling the user bump the epoch, so every cookie issued before stops working (server-side
revocation). Refusals inside an organisation are audited as ``authz_fail``; a member whose role has no
ability there (a ``viewer``: insurers and customers with an account) gets 404 like an outsider, so the
organisation's internals give no existence oracle.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from core import accounts, audit
from core.models import ROLE_ABILITIES, Role, User
from core.settings import Settings
from web import db
from web.observe import error_page

bp = Blueprint("auth", __name__)
log = logging.getLogger("trustdesk.auth")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in."
F = TypeVar("F", bound=Callable[..., Any])


class SessionUser(UserMixin):
    def __init__(self, user: User) -> None:
        assert user.id is not None
        self.user_id = user.id
        self.email = user.email
        self.epoch = user.session_epoch

    def get_id(self) -> str:
        return f"{self.user_id}:{self.epoch}"


def init_app(app: Flask, settings: Settings) -> None:
    login_manager.init_app(app)
    app.teardown_appcontext(db.close_session)
    app.before_request(_enforce_timeouts)
    app.permanent_session_lifetime = timedelta(hours=settings.session_max_hours)
    # The cookie is re-sent only when the session changes (login, a stale seen_at), not on every response
    # (Flask's default re-signs it each time); the timeouts are checked from login_at and seen_at.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False


@login_manager.user_loader
def _load_user(token: str) -> SessionUser | None:
    user_id, _, epoch = token.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    slug = (request.view_args or {}).get("slug")
    if isinstance(slug, str):  # inside an organisation: the role there comes with the user, one query
        user, org, role = accounts.user_and_role(db.session(), user_id=int(user_id), slug=slug)
        g.org_and_role = (org, role)  # read once by org_required
    else:
        user = db.session().get(User, int(user_id))
    if user is None or not user.is_active or user.session_epoch != int(epoch):
        return None
    return SessionUser(user)


@login_manager.unauthorized_handler
def _unauthorized() -> Response | tuple[str, int]:
    """No (or a revoked) session: a page load goes to the login page; anything else gets 401."""
    if request.method in ("GET", "HEAD"):
        flash("Please log in.", "info")
        return redirect(url_for("auth.login", next=request.path))
    return error_page(401, "Please log in.")


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


def _safe_next(target: str | None) -> str:
    if not target:
        return url_for("orgs.home")
    if not all(_relative(form) for form in (target, unquote(target))):
        return url_for("orgs.home")
    return target


def _relative(target: str) -> bool:
    """A path on this host: no scheme or host, no ``//``, no backslash (``/\\evil``), no control
    characters or spaces."""
    parts = urlsplit(target)
    hostile = "\\" in target or any(ord(c) < 33 or ord(c) == 127 for c in target)
    return not (hostile or parts.scheme or parts.netloc or target.startswith("//")) and target.startswith("/")


def _address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("login.html", form=form)
    email, address = form.email.data.strip().lower(), _address()
    with db.writing() as s:  # counted as a failure until the password proves right (parallel attempts)
        attempt = accounts.claim_login_attempt(s, email=email, address=address)
    read = db.session()
    read.commit()  # a fresh snapshot: the count sees this attempt and every other one committed
    if accounts.login_blocked(read, email=email, address=address, claimed=1):
        with db.writing() as s:
            accounts.forget_login_attempt(s, attempt=attempt)
            audit.record(
                s,
                actor=email,
                action="authn_login_fail_max",
                target_type="user",
                target_id=email,
                detail={"address": address},
            )
        flash("Too many failed logins. Wait a few minutes and try again.", "error")
        return render_template("login.html", form=form), 429
    user = accounts.authenticate(db.session(), email=email, password=form.password.data)
    if user is None:
        log.info("login failed", extra={"fields": {"email": email, "ip": address}})
        with db.writing() as s:  # the attempt's row stays: it is this failure
            audit.record(
                s,
                actor=email,
                action="authn_login_fail",
                target_type="user",
                target_id=email,
                detail={"address": address},
            )
        flash("Wrong e-mail or password.", "error")
        return render_template("login.html", form=form), 401
    session.clear()  # no session fixation: nothing planted before login survives it
    login_user(SessionUser(user))
    session.permanent = True
    session["login_at"] = session["seen_at"] = time.time()
    with db.writing() as s:
        accounts.forget_login_attempt(s, attempt=attempt)
        audit.record(
            s,
            actor=user.email,
            actor_id=user.id,
            action="auth.login",
            target_type="user",
            target_id=user.email,
            detail={"address": address},
        )
    return redirect(_safe_next(request.args.get("next")))


def _enforce_timeouts() -> Response | None:
    """Idle and absolute session timeouts (TRUSTDESK_SESSION_IDLE_MINUTES, _MAX_HOURS): past either, the
    user logs in again."""
    if not current_user.is_authenticated:
        return None
    now, settings = time.time(), db.runtime().settings
    login_at, seen_at = session.get("login_at", 0.0), session.get("seen_at", 0.0)
    if (
        now - seen_at > settings.session_idle_minutes * 60
        or now - login_at > settings.session_max_hours * 3600
    ):
        logout_user()
        session.clear()
        flash("Your session expired. Please log in again.", "info")
        return redirect(url_for("auth.login", next=request.path if request.method == "GET" else None))
    if now - seen_at > seen_every(settings):  # not every request: an unchanged session sends no cookie
        session["seen_at"] = now
    return None


def seen_every(settings: Settings) -> float:
    """How stale ``seen_at`` may get before a request refreshes it: a tenth of the idle timeout, at most
    a minute. Rewriting it on every request re-signed and re-sent the cookie each time; a session thus
    expires at most this much before the idle timeout counted from the last request."""
    return min(60.0, settings.session_idle_minutes * 6.0)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    with db.writing() as s:
        user = s.get(User, current_user.user_id)
        if user is not None:
            user.session_epoch += 1
            s.add(user)
            audit.record(
                s,
                actor=user.email,
                actor_id=user.id,
                action="auth.logout",
                target_type="user",
                target_id=user.email,
            )
    logout_user()
    session.clear()
    flash("Logged out.", "info")
    return redirect(url_for("auth.login"))


def org_required(ability: str | None = None) -> Callable[[F], F]:
    """Load ``<slug>`` into ``g.org`` and ``g.role``; 404 if the user is not a member, 403 if the role
    lacks ``ability``."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, slug: str, **kwargs: Any) -> Any:
            found = g.pop("org_and_role", None)  # loaded with the user (_load_user)
            if found is None:
                found = accounts.org_and_role(db.session(), slug=slug, user_id=current_user.user_id)
            org, role = found
            if org is None or role is None or not ROLE_ABILITIES[role]:
                why = "not a member" if role is None else "no ability"
                audit_authz_fail(status=404, reason=why, org_id=org.id if org else None)
                abort(404)
            if ability and ability not in ROLE_ABILITIES[role]:
                audit_authz_fail(status=403, reason=f"needs {ability}", org_id=org.id)
                abort(403)
            g.org, g.role = org, role
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def can(ability: str) -> bool:
    role: Role | None = g.get("role")
    return role is not None and ability in ROLE_ABILITIES[role]


def audit_authz_fail(*, status: int, reason: str, org_id: int | None = None) -> None:
    """One ``authz_fail`` row: who asked for which route (the pattern, not the path) and why not."""
    log.warning(
        "authz_fail", extra={"fields": {"status": status, "reason": reason, "route": request.endpoint}}
    )
    org = g.get("org")
    with db.writing() as s:
        audit.record(
            s,
            actor=current_user.email,
            actor_id=current_user.user_id,
            org_id=org_id if org_id is not None else (org.id if org is not None else None),
            action="authz_fail",
            target_type="route",
            target_id=request.endpoint or "-",
            detail={"status": status, "reason": reason, "args": _args()},
        )


def _args() -> dict[str, str]:
    """The URL's arguments, minus anything secret (a share token)."""
    return {k: str(v)[:64] for k, v in (request.view_args or {}).items() if k != "token"}
