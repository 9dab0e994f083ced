"""``web/gunicorn_conf.py``, the settings every deployment and ``bench/load.py`` give gunicorn: gunicorn
reads them, and each worker, once the app is loaded, takes its start-up objects out of the garbage
collector's walks (docs/benchmarks.md measures what that saves)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

WORKER = """
import gc, json, sys, threading
import web.app  # what a gunicorn worker has imported when the hook runs
import web.gunicorn_conf as conf
before = gc.get_freeze_count()
conf.post_worker_init(None)
threads = sorted(t.name for t in threading.enumerate())
print(json.dumps([before, gc.get_freeze_count(), list(gc.get_threshold()), sys.getswitchinterval(), threads]))
"""


def test_worker_hook_freezes_the_loaded_app_collects_less_often_and_starts_the_file_sweep(
    tmp_path: Path,
) -> None:
    from web import gunicorn_conf as conf

    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTDESK_")}
    env["TRUSTDESK_HOME"] = str(tmp_path)
    run = subprocess.run(  # a fresh interpreter: the test process keeps its own collector settings
        [sys.executable, "-c", WORKER], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    before, frozen, threshold, switch, threads = json.loads(run.stdout)
    assert "trustdesk-sweep" in threads, threads
    assert before == 0
    assert frozen > 50_000, f"only {frozen} objects frozen: the hook ran before the app was imported?"
    assert tuple(threshold) == conf.GC_THRESHOLD and threshold[0] > 700  # 700 is Python's default
    assert switch == conf.SWITCH_INTERVAL < 0.005  # 5 ms is Python's default


def test_gunicorn_reads_the_config_module(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRUSTDESK_", "GUNICORN_"))}
    env.update(TRUSTDESK_HOME=str(tmp_path), TRUSTDESK_DATABASE_URL=f"sqlite:///{tmp_path / 'td.db'}")
    run = subprocess.run(
        [
            str(BIN / "gunicorn"),
            "--config",
            "python:web.gunicorn_conf",
            "--print-config",
            "web.app:create_app()",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    printed = dict(
        (name.strip(), value.strip())
        for name, _, value in (line.partition("=") for line in run.stdout.splitlines())
    )
    assert printed["worker_class"] == "gthread"
    assert printed["threads"] == "4"
    assert printed["keepalive"] == "30"


def test_gunicorn_accepts_the_worker_hook() -> None:
    from gunicorn.config import Config

    from web import gunicorn_conf as conf

    config = Config()
    config.set("post_worker_init", conf.post_worker_init)  # gunicorn checks it is a one-argument callable
    assert config.post_worker_init is conf.post_worker_init
