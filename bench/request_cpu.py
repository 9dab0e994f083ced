"""What one request costs the server: worker CPU per request, one request at a time.

Run: ``.venv/bin/python bench/request_cpu.py [--repeat 40]`` (``make bench`` runs it too; ``--quick``
repeats 10 times). Needs the ``bench`` extra (gunicorn, httpx).

It seeds the load test's organisation (``bench/loadkit/seed.py``: 50 reviewers, 300 drafts, so "mine" is
6 questions) in a temporary ``TRUSTDESK_HOME``, starts gunicorn as ``bench/load.py`` does but with one
worker of one thread, and sends each kind of request ``--repeat`` times in sequence, reading the worker's
CPU seconds from /proc before and after. With nothing running concurrently this is the price of a
request, independent of queueing; divide the machine's cores by it for the most requests per second.
The figures scale with the machine: compare them only with runs on the same machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from bench import load  # noqa: E402
from bench.loadkit.clients import JSON, csrf_token, draft_forms, log_in, make_client  # noqa: E402
from bench.loadkit.options import repeat_options  # noqa: E402
from bench.loadkit.seed import seed  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402

REVIEWERS = 50


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    return repeat_options(__doc__, argv, default=40, quick=10, what="requests of each kind")


def measure(worker: int, send: Callable[[], httpx.Response], times: int) -> tuple[float, float]:
    """(worker CPU ms, wall ms) per request, after one warm-up request."""
    assert send().status_code == 200
    cpu, wall = load.cpu_seconds(worker)[0], time.perf_counter()
    for _ in range(times):
        response = send()
        assert response.status_code == 200, response.status_code
    return (
        1000 * (load.cpu_seconds(worker)[0] - cpu) / times,
        1000 * (time.perf_counter() - wall) / times,
    )


def approvals(
    url: str, base: str, logins: list[tuple[str, str]], times: int
) -> list[Callable[[], httpx.Response]]:
    """One approve request per draft, as the review page's script sends it, for ``times`` drafts."""
    sends: list[Callable[[], httpx.Response]] = []
    for email, password in logins:
        client = make_client(url)
        log_in(client, email, password)
        page = client.get(base, params={"mine": "1"}).text
        token = csrf_token(page)
        for form in draft_forms(page):
            data = {
                "csrf_token": token,
                "row_version": str(form.row_version),
                "answer": form.answer or "Not applicable: we do not offer this.",
                "short_answer": form.short_answer,
            }
            sends.append(lambda c=client, u=form.approve_url, d=data: c.post(u, data=d, headers=JSON))
        if len(sends) > times:
            break
    return sends[: times + 1]


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    server_args = load.arguments(["--workers", "1", "--threads", "1"])
    with tempfile.TemporaryDirectory(prefix="trustdesk-request-cpu-") as tmp:
        env = load.environment(server_args, Path(tmp))
        settings = Settings.from_env(env)
        engine = make_engine(settings.database_url)
        seeded = seed(engine, settings, reviewers=REVIEWERS, uploaders=0, questions=300)
        engine.dispose()
        with load.server(server_args, env, Path(tmp) / "server.log") as (url, master):
            [worker] = load.children(master)
            client = make_client(url)
            log_in(client, *seeded.logins[0])
            base = f"/o/{seeded.org_slug}/questionnaires/{seeded.questionnaire_url_id}"
            rows = [
                ("review page, 50 questions", measure(worker, lambda: client.get(base), args.repeat)),
                (
                    "review page, mine (6 questions)",
                    measure(worker, lambda: client.get(base, params={"mine": "1"}), args.repeat),
                ),
            ]
            sends = iter(approvals(url, base, seeded.logins[:REVIEWERS], args.repeat))
            rows.append(("approve (JSON)", measure(worker, lambda: next(sends)(), args.repeat)))
    print(f"{'request':34} {'worker CPU ms':>14} {'wall ms':>9}   ({args.repeat} of each, one at a time)")
    for name, (cpu, wall) in rows:
        print(f"{name:34} {cpu:14.1f} {wall:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
