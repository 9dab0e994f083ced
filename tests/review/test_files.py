"""The daily orphan sweep that app servers and job workers run on their own: it removes stored files no
row refers to once they are past the grace period, keeps referenced ones, and stops when told."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.filestore import FileStore
from review.files import sweep_daily
from review.models import QuestionnaireRecord
from tests.helpers import cli, make_org


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_the_background_sweep_removes_old_orphans_and_keeps_referenced_files(
    runner: CliRunner, engine: Engine, env: dict[str, str], tmp_path: Path
) -> None:
    files = FileStore(Path(env["TRUSTDESK_HOME"]) / "files")
    sample = Path(__file__).resolve().parents[1] / "samples" / "vendor_table.xlsx"
    make_org(runner, "acme")
    result = cli(runner, "questionnaire", "import", str(sample), "--org", "acme")
    assert result.exit_code == 0, result.output
    with Session(engine) as s:
        kept = files.path_for(s.exec(select(QuestionnaireRecord)).one().file_sha256)
    orphan = files.path_for(files.put_bytes(b"left by a crashed upload").sha256)
    for path in (kept, orphan):
        _age(path, 3 * 24 * 3600)
    stop = threading.Event()

    thread = sweep_daily(engine, files, first_after_s=0.01, every_s=0.05, stop=stop)
    deadline = time.monotonic() + 20
    while orphan.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(5)

    assert not orphan.exists(), "the orphan is swept without anyone running `trustdesk files sweep`"
    assert kept.exists(), "a file a row refers to is kept, however old"
    assert not thread.is_alive(), "the sweep stops when told"
