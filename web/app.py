"""The Flask application factory (flaskr style): one blueprint per screen, ``init_app`` per extension."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, render_template
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from core import accounts
from core.errors import TrustdeskError
from core.settings import Settings
from web import auth, bank, db, evidence, orgs, packs, review, shares
from web.context import Runtime
from web.errors import http_status

csrf = CSRFProtect()


def create_app(test_config: dict[str, Any] | None = None, *, runtime: Runtime | None = None) -> Flask:
    app = Flask(__name__)
    rt = runtime or Runtime(Settings.from_env())
    app.config.update(
        SECRET_KEY=rt.settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=rt.settings.env == "production",
        SESSION_COOKIE_NAME="__Host-trustdesk" if rt.settings.env == "production" else "trustdesk_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=rt.settings.max_upload_mb * 1024 * 1024,
    )
    if test_config:
        app.config.update(test_config)
    app.extensions["trustdesk"] = rt
    csrf.init_app(app)
    auth.init_app(app)
    for blueprint in (auth.bp, orgs.bp, bank.bp, review.bp, evidence.bp, packs.bp, shares.bp):
        app.register_blueprint(blueprint)
    _register_errors(app)
    app.after_request(_security_headers)
    app.context_processor(_template_globals)
    return app


def _template_globals() -> dict[str, Any]:
    def nav_memberships() -> list[tuple[Any, Any]]:
        if not current_user.is_authenticated:
            return []
        return accounts.memberships(db.session(), user_id=current_user.user_id)

    return {"nav_memberships": nav_memberships}


def _register_errors(app: Flask) -> None:
    @app.errorhandler(TrustdeskError)
    def _trustdesk_error(exc: TrustdeskError) -> tuple[str, int]:
        status = http_status(exc)
        return render_template("error.html", status=status, error=exc), status

    @app.errorhandler(404)
    def _not_found(_exc: Exception) -> tuple[str, int]:
        return render_template("error.html", status=404, error="Not found."), 404

    @app.errorhandler(413)
    def _too_large(_exc: Exception) -> tuple[str, int]:
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        error = (
            f"The upload is too large: at most {limit // (1024 * 1024) or 1} MiB in one request, at most "
            "1,000 form parts and 500 kB per text field. Nothing was stored. Send a smaller file."
        )
        return render_template("error.html", status=413, error=error), 413

    @app.errorhandler(403)
    def _forbidden(_exc: Exception) -> tuple[str, int]:
        return render_template("error.html", status=403, error="Your role does not allow this."), 403


def _security_headers(response: Response) -> Response:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
