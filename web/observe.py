"""What every request gets: a request id, one structured log line, security headers, and an audit
context; and what every failure gets: a plain error page (the 500 page shows the request id that is in
the log line).

The request log names the route pattern (``/s/<token>``), never the path or the query string, so share
tokens and search terms stay out of the logs; values are JSON-escaped, so a newline in an e-mail cannot
forge a second log entry.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from flask import Flask, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from core import audit
from web import db

log = logging.getLogger("trustdesk.request")
REQUEST_ID_HEADER = "X-Request-ID"
_INCOMING_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
#: The page title and message per status, for statuses without a more specific message.
MESSAGES = {
    400: "The request could not be understood.",
    401: "Please log in.",
    403: "Your role does not allow this.",
    404: "Not found.",
    405: "That action is not available here.",
    410: "This is no longer available.",
    413: "The file is larger than allowed.",
    429: "Too many requests. Wait a minute and try again.",
    500: "Something went wrong on our side.",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's ``fields`` and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


JsonFormatter.converter = time.gmtime


def configure_logging() -> None:
    """JSON lines on stderr for the app's loggers, once per process, unless logging is set up already.

    Werkzeug's own access log is silenced: it prints raw paths, share tokens included."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_unbind)
    _register_errors(app)


def request_id() -> str:
    return str(g.get("request_id", "-"))


def _start() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
    g.started = time.perf_counter()
    g.audit_token = audit.bind(ip=request.remote_addr or "unknown", request_id=g.request_id)


def _unbind(_exc: BaseException | None = None) -> None:
    token = g.pop("audit_token", None)
    if token is not None:
        audit.unbind(token)


def fields(status: int | None = None) -> dict[str, Any]:
    """What a log line says about the current request: never the path, the query or a form value."""
    org = g.get("org")
    values: dict[str, Any] = {
        "request_id": request_id(),
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else None,
        "endpoint": request.endpoint,
        "user_id": current_user.user_id if current_user and current_user.is_authenticated else None,
        "org": org.slug if org is not None else None,
        "ip": request.remote_addr,
    }
    if status is not None:
        values["status"] = status
    return values


def _finish(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers[REQUEST_ID_HEADER] = request_id()
    started = g.get("started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    log.info("request", extra={"fields": {**fields(response.status_code), "duration_ms": duration}})
    return response


def error_page(status: int, message: object) -> tuple[str, int]:
    return render_template("error.html", status=status, error=message, request_id=request_id()), status


def _register_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[str, int]:
        """A POST without a valid CSRF token: refused, logged and audited as ``malicious_csrf``."""
        log.warning("malicious_csrf", extra={"fields": {**fields(400), "reason": exc.description}})
        who = current_user.email if current_user.is_authenticated else "anonymous"
        with db.writing() as s:
            audit.record(
                s,
                actor=who,
                actor_id=current_user.user_id if current_user.is_authenticated else None,
                org_id=None,
                action="malicious_csrf",
                target_type="route",
                target_id=request.endpoint or "-",
                detail={"reason": exc.description},
            )
        return error_page(400, f"The form expired or did not come from this site ({exc.description}).")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[str, int] | HTTPException:
        status = exc.code or 500
        if status < 400:
            return exc
        return error_page(status, MESSAGES.get(status, exc.description))

    @app.errorhandler(500)
    def _internal(_exc: Exception) -> tuple[str, int]:
        """No trace, no detail: a standalone page (no database needed) with the request id to quote."""
        return render_template("error_500.html", request_id=request_id()), 500
