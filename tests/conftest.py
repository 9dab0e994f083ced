"""Fixtures: a fresh, migrated database per test on SQLite and (when TRUSTDESK_TEST_POSTGRES_URL is set)
on PostgreSQL; ``app``, ``client``, ``runner`` and ``session`` in the flaskr way."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import Engine, text
from sqlmodel import Session

from core import accounts
from core.db import engine_for, make_engine
from core.migrate import upgrade
from core.settings import Settings
from tests.helpers import forget_secret
from web.context import Runtime

# Property tests: a modest run in `make test`; HYPOTHESIS_PROFILE=fuzz for a longer one.
settings.register_profile("default", max_examples=25, deadline=None)
settings.register_profile("fuzz", max_examples=2_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Password hashing at argon2's cheapest profile in this process: the suite creates and logs in hundreds
# of users, at ~0.3 s each with production settings. tests/core/test_accounts.py checks that a fresh
# process (the app, the CLI) still hashes with the defaults.
accounts.use_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))

PG_URL = os.environ.get("TRUSTDESK_TEST_POSTGRES_URL", "")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not PG_URL, reason="TRUSTDESK_TEST_POSTGRES_URL is not set (.ci/run sets it)"
        ),
    ),
]


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'trustdesk.db'}"
    else:
        url = PG_URL
        _reset_postgres(url)
    yield url
    engine_for(url).dispose()
    engine_for.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_url_ids() -> Iterator[None]:
    """Each test's record URLs use its own secret key (tests/helpers.py ``oid``)."""
    forget_secret()
    yield


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of a CLI or app run against this test's database."""
    for key in list(os.environ):
        if key.startswith("TRUSTDESK_") and key != "TRUSTDESK_SHARED_DATA":
            monkeypatch.delenv(key)
    values = {
        "TRUSTDESK_ENV": "test",
        "TRUSTDESK_HOME": str(tmp_path / "home"),
        "TRUSTDESK_DATABASE_URL": database_url,
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


@pytest.fixture
def engine(env: dict[str, str]) -> Engine:
    engine = engine_for(env["TRUSTDESK_DATABASE_URL"])
    upgrade(engine)
    return engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def runtime(engine: Engine) -> Runtime:
    return Runtime(Settings.from_env())


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    from web.app import create_app

    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, runtime=runtime)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(engine: Engine) -> CliRunner:
    return CliRunner()
