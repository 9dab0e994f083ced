from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

import answerbank.models  # noqa: F401  (every table registered, as migrations/env.py does)
import core.models  # noqa: F401
import evidence.models  # noqa: F401
import review.models  # noqa: F401
from core import accounts
from core.db import write_session
from review import store as review_store
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


def test_the_audit_log_cannot_be_emptied_in_one_statement(engine: Engine) -> None:
    """PostgreSQL's TRUNCATE fires no row trigger, so it has a statement trigger of its own; SQLite has
    no TRUNCATE and its DELETE of every row fires the row trigger."""
    emptying = "TRUNCATE audit_event" if engine.dialect.name == "postgresql" else "DELETE FROM audit_event"
    with write_session(engine) as s:
        accounts.create_org(s, slug="kept", name="Kept")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(emptying))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_event")).scalar() == 1


def test_the_migrations_build_exactly_the_schema_the_models_declare(engine: Engine) -> None:
    """Tables, columns, indexes and constraints: what Alembic would autogenerate is nothing."""
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert differences == []


def test_counting_approved_drafts_reads_the_index_not_the_rows(engine: Engine) -> None:
    """Every approval counts the questionnaire's approved drafts; a draft row carries ~1.7 KB of JSON."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        compiled = review_store._APPROVED_COUNT.compile(conn)
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", (1, "approved")).fetchall()
    assert [row[-1] for row in plan] == [
        "SEARCH draft USING COVERING INDEX ix_draft_questionnaire_status_band (questionnaire_id=? AND status=?)"
    ]
