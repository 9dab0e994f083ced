"""`trustdesk backup` / `restore` refusals; the backup taken during writes and restored is catalogue C09
(tests/catalogue/test_concurrency.py)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tests.helpers import cli


def test_backup_refuses_a_folder_that_is_not_empty(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "something").write_text("x")
    result = cli(runner, "backup", str(tmp_path / "bk"))
    assert result.exit_code == 1 and "not empty" in result.output


def test_restore_refuses_a_folder_that_is_not_a_backup(runner: CliRunner, tmp_path: Path) -> None:
    result = cli(runner, "restore", str(tmp_path), "--yes")
    assert result.exit_code == 1 and "not a Trustdesk backup" in result.output
