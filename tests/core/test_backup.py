"""`trustdesk backup` / `restore`: a consistent copy taken while writes continue, restored intact."""

from __future__ import annotations

import threading
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine, text

from answerbank import store
from answerbank.models import EntryCreate
from core import accounts
from core.db import read_session, write_session
from core.filestore import FileStore
from tests.helpers import cli, make_org


def _add(engine: Engine, org_id: int, key: str) -> None:
    with write_session(engine) as s:
        store.create_entry(
            s,
            org_id=org_id,
            data=EntryCreate(key=key, question=f"{key}?", answer="a"),
            actor=store.Actor("writer"),
        )


def _keys(engine: Engine, org_id: int) -> set[str]:
    with read_session(engine) as s:
        return {e.key for e in store.list_entries(s, org_id=org_id)}


def test_backup_during_writes_then_restore_gives_a_consistent_snapshot(
    runner: CliRunner, engine: Engine, env: dict[str, str], tmp_path: Path
) -> None:
    make_org(runner, "acme")
    with read_session(engine) as s:
        org_id = accounts.require_org(s, slug="acme").id or 0
    for i in range(20):
        _add(engine, org_id, f"OLD-{i}")
    files = FileStore(Path(env["TRUSTDESK_HOME"]) / "files")
    stored = files.put_bytes(b"evidence bytes", name="policy.pdf")
    stop = threading.Event()

    def keep_writing() -> None:
        n = 0
        while not stop.is_set():
            _add(engine, org_id, f"NEW-{n}")
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = cli(runner, "backup", str(tmp_path / "bk"))
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    before_restore = _keys(engine, org_id)
    _add(engine, org_id, "AFTER-BACKUP")
    files.path_for(stored.sha256).unlink()
    restored = cli(runner, "restore", str(tmp_path / "bk"), "--yes")
    assert restored.exit_code == 0, restored.output
    after = _keys(engine, org_id)
    assert {f"OLD-{i}" for i in range(20)} <= after
    assert "AFTER-BACKUP" not in after
    assert after <= before_restore, "the snapshot holds nothing that was never committed"
    with files.open(stored.sha256) as fh:
        assert fh.read() == b"evidence bytes"
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    with read_session(engine) as s:
        entry = store.require_entry(s, org_id=org_id, key="OLD-3")
        assert len(store.history(s, entry=entry)) == 1


def test_backup_refuses_a_folder_that_is_not_empty(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "something").write_text("x")
    result = cli(runner, "backup", str(tmp_path / "bk"))
    assert result.exit_code == 1 and "not empty" in result.output


def test_restore_refuses_a_folder_that_is_not_a_backup(runner: CliRunner, tmp_path: Path) -> None:
    result = cli(runner, "restore", str(tmp_path), "--yes")
    assert result.exit_code == 1 and "not a Trustdesk backup" in result.output
