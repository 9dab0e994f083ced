from __future__ import annotations

import threading

from click.testing import CliRunner
from sqlalchemy import Engine, text

from answerbank import store
from answerbank.models import EntryCreate
from core import accounts
from core.db import read_session, write_session
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


def test_concurrent_writers_lose_no_update(engine: Engine) -> None:
    """Eight threads each write 15 new versions of the same entry: every one must land."""
    with write_session(engine) as s:
        org = accounts.create_org(s, slug="race", name="Race")
        assert org.id is not None
        store.create_entry(
            s,
            org_id=org.id,
            data=EntryCreate(key="K-1", question="Q?", answer="0"),
            actor=store.Actor("test"),
        )
    org_id = org.id
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(15):
                with write_session(engine) as s:
                    entry = store.get_entry(s, org_id=org_id, key="K-1", for_update=True)
                    assert entry is not None
                    data = EntryCreate(key="K-1", question="Q?", answer=str(int(entry.answer) + 1))
                    store.update_entry(s, org_id=org_id, data=data, actor=store.Actor(f"t{n}-{i}"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with read_session(engine) as s:
        entry = store.get_entry(s, org_id=org_id, key="K-1")
        assert entry is not None
        assert entry.answer == "120", "an increment was lost"
        assert entry.version == 121
        assert len(store.history(s, entry=entry)) == 121
