"""Load test on loopback: 50 reviewers approving drafts while four hostile uploads are in flight.

Run: ``.venv/bin/python bench/load.py [--duration 60] [--reviewers 50] [--quick] [--json FILE]``
(``make bench`` runs it too; ``--quick`` is 20 s). Needs the ``bench`` extra (gunicorn, httpx).

What it does, in a temporary ``TRUSTDESK_HOME`` that is deleted afterwards:

1. seeds the database (SQLite by default, or ``--database-url``, which is **emptied**): the demo
   organisation, one approver per reviewer and per uploader, and a questionnaire of ``--questions``
   drafts imported through the upload pipeline, each draft assigned to one reviewer in turn;
2. starts the app the production way: ``TRUSTDESK_ENV=production``, gunicorn with the shipped settings
   (``--config python:web.gunicorn_conf``, as docs/deploy.md) and ``--workers`` workers of ``--threads``
   threads (and, with ``--redis-url``, a ``trustdesk worker`` for the jobs);
3. logs every client in through the real login form (CSRF token read from the page); the reviewers
   then arrive evenly over ``--ramp`` seconds (default 5, before the measured window: what is measured
   is 50 reviewers at work, not 50 arriving in the same half second), and for
   ``--duration`` seconds each reviewer loads the drafts assigned to them, approves each one as the
   review page's script does (``Accept: application/json``), with a think time before every action,
   and every ``--browse-every``-th visit loads the whole questionnaire instead; meanwhile four uploaders
   each keep one hostile file in flight (upload, wait for the verdict, upload again);
4. prints p50/p95/p99 and errors per operation, approvals per second, the verdict on every hostile
   upload, "database is locked" lines in the server log, and each target met or missed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.loadkit.clients import Plan, make_client, run_load  # noqa: E402
from bench.loadkit.hostile import hostile_files  # noqa: E402
from bench.loadkit.report import render, summarise  # noqa: E402
from bench.loadkit.seed import seed  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402

UPLOADERS = 4


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of measured load (default 60)")
    parser.add_argument("--quick", action="store_true", help="20 s instead of --duration (make bench)")
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--questions", type=int, default=300, help="drafts in the seeded questionnaire")
    parser.add_argument("--think", type=float, default=0.3, help="mean think time before each action (s)")
    parser.add_argument(
        "--ramp",
        type=float,
        default=5.0,
        help="reviewers arrive evenly over this many seconds before the measured window (default 5; 0: all"
        " at once)",
    )
    parser.add_argument("--browse-every", type=int, default=4, help="every n-th visit loads all questions")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--no-hostile", action="store_true", help="no hostile uploads")
    parser.add_argument("--database-url", help="PostgreSQL URL of a scratch database (its schema is dropped)")
    parser.add_argument("--redis-url", help="run jobs through Redis and a `trustdesk worker` (e.g. DB 9)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--server-log", type=Path, help="keep gunicorn's error log in this file")
    args, _ = parser.parse_known_args(argv)  # bench/run.py passes its own arguments to every script
    if args.quick:
        args.duration = 20.0
    return args


def environment(args: argparse.Namespace, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTDESK_")}
    env.update(
        TRUSTDESK_ENV="production",
        TRUSTDESK_SECRET_KEY=secrets.token_hex(32),
        TRUSTDESK_HOME=str(home),
        TRUSTDESK_DATABASE_URL=args.database_url or f"sqlite:///{home / 'trustdesk.db'}",
    )
    if args.redis_url:
        env["TRUSTDESK_REDIS_URL"] = args.redis_url
    return env


def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(CPU seconds of the process itself, of its children it has waited for), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def children(pid: int) -> list[int]:
    """Child processes of every thread of ``pid`` (a job thread starts the parsing forkserver)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def server_cpu(master: int) -> dict[str, float]:
    """CPU seconds used so far by gunicorn's web workers and by the parsing processes they started
    (forkserver and sandboxed children, finished ones included)."""
    web = parse = 0.0
    for worker in children(master):
        try:
            own, _reaped = cpu_seconds(worker)
            web += own
            stack = children(worker)
            while stack:
                pid = stack.pop()
                own, reaped = cpu_seconds(pid)
                parse += own + reaped
                stack += children(pid)
        except OSError:  # a process ended while we looked
            continue
    return {"web_workers": web, "parsing": parse}


@contextmanager
def server(args: argparse.Namespace, env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """gunicorn (and a job worker with Redis) until the block ends; yields the base URL and its pid."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "--config", "python:web.gunicorn_conf",
        "--workers", str(args.workers), "--threads", str(args.threads),
        "--bind", f"127.0.0.1:{port}", "--error-logfile", str(log), "--log-level", "warning",
        "web.app:create_app()",
    ]  # fmt: skip
    processes = [subprocess.Popen(command, env=env, cwd=REPO)]
    if args.redis_url:
        trustdesk = Path(sys.executable).with_name("trustdesk")
        processes.append(
            subprocess.Popen([str(trustdesk), "worker"], env=env, cwd=REPO, stderr=log.open("a"))
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, processes[0])
        yield url, processes[0].pid
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            if httpx.get(url + "/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {url} within {timeout:g} s")


def flush_redis(url: str) -> None:
    from redis import Redis

    Redis.from_url(url).flushdb()


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    with tempfile.TemporaryDirectory(prefix="trustdesk-load-") as tmp:
        home = Path(tmp)
        env = environment(args, home)
        if args.database_url:
            reset_postgres(args.database_url)
        if args.redis_url:
            flush_redis(args.redis_url)
        settings = Settings.from_env(env)
        engine = make_engine(settings.database_url)
        started = time.monotonic()
        seeded = seed(
            engine, settings, reviewers=args.reviewers, uploaders=UPLOADERS, questions=args.questions
        )
        engine.dispose()
        print(
            f"seeded in {time.monotonic() - started:.1f} s: questionnaire {seeded.questionnaire_id}, "
            f"{seeded.drafts} drafts {seeded.bands}; {args.reviewers} reviewers; "
            f"database {settings.database_url.split('@')[-1].split('/')[0] if args.database_url else 'SQLite'}",
            flush=True,
        )
        plan = Plan(
            org=seeded.org_slug,
            questionnaire=seeded.questionnaire_url_id,
            reviewers=seeded.logins[: args.reviewers],
            uploaders=seeded.logins[args.reviewers :],
            hostile=[] if args.no_hostile else hostile_files(),
            duration=args.duration,
            think=args.think,
            browse_every=args.browse_every,
            ramp=args.ramp,
        )
        log = home / "server.log"
        load_before = os.getloadavg()
        with server(args, env, log) as (url, master):
            before, client_before = server_cpu(master), time.process_time()
            rec = run_load(plan, lambda: make_client(url))
            after, client_after = server_cpu(master), time.process_time()
        server_log = log.read_text(errors="replace")
        if args.server_log:
            args.server_log.write_text(server_log)
        summary = summarise(rec, args.duration, locked=server_log.count("database is locked"))
        summary["setup"] = {
            "command": " ".join([Path(sys.executable).name, "bench/load.py", *(argv or sys.argv[1:])]),
            "gunicorn": f"{args.workers} gthread workers x {args.threads} threads",
            "database": "PostgreSQL" if args.database_url else "SQLite (WAL)",
            "jobs": "Redis + trustdesk worker" if args.redis_url else "in-process threads",
            "reviewers": args.reviewers,
            "think_s": args.think,
            "ramp_s": args.ramp,
            "drafts": seeded.drafts,
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "server_tracebacks": server_log.count("Traceback"),
            "cpu_seconds": {
                **{k: round(after[k] - before[k], 1) for k in after},
                "load_client": round(client_after - client_before, 1),
            },
        }
    print(render(summary))
    setup = summary["setup"]
    print(f"load average before {setup['load_average_before']}, after {setup['load_average_after']}")
    print(f"CPU seconds during the run (and the wait for the last verdicts): {setup['cpu_seconds']}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
