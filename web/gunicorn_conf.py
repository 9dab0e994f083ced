"""gunicorn's settings for Trustdesk, read with ``gunicorn -c python:web.gunicorn_conf``.

Options given on the command line (``--workers``, ``--bind``, ...) still override these; docs/deploy.md
shows the whole command. What is here is what every Trustdesk web node wants whatever its size:

- gthread workers with 4 threads, and keep-alive longer than a reviewer's pause between two requests;
- each worker, once the app is loaded, moves everything it has built so far (modules, templates, the
  SQLAlchemy mappers: about 220,000 objects) out of reach of Python's cyclic garbage collector, and
  collects the young generation less often. With the default settings a full collection walked all of
  them every few requests: 40 % of the CPU of the 50-question review page (docs/benchmarks.md);
- each worker starts its parsing fork server at once (``core.sandbox.start_parser_server``), so the
  parsers are imported at start-up, not during the first upload while reviewers are at work;
- each worker sweeps unreferenced files from the file store once a day (``review.files.sweep_daily``;
  with Redis, ``trustdesk worker`` does too);
- a thread gives up the interpreter lock after 1 ms instead of 5, so a short request (an approval
  holding the database's write lock) is not kept waiting behind a page render in the same worker:
  approve p99 under the load test fell from 171-207 ms to 117-161 ms.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

worker_class = "gthread"
threads = 4
keepalive = 30  # seconds; longer than any think time, so no request races a closing idle connection

GC_THRESHOLD = (10_000, 10, 10)  # young generation collected every 10,000 allocations, not 700
SWITCH_INTERVAL = 0.001  # seconds a thread runs before another may take the GIL (Python: 0.005)


def tune_interpreter() -> None:
    """Freeze what the app built at start-up out of the garbage collector's walks, collect less often, and
    switch threads sooner."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
    sys.setswitchinterval(SWITCH_INTERVAL)


def start_sweep() -> None:
    from core.settings import Settings
    from review.files import sweep_daily
    from web.context import Runtime

    runtime = Runtime(Settings.from_env())
    sweep_daily(runtime.engine, runtime.files)


def start_parser_server() -> None:
    from core.sandbox import start_parser_server

    start_parser_server()


def post_worker_init(worker: Any) -> None:  # gunicorn hook: the worker has loaded the app
    tune_interpreter()
    start_parser_server()
    start_sweep()
