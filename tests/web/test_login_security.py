"""Login and sessions: throttling, fixation, timeouts, revocation on password change."""

from __future__ import annotations

import time

from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlmodel import select

from core import accounts
from core.db import write_session
from core.models import AuditEvent
from tests.helpers import PASSWORD, make_org, make_user


def _setup(runner: CliRunner) -> None:
    make_org(runner, "acme")
    make_user(runner, "vciso@acme.example", "acme", "approver")


def _login(client: FlaskClient, password: str = PASSWORD, address: str = "10.0.0.1") -> int:
    return client.post(
        "/login",
        data={"email": "vciso@acme.example", "password": password},
        environ_base={"REMOTE_ADDR": address},
    ).status_code


def test_repeated_failures_are_throttled_per_account_and_address(
    runner: CliRunner, client: FlaskClient, engine: Engine
) -> None:
    _setup(runner)
    assert [_login(client, "wrong password!") for _ in range(5)] == [401] * 5
    assert _login(client, "wrong password!") == 429
    assert _login(client, PASSWORD) == 429, "even the right password waits out the window"
    assert _login(client, PASSWORD, address="10.0.0.2") == 302, "another address is not blocked"
    with write_session(engine) as s:
        actions = [e.action for e in s.exec(select(AuditEvent))]
    assert actions.count("authn_login_fail") == 5 and "authn_login_fail_max" in actions


def test_login_starts_a_fresh_session_without_planted_keys(runner: CliRunner, client: FlaskClient) -> None:
    _setup(runner)
    with client.session_transaction() as sess:
        sess["org_id"] = 999
        sess["role"] = "admin"
    _login(client)
    with client.session_transaction() as sess:
        assert "org_id" not in sess and "role" not in sess
        assert "_user_id" in sess


def test_an_idle_session_must_log_in_again(runner: CliRunner, client: FlaskClient) -> None:
    _setup(runner)
    _login(client)
    assert client.get("/o/acme/bank/").status_code == 200
    with client.session_transaction() as sess:
        sess["seen_at"] = time.time() - 31 * 60
    response = client.get("/o/acme/bank/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_session_older_than_twelve_hours_must_log_in_again(runner: CliRunner, client: FlaskClient) -> None:
    _setup(runner)
    _login(client)
    with client.session_transaction() as sess:
        sess["login_at"] = time.time() - 12 * 3600 - 1
    assert client.get("/o/acme/bank/").status_code == 302


def test_a_password_change_ends_every_other_session(
    runner: CliRunner, client: FlaskClient, engine: Engine
) -> None:
    _setup(runner)
    _login(client)
    assert client.get("/o/acme/bank/").status_code == 200
    with write_session(engine) as s:
        user = accounts.get_user(s, email="vciso@acme.example")
        assert user is not None
        accounts.change_password(s, user=user, password="another long passphrase", actor="test")
    assert client.get("/o/acme/bank/").status_code == 302


def test_removing_a_role_takes_effect_on_the_next_request(
    runner: CliRunner, client: FlaskClient, engine: Engine
) -> None:
    _setup(runner)
    _login(client)
    assert client.get("/o/acme/bank/").status_code == 200
    with write_session(engine) as s:
        from core.models import Membership

        for m in s.exec(select(Membership)):
            s.delete(m)
    assert client.get("/o/acme/bank/").status_code == 404
