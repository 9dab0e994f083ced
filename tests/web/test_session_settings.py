"""The session timeouts are settings: an installation that wants shorter sessions gets them, in the
session check and in the cookie's lifetime."""

from __future__ import annotations

import time
from dataclasses import replace

from click.testing import CliRunner
from flask.testing import FlaskClient

from core.settings import Settings
from tests.helpers import PASSWORD, make_org, make_user
from web.app import create_app
from web.auth import seen_every
from web.context import Runtime


def _client(runtime: Runtime, **settings: int) -> FlaskClient:
    app = create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False}, runtime=Runtime(replace(runtime.settings, **settings))
    )
    return app.test_client()


def _logged_in(client: FlaskClient) -> FlaskClient:
    response = client.post("/login", data={"email": "vciso@acme.example", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    assert client.get("/o/acme/bank/").status_code == 200
    return client


def _idle(client: FlaskClient, seconds: float) -> None:
    with client.session_transaction() as sess:
        sess["seen_at"] = time.time() - seconds


def test_a_shorter_idle_timeout_ends_a_session_the_default_would_keep(
    runner: CliRunner, runtime: Runtime
) -> None:
    make_org(runner, "acme")
    make_user(runner, "vciso@acme.example", "acme", "approver")
    default, short = _logged_in(_client(runtime)), _logged_in(_client(runtime, session_idle_minutes=5))

    for client in (default, short):
        _idle(client, 6 * 60)

    assert default.get("/o/acme/bank/").status_code == 200
    response = short.get("/o/acme/bank/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_cookie_lives_no_longer_than_the_absolute_timeout(runtime: Runtime) -> None:
    app = create_app({"TESTING": True}, runtime=Runtime(replace(runtime.settings, session_max_hours=2)))
    assert app.permanent_session_lifetime.total_seconds() == 2 * 3600


def test_timeouts_come_from_the_environment_within_bounds() -> None:
    settings = Settings.from_env({"TRUSTDESK_SESSION_IDLE_MINUTES": "15", "TRUSTDESK_SESSION_MAX_HOURS": "8"})
    assert (settings.session_idle_minutes, settings.session_max_hours) == (15, 8)
    assert Settings.from_env({}).session_idle_minutes == 30 and Settings.from_env({}).session_max_hours == 12


def test_an_unchanged_session_sends_no_cookie_and_seen_at_is_refreshed_once_stale(
    runner: CliRunner, runtime: Runtime
) -> None:
    make_org(runner, "acme")
    make_user(runner, "vciso@acme.example", "acme", "approver")
    client = _logged_in(_client(runtime, session_idle_minutes=5))

    response = client.get("/o/acme/bank/")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers

    _idle(client, 61)  # past the refresh interval, inside the idle timeout
    response = client.get("/o/acme/bank/")
    assert response.status_code == 200 and "Set-Cookie" in response.headers
    with client.session_transaction() as sess:
        assert time.time() - sess["seen_at"] < 5, "the request counted as activity"


def test_seen_at_is_refreshed_at_least_ten_times_per_idle_timeout() -> None:
    settings = Settings.from_env({"TRUSTDESK_SESSION_IDLE_MINUTES": "5"})
    assert seen_every(settings) == 30.0
    assert seen_every(Settings.from_env({})) == 60.0
