"""Catalogue 2.3, authentication and sessions: A01 to A10."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlmodel import select
from werkzeug.routing import Rule
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from core import accounts
from core.db import write_session
from core.errors import ValidationError
from core.models import LoginFailure
from tests.catalogue.conftest import (
    World,
    assert_alive,
    audit_since,
    csrf_client,
    csrf_token,
    fetch,
    last_audit_id,
    login,
    snapshot,
)
from tests.helpers import PASSWORD, oid
from web.app import create_app
from web.cli import main
from web.context import Runtime

APPROVER = "approver@acme.example"


def _actions(engine: Engine, after: int) -> list[str]:
    return [e.action for e in audit_since(engine, after)]


# ---------------------------------------------------------------------------------------------- A01


def test_A01_thirty_wrong_passwords_from_one_address_get_429_after_five(
    client: FlaskClient, engine: Engine, people: None
) -> None:
    before, mark = snapshot(engine), last_audit_id(engine)
    codes = [login(client, APPROVER, "wrong password, try again", "10.0.0.1") for _ in range(30)]
    assert codes == [401] * 5 + [429] * 25
    assert login(client, APPROVER, PASSWORD, "10.0.0.1") == 429, "even the right password waits"
    actions = _actions(engine, mark)
    assert actions.count("authn_login_fail") == 5 and actions.count("authn_login_fail_max") == 26
    assert snapshot(engine) == before, "only the audit log and the failure counter may grow"
    assert_alive(client)


def test_A01_thirty_wrong_passwords_from_ten_addresses_get_429_after_ten(
    client: FlaskClient, engine: Engine, people: None
) -> None:
    codes = [login(client, APPROVER, "wrong password, try again", f"10.0.1.{n % 10}") for n in range(30)]
    assert codes == [401] * 10 + [429] * 20, "the per-account limit holds across addresses"
    assert login(client, "admin@acme.example", PASSWORD, "10.0.1.1") == 302, "other accounts log in"
    assert_alive(client)


def test_A01_parallel_wrong_passwords_reach_the_password_check_no_more_often_than_the_limit(
    client: FlaskClient, engine: Engine, people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More attempts at once from one address than the per-account-and-address limit: no more than the
    limit get their password checked (checking the count first and recording the failure after let all
    of them through). Two more than the limit: each request may hold two of PostgreSQL's 15 pooled
    connections, as a gunicorn worker's 4 threads do."""
    _window, most = accounts.PER_ACCOUNT_AND_ADDRESS
    parallel = most + 2
    checked: list[str] = []
    real = accounts.verify_password

    def as_slow_as_argon2(hashed: str, password: str) -> bool:
        checked.append(hashed)
        time.sleep(0.2)  # the tests' hashes are cheap; a real check takes this long
        return real(hashed, password)

    monkeypatch.setattr(accounts, "verify_password", as_slow_as_argon2)
    start = threading.Barrier(parallel)

    def attempt(_n: int) -> int:
        own = client.application.test_client()
        start.wait()
        return login(own, APPROVER, "wrong password, try again", "10.0.2.1")

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        codes = list(pool.map(attempt, range(parallel)))
    assert set(codes) <= {401, 429} and codes.count(429) >= parallel - most, codes
    assert len(checked) == codes.count(401) <= most
    with write_session(engine) as s:
        failures = s.exec(select(LoginFailure).where(LoginFailure.address == "10.0.2.1")).all()
    assert len(failures) == codes.count(401), "a refused attempt leaves no failure row behind"
    assert_alive(client)


def test_A01_unknown_user_and_wrong_password_get_the_same_answer_and_the_same_work(
    client: FlaskClient, people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    real = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", lambda h, p: verified.append(h) or real(h, p))
    wrong = client.post("/login", data={"email": APPROVER, "password": "nope nope nope"})
    unknown = client.post("/login", data={"email": "ghost@acme.example", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert b"Wrong e-mail or password." in wrong.data and b"Wrong e-mail or password." in unknown.data
    assert len(verified) == 2, "an unknown user still costs one password hash verification"
    assert verified[1] == accounts._DUMMY_HASH


# ---------------------------------------------------------------------------------------------- A02


def test_A02_login_changes_the_cookie_and_drops_planted_keys(
    client: FlaskClient, engine: Engine, people: None
) -> None:
    with client.session_transaction() as sess:
        sess["tenant_id"] = 999
        sess["role"] = "admin"
    planted = client.get_cookie("trustdesk_session")
    assert planted is not None
    before, mark = snapshot(engine), last_audit_id(engine)
    assert login(client, APPROVER) == 302
    fresh = client.get_cookie("trustdesk_session")
    assert fresh is not None and fresh.value != planted.value
    with client.session_transaction() as sess:
        assert "tenant_id" not in sess and "role" not in sess
        assert sess["_user_id"].startswith("2:"), "the session names the approver who logged in"
    assert snapshot(engine) == before and _actions(engine, mark) == ["auth.login"]
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- A03


def test_A03_session_cookie_refused_after_logout(client: FlaskClient, people: None) -> None:
    assert login(client, APPROVER) == 302
    assert client.get("/o/acme/bank/").status_code == 200
    stolen = client.get_cookie("trustdesk_session")
    assert stolen is not None
    assert client.post("/logout").status_code == 302
    client.set_cookie("trustdesk_session", stolen.value)
    replayed = client.get("/o/acme/bank/")
    assert replayed.status_code == 302 and replayed.headers["Location"].startswith("/login")
    posted = client.post("/o/acme/bank/new", data={"key": "X-1", "question": "Replayed?"})
    assert posted.status_code == 401 and b"Please log in" in posted.data
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- A04


def _end_by_password(engine: Engine, client: FlaskClient) -> None:
    with write_session(engine) as s:
        user = accounts.get_user(s, email=APPROVER)
        assert user is not None
        accounts.change_password(s, user=user, password="another long passphrase", actor="test")


def _end_by_disable(engine: Engine, client: FlaskClient) -> None:
    with write_session(engine) as s:
        user = accounts.get_user(s, email=APPROVER)
        assert user is not None
        accounts.set_active(s, user=user, active=False, actor="test")


def _end_by_admin(role: str) -> object:
    def act(engine: Engine, admin: FlaskClient) -> None:
        assert login(admin, "admin@acme.example") == 302
        with write_session(engine) as s:
            user = accounts.get_user(s, email=APPROVER)
            assert user is not None
        response = admin.post(f"/o/acme/members/{oid(user.id)}", data={"role": role})
        assert response.status_code == 302

    return act


@pytest.mark.parametrize(
    "end",
    [
        pytest.param(_end_by_password, id="password-change"),
        pytest.param(_end_by_disable, id="user-disabled"),
        pytest.param(_end_by_admin("account_manager"), id="role-changed"),
        pytest.param(_end_by_admin("remove"), id="role-removed"),
    ],
)
def test_A04_password_change_disablement_or_role_change_ends_every_other_session(
    app: Flask, engine: Engine, people: None, end: object
) -> None:
    laptop, phone, admin = app.test_client(), app.test_client(), app.test_client()
    for device in (laptop, phone):
        assert login(device, APPROVER) == 302
        assert device.get("/o/acme/bank/").status_code == 200
    end(engine, admin)  # type: ignore[operator]
    for device in (laptop, phone):
        page = device.get("/o/acme/bank/")
        assert page.status_code == 302 and page.headers["Location"].startswith("/login")
        assert device.post("/o/acme/bank/new", data={"key": "X-1", "question": "q"}).status_code == 401
    assert_alive(laptop)


# ---------------------------------------------------------------------------------------------- A05


def test_A05_session_cookie_is_host_prefixed_secure_httponly_lax_without_domain(
    runtime: Runtime, people: None
) -> None:
    production = Runtime(replace(runtime.settings, env="production"))
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, runtime=production)
    response = app.test_client().post("/login", data={"email": APPROVER, "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    name, attributes = cookie.split("=", 1)[0], [a.strip().lower() for a in cookie.split(";")[1:]]
    assert name.startswith("__Host-")
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= set(attributes), cookie
    assert not any(a.startswith("domain") for a in attributes), cookie
    assert app.permanent_session_lifetime.total_seconds() <= 12 * 3600
    assert_alive(app.test_client())


@pytest.mark.parametrize(("hops", "seen"), [(0, "10.9.9.9"), (1, "203.0.113.7")])
def test_A01_login_throttling_keys_on_the_forwarded_address_only_behind_a_configured_proxy(
    runtime: Runtime, engine: Engine, people: None, hops: int, seen: str
) -> None:
    app = create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False},
        runtime=Runtime(replace(runtime.settings, proxy_hops=hops)),
    )
    mark = last_audit_id(engine)
    app.test_client().post(
        "/login",
        data={"email": APPROVER, "password": "wrong password, try again"},
        headers={"X-Forwarded-For": "203.0.113.7"},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    [failure] = [e for e in audit_since(engine, mark) if e.action == "authn_login_fail"]
    assert failure.detail["address"] == seen, "a forwarded address is trusted only from a configured proxy"


# ---------------------------------------------------------------------------------------------- A06


@pytest.mark.parametrize(
    ("key", "age"),
    [
        pytest.param("seen_at", 31 * 60, id="idle-31-minutes"),
        pytest.param("login_at", 12 * 3600 + 1, id="12-hours"),
    ],
)
def test_A06_idle_or_old_sessions_must_log_in_again(
    client: FlaskClient, people: None, key: str, age: int
) -> None:
    assert login(client, APPROVER) == 302
    assert client.get("/o/acme/bank/").status_code == 200
    with client.session_transaction() as sess:
        sess[key] = time.time() - age
    response = client.get("/o/acme/bank/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/o/acme/bank/").status_code == 302, "the expired session is gone, not refreshed"
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- A07


def _csrf_targets(world: World) -> dict[str, tuple[str, dict[str, str]]]:
    a = world.acme
    base = f"/o/acme/questionnaires/{oid(a.questionnaire_id)}"
    return {
        "approve": (f"{base}/drafts/{oid(a.draft_open)}/approve", {"row_version": "1", "answer": "Yes."}),
        "reject": (f"{base}/drafts/{oid(a.draft_open)}/reject", {"row_version": "1"}),
        "upload": ("/o/acme/evidence/new", {"title": "Forged", "url": "https://evil.example/"}),
        "share-create": (
            f"/o/acme/packs/{oid(a.pack_id)}/share",
            {"recipient": "Mallory", "expires": "2099-01-01"},
        ),
        "share-revoke": (f"/o/acme/packs/shares/{oid(a.share_id)}/revoke", {}),
        "role-change": (f"/o/acme/members/{oid(a.user_id)}", {"role": "admin"}),
    }


def test_A07_posts_without_or_with_a_stale_csrf_token_change_nothing(
    app: Flask, engine: Engine, world: World
) -> None:
    client = csrf_client(app)
    token = csrf_token(client)
    assert (
        client.post(
            "/login", data={"email": "admin@acme.example", "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    stale = csrf_token(
        csrf_client(
            create_app(
                {"TESTING": True, "SECRET_KEY": "another-secret-key-0123456789"},
                runtime=app.extensions["trustdesk"],
            )
        )
    )
    before = snapshot(engine)
    for name, (path, data) in _csrf_targets(world).items():
        for label, extra in (("missing", {}), ("stale", {"csrf_token": stale})):
            mark = last_audit_id(engine)
            response = client.post(path, data={**data, **extra})
            assert response.status_code == 400, f"{name} with a {label} token gave {response.status_code}"
            assert _actions(engine, mark) == ["malicious_csrf"], f"{name} ({label})"
    assert snapshot(engine) == before
    fresh = csrf_token(client, f"/o/acme/packs/{oid(world.acme.pack_id)}")
    path, data = _csrf_targets(world)["share-revoke"]
    assert client.post(path, data={**data, "csrf_token": fresh}).status_code == 302, "a valid token works"
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- A08


def _get_rules(app: Flask) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if "GET" in (r.methods or set())]


def test_A08_no_get_request_changes_state(
    app: Flask, client: FlaskClient, engine: Engine, world: World
) -> None:
    """Every GET route, with real ids, as an admin and anonymously: the data is unchanged (views,
    downloads and refusals only add audit rows and move a link's download counter)."""
    assert login(client, "admin@acme.example") == 302
    anonymous = app.test_client()
    before = snapshot(engine)
    values = world.acme.url_values()
    checked, rules = 0, _get_rules(app)
    for rule in rules:
        url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]  # type: ignore[index]
        for who in (client, anonymous):
            assert fetch(who, "GET", url).status_code < 500, url
            checked += 1
        assert snapshot(engine) == before, f"GET {rule.rule} changed the data"
    assert checked == 2 * len(rules) and len(rules) >= 25
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- A09


def _common_long() -> str:
    return next(p for p in FREQUENCY_LISTS["passwords"][: accounts.COMMON_PASSWORDS] if len(p) >= 12)


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        pytest.param("Sh0rt!x", False, id="7-characters"),
        pytest.param("elevenchars", False, id="11-characters"),
        pytest.param("password", False, id="top-password"),
        pytest.param(None, False, id="top-3000-long-enough"),
        pytest.param("x" * 2000, False, id="absurdly-long"),
        pytest.param("correct horse battery staple " * 3, True, id="64-plus-characters"),
        pytest.param("Grüße aus Köln 東京 🔐 2026", True, id="unicode"),
        pytest.param("  pasted  with  spaces\tand tab  ", True, id="pasted"),
    ],
)
def test_A09_password_policy(
    app: Flask, runner: CliRunner, people: None, password: str | None, accepted: bool
) -> None:
    chosen = password if password is not None else _common_long()
    if accepted:
        accounts.check_password_policy(chosen)
    else:
        with pytest.raises(ValidationError):
            accounts.check_password_policy(chosen)
    result = runner.invoke(
        main,
        ["user", "create", "new@acme.example", "--org", "acme", "--role", "viewer", "--password-stdin"],
        input=chosen + "\n",
    )
    assert (result.exit_code == 0) == accepted, result.output
    assert_alive(app.test_client())


def test_A09_login_form_allows_pasting_and_password_managers(client: FlaskClient, people: None) -> None:
    page = client.get("/login").data.decode()
    field = page[page.index('name="password"') - 200 : page.index('name="password"') + 200]
    assert "onpaste" not in field and "maxlength" not in field
    assert 'autocomplete="current-password"' in field
    assert login(client, APPROVER, PASSWORD) == 302
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- A10


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "/%5Cevil.example",
        "/%09/evil.example",
    ],
)
def test_A10_open_redirect_through_next_is_ignored(client: FlaskClient, people: None, target: str) -> None:
    response = client.post(
        f"/login?next={quote(target, safe='')}", data={"email": APPROVER, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "/o/acme/bank/"), response.headers["Location"]
    assert_alive(client)


def test_A10_a_relative_next_on_our_host_is_kept(client: FlaskClient, people: None) -> None:
    response = client.post("/login?next=/o/acme/bank/IAM-001", data={"email": APPROVER, "password": PASSWORD})
    assert response.headers["Location"] == "/o/acme/bank/IAM-001"
    assert_alive(client)
