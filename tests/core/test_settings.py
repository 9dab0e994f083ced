from __future__ import annotations

import stat
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.settings import Settings


def test_defaults_put_sqlite_and_a_generated_secret_in_the_home(tmp_path: Path) -> None:
    settings = Settings.from_env({"TRUSTDESK_HOME": str(tmp_path)})
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path / 'trustdesk.db'}"
    secret_file = tmp_path / "secret_key"
    assert secret_file.read_text() == settings.secret_key
    assert len(settings.secret_key) == 64
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600


def test_the_generated_secret_is_kept_across_starts(tmp_path: Path) -> None:
    first = Settings.from_env({"TRUSTDESK_HOME": str(tmp_path)})
    second = Settings.from_env({"TRUSTDESK_HOME": str(tmp_path)})
    assert first.secret_key == second.secret_key


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TRUSTDESK_SECRET_KEY is not set") as info:
        Settings.from_env({"TRUSTDESK_HOME": str(tmp_path), "TRUSTDESK_ENV": "production"})
    assert "Fix:" in str(info.value)
    assert not (tmp_path / "secret_key").exists()


def test_production_accepts_an_explicit_secret_key(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"TRUSTDESK_HOME": str(tmp_path), "TRUSTDESK_ENV": "production", "TRUSTDESK_SECRET_KEY": "x" * 32}
    )
    assert settings.secret_key == "x" * 32


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        pytest.param("TRUSTDESK_ENV", "staging", "TRUSTDESK_ENV is 'staging'", id="unknown-env"),
        pytest.param("TRUSTDESK_DATABASE_URL", "mysql://x/y", "'mysql' is not supported", id="mysql-url"),
        pytest.param("TRUSTDESK_MAX_ROWS", "lots", "TRUSTDESK_MAX_ROWS is 'lots', not a number", id="nan"),
        pytest.param("TRUSTDESK_MATCH_AUTO", "1.5", "outside 0.0..1.0", id="threshold-range"),
        pytest.param("TRUSTDESK_SECRET_KEY", "short", "shorter than 16", id="short-secret"),
        pytest.param("TRUSTDESK_MATCH_SEMANTIC", "maybe", "not a yes/no value", id="semantic-flag"),
    ],
)
def test_an_invalid_setting_names_the_key_and_the_fix(
    tmp_path: Path, key: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        Settings.from_env({"TRUSTDESK_HOME": str(tmp_path), key: value})
    assert "Fix:" in str(info.value)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("0", False), ("", False)])
def test_semantic_matching_is_off_unless_asked_for(tmp_path: Path, raw: str, expected: bool) -> None:
    settings = Settings.from_env({"TRUSTDESK_HOME": str(tmp_path), "TRUSTDESK_MATCH_SEMANTIC": raw})
    assert settings.match_semantic is expected
