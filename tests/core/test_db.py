from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import Engine, text

from tests.helpers import cli


def test_init_upgrades_to_head_and_is_idempotent(runner: CliRunner) -> None:
    # the engine fixture already migrated; a second and third init change nothing
    first = cli(runner, "init")
    second = cli(runner, "init")
    assert first.exit_code == 0 and second.exit_code == 0
    assert "already at revision" in second.output and "nothing to do" in second.output


def test_commands_refuse_an_uninitialised_database(env: dict[str, str]) -> None:
    result = CliRunner().invoke(__import__("web.cli", fromlist=["main"]).main, ["org", "list"])
    assert result.exit_code == 1
    assert "run `trustdesk init`" in result.output


def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
