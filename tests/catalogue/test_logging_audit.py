"""Catalogue 2.7, logging and audit: L01 to L05; plus the structured request log and the security
headers on static files and error pages."""

from __future__ import annotations

import io
import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from answerbank import store as bank_store
from core import accounts
from core.db import write_session
from core.models import AuditEvent, Organisation, utcnow
from tests.catalogue.conftest import World, assert_alive, audit_since, fetch, last_audit_id, login
from tests.catalogue.test_access_control import assert_security_headers
from tests.helpers import PASSWORD, oid
from web.app import create_app
from web.context import Runtime
from web.observe import JsonFormatter

FORGED = "alice@acme.example\n2026-01-01 INFO admin login ok"


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    formatter = JsonFormatter()
    return [formatter.format(record) for record in caplog.records]


# ---------------------------------------------------------------------------------------------- L01


def test_L01_a_newline_in_a_username_cannot_forge_a_log_entry(
    client: FlaskClient, people: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert login(client, FORGED, "whatever it is, it is wrong") == 401
    lines = _lines(caplog)
    assert lines and all("\n" not in line for line in lines), "one entry is one line"
    entries = [json.loads(line) for line in lines]
    failed = [e for e in entries if e["message"] == "login failed"]
    assert len(failed) == 1 and failed[0]["email"] == FORGED.lower()
    assert not any(e["message"].startswith("2026-01-01") or e["message"] == "admin login ok" for e in entries)
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- L02


def _one(engine: Engine, mark: int, action: str, request_id: str) -> AuditEvent:
    events = [e for e in audit_since(engine, mark) if e.action == action]
    assert len(events) == 1, f"{action}: {len(events)} rows"
    event = events[0]
    assert event.actor and event.target_type and event.target_id, action
    assert event.detail.get("ip") == "203.0.113.5", action
    assert event.detail.get("request_id") == request_id, action
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    assert abs(at - datetime.now(UTC)) < timedelta(hours=1), f"{action}: {event.at} is not UTC"
    return event


def test_L02_every_security_event_writes_exactly_one_complete_audit_row(
    app: Flask, engine: Engine, world: World
) -> None:
    a = world.acme
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.5"
    base = f"/o/acme/questionnaires/{oid(a.questionnaire_id)}"
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    steps: list[tuple[str, str, str, dict[str, object] | None, str, str | None]] = [
        (
            "login fail",
            "POST",
            "/login",
            {"email": "approver@acme.example", "password": "wrong, so wrong"},
            "authn_login_fail",
            None,
        ),
        (
            "login ok",
            "POST",
            "/login",
            {"email": "approver@acme.example", "password": PASSWORD},
            "auth.login",
            None,
        ),
        (
            "reject",
            "POST",
            f"{base}/drafts/{oid(a.draft_open)}/reject",
            {"row_version": "1"},
            "draft.rejected",
            "acme",
        ),
        (
            "approve",
            "POST",
            f"{base}/drafts/{oid(a.draft_open)}/approve",
            {"row_version": "2", "answer": "Yes."},
            "draft.approved",
            "acme",
        ),
        (
            "edit after approve",
            "POST",
            f"{base}/drafts/{oid(a.draft_open)}/save",
            {"row_version": "3", "answer": "No."},
            "draft.edit_after_approve",
            "acme",
        ),
        ("export", "POST", f"{base}/export", {"format": "csv"}, "questionnaire.export", "acme"),
        (
            "share create",
            "POST",
            f"/o/acme/packs/{oid(a.pack_id)}/share",
            {"recipient": "Carrier", "expires": tomorrow},
            "share.create",
            "acme",
        ),
        (
            "share revoke",
            "POST",
            f"/o/acme/packs/shares/{oid(a.share_id)}/revoke",
            {},
            "share.revoke",
            "acme",
        ),
        (
            "upload refused",
            "POST",
            "/o/acme/evidence/new",
            {"title": "Bad", "file": (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 64), "tool.exe")},
            "upload_validation.failed",
            "acme",
        ),
        ("authorisation failure", "GET", "/o/globex/bank/", None, "authz_fail", "globex"),
        ("logout", "POST", "/logout", {}, "auth.logout", None),
        ("share access", "GET", f"/s/{world.globex.token}", None, "share.view", "globex"),
        (
            "role change",
            "POST",
            f"/o/acme/members/{oid(a.user_id)}",
            {"role": "viewer"},
            "membership.set",
            "acme",
        ),
    ]
    with Session(engine) as s:
        slugs: dict[int | None, str] = {o.id: o.slug for o in s.exec(select(Organisation))}
    for name, method, path, data, action, org in steps:
        if name == "role change":
            assert login(client, "admin@acme.example", address="203.0.113.5") == 302
        mark = last_audit_id(engine)
        response = fetch(client, method, path, data=data)
        assert response.status_code < 500, f"{name}: {response.status_code}"
        event = _one(engine, mark, action, response.headers["X-Request-ID"])
        assert slugs.get(event.org_id) == org, f"{name}: organisation {event.org_id}"
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- L03


def test_L03_audit_rows_cannot_be_updated_or_deleted_through_sql_or_the_orm(
    app: Flask, engine: Engine
) -> None:
    with write_session(engine) as s:
        accounts.create_org(s, slug="audited", name="Audited")
    for statement in ("UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with pytest.raises(Exception, match="append-only"), Session(engine) as s:
        event = s.exec(select(AuditEvent)).one()
        event.actor = "mallory"
        s.add(event)
        s.commit()
    with pytest.raises(Exception, match="append-only"), Session(engine) as s:
        s.delete(s.exec(select(AuditEvent)).one())
        s.commit()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_event WHERE actor = 'cli'")).scalar() == 1
    assert_alive(app.test_client())


# ---------------------------------------------------------------------------------------------- L04


def test_L04_passwords_cookies_share_tokens_and_file_contents_reach_neither_logs_nor_audit(
    app: Flask, engine: Engine, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    secret_file = b"TOP-SECRET-CONTENT-L04 " * 20
    login(client, "approver@acme.example", "my wrong but secret passphrase")
    assert login(client, "approver@acme.example") == 302
    cookie = client.get_cookie("trustdesk_session")
    assert cookie is not None
    client.post("/o/acme/evidence/new", data={"title": "L04", "file": (io.BytesIO(secret_file), "notes.txt")})
    fetch(client, "GET", f"/s/{world.acme.token}")
    fetch(client, "GET", f"/s/{world.acme.token}/pack.zip")
    fetch(client, "GET", f"/s/{world.acme.token[:-2]}xx")  # an unknown token: logged by hash prefix only
    fetch(client, "GET", f"/o/acme/bank/?q={world.acme.token}")
    logs = "\n".join(_lines(caplog)) + "\n".join(str(r.__dict__) for r in caplog.records)
    with engine.connect() as conn:
        audit = "\n".join(
            json.dumps(list(map(str, row))) for row in conn.execute(text("SELECT * FROM audit_event"))
        )
    for name, secret in (
        ("password", PASSWORD),
        ("wrong password", "my wrong but secret passphrase"),
        ("session cookie", cookie.value),
        ("share token", world.acme.token),
        ("share token prefix", world.acme.token[:16]),
        ("file contents", "TOP-SECRET-CONTENT-L04"),
    ):
        assert secret not in logs, f"the {name} is in the logs"
        assert secret not in audit, f"the {name} is in the audit log"
    assert any(json.loads(line).get("token_sha256") for line in _lines(caplog)), "unknown tokens: hash prefix"
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- L05


def test_L05_an_unexpected_exception_gives_a_generic_500_with_the_request_id_of_its_log_line(
    app: Flask,
    client: FlaskClient,
    people: None,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("internal detail: db password hunter2")

    monkeypatch.setattr(bank_store, "list_entries", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert login(client, "approver@acme.example") == 302
    caplog.set_level(logging.INFO)
    response = client.get("/o/acme/bank/")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    page = response.get_data(as_text=True)
    assert request_id in page
    assert "Traceback" not in page and "hunter2" not in page and "RuntimeError" not in page
    assert_security_headers(response, "500 page")
    errors = [json.loads(line) for line in _lines(caplog) if '"unhandled exception"' in line]
    assert (
        len(errors) == 1 and errors[0]["request_id"] == request_id and errors[0]["route"] == "/o/<slug>/bank/"
    )
    assert "RuntimeError" in errors[0]["exc"], "the trace goes to the log, not the page"
    monkeypatch.undo()
    assert_alive(client)


def test_L05_debug_is_off_in_production_and_the_debugger_is_unreachable(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, people: None
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app(runtime=Runtime(replace(runtime.settings, env="production")))
    assert app.debug is False
    client = app.test_client()
    for path in ("/console", "/?__debugger__=yes&cmd=resource&f=style.css"):
        response = fetch(client, "GET", path)
        assert response.status_code in (302, 404) and b"Werkzeug" not in response.data, path


# ------------------------------------------------------------------------- request log and headers


def test_every_request_writes_one_structured_log_line_with_id_user_org_route_status_and_duration(
    client: FlaskClient, people: None, caplog: pytest.LogCaptureFixture
) -> None:
    assert login(client, "approver@acme.example") == 302
    caplog.set_level(logging.INFO, logger="trustdesk.request")
    response = client.get("/o/acme/bank/IAM-999?q=secret-search")
    entries = [json.loads(line) for line in _lines(caplog) if '"request"' in line]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["request_id"] == response.headers["X-Request-ID"]
    assert entry["user_id"] == 2 and entry["org"] == "acme" and entry["status"] == 404
    assert entry["route"] == "/o/<slug>/bank/<key>" and isinstance(entry["duration_ms"], float)
    assert "secret-search" not in json.dumps(entry) and "IAM-999" not in json.dumps(entry)


def test_security_headers_on_static_files_error_pages_and_refusals(client: FlaskClient, people: None) -> None:
    for method, path in (
        ("GET", "/static/style.css"),
        ("GET", "/static/review.js"),
        ("GET", "/no/such/page"),
        ("POST", "/o/acme/bank/"),
        ("GET", "/o/acme/bank/"),
        ("POST", "/logout"),
        ("GET", "/s/" + "A" * 43),
        ("GET", "/login"),
    ):
        assert_security_headers(fetch(client, method, path), f"{method} {path}")
