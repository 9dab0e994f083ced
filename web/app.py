"""The Flask application factory (flaskr style): one blueprint per screen, ``init_app`` per extension."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from core.errors import Busy, TrustdeskError
from core.settings import Settings
from web import auth, bank, evidence, ids, members, nav, observe, orgs, packs, review, shares
from web.context import Runtime
from web.errors import http_status

csrf = CSRFProtect()
log = logging.getLogger("trustdesk.app")
#: Failed share-link lookups (404/410) allowed per address; a valid link never counts (catalogue S04).
SHARE_LOOKUPS = "30/minute"


class TrustdeskFlask(Flask):
    def log_exception(
        self, exc_info: tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]
    ) -> None:
        """Log an unhandled exception as one JSON line with the request id, not Flask's raw path."""
        log.error("unhandled exception", exc_info=exc_info, extra={"fields": observe.fields(500)})


def create_app(test_config: dict[str, Any] | None = None, *, runtime: Runtime | None = None) -> Flask:
    app = TrustdeskFlask(__name__)
    rt = runtime or Runtime(Settings.from_env())
    production = rt.settings.env == "production"
    app.config.update(
        SECRET_KEY=rt.settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_DOMAIN=None,
        SESSION_COOKIE_NAME="__Host-trustdesk" if production else "trustdesk_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=rt.settings.max_upload_mb * 1024 * 1024,
        RATELIMIT_STORAGE_URI=rt.settings.redis_url or "memory://",
        RATELIMIT_KEY_PREFIX="trustdesk",
    )
    if test_config:
        app.config.update(test_config)
    if production:
        app.debug = False  # the Werkzeug debugger is never reachable in production, whatever FLASK_DEBUG says
    app.extensions["trustdesk"] = rt
    if rt.settings.proxy_hops:  # only behind proxies we run: otherwise a client could forge its address
        hops = rt.settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    url_ids = ids.OpaqueIds(rt.settings.secret_key)
    app.url_map.converters["id"] = ids.converter(url_ids)  # before any route uses it (catalogue Z06)
    app.jinja_env.filters["url_id"] = url_ids.encode
    observe.configure_logging()
    csrf.init_app(app)
    auth.init_app(app, rt.settings)
    observe.init_app(app)
    for blueprint in (auth.bp, orgs.bp, bank.bp, review.bp, evidence.bp, packs.bp, shares.bp, members.bp):
        app.register_blueprint(blueprint)
    _limit_share_lookups(app)
    _register_errors(app)
    app.context_processor(nav.template_globals)
    return app


def _limit_share_lookups(app: Flask) -> None:
    """Count failed share-link lookups per address (in Redis when configured, so across app servers)."""
    limiter = Limiter(get_remote_address, app=app, default_limits=[])
    limiter.limit(SHARE_LOOKUPS, deduct_when=lambda response: response.status_code in (404, 410))(shares.bp)


def _register_errors(app: Flask) -> None:
    @app.errorhandler(TrustdeskError)
    def _trustdesk_error(exc: TrustdeskError) -> tuple[str, int, dict[str, str]]:
        status = http_status(exc)
        if status in (403, 404) and current_user.is_authenticated:
            auth.audit_authz_fail(status=status, reason=type(exc).__name__)
        body, code = observe.error_page(status, exc)
        return body, code, {"Retry-After": "5"} if isinstance(exc, Busy) else {}

    @app.errorhandler(413)
    def _too_large(_exc: Exception) -> tuple[str, int]:
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        error = (
            f"The upload is too large: at most {limit // (1024 * 1024) or 1} MiB in one request, at most "
            "1,000 form parts and 500 kB per text field. Nothing was stored. Send a smaller file."
        )
        return observe.error_page(413, error)
