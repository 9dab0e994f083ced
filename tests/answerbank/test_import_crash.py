"""Killing the process in the middle of an import leaves the bank as it was before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import Session

from answerbank import store
from core import accounts
from tests.helpers import cli, make_org

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from answerbank import store
    real_create = store.create_entry
    calls = 0
    def create_then_die(*args, **kwargs):
        global calls
        calls += 1
        if calls == 60:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_create(*args, **kwargs)
    store.create_entry = create_then_die
    from web.cli import main
    main(["bank", "import", sys.argv[1], "--org", "acme"])
    """
)


def test_sigkill_mid_import_leaves_the_bank_unchanged(
    runner: CliRunner, session: Session, tmp_path: Path, env: dict[str, str]
) -> None:
    make_org(runner, "acme")
    seed = tmp_path / "seed.csv"
    seed.write_text(
        "key,question,answer,short_answer,category,controls,alternates\nOLD-1,Old?,Kept.,Yes,,,\n"
    )
    cli(runner, "bank", "import", str(seed), "--org", "acme")
    big = tmp_path / "big.csv"
    rows = "".join(f"NEW-{i},Question number {i}?,Answer {i}.,Yes,,,\n" for i in range(120))
    big.write_text("key,question,answer,short_answer,category,controls,alternates\n" + rows)
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(big)],
        env={**os.environ, **env},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    session.rollback()
    org = accounts.require_org(session, slug="acme")
    assert org.id is not None
    assert [e.key for e in store.list_entries(session, org_id=org.id)] == ["OLD-1"]
    # and the bank still works: the same import now succeeds
    result = cli(runner, "bank", "import", str(big), "--org", "acme")
    assert "120 added" in result.output
