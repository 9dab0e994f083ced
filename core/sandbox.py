"""Run untrusted work (parsing a stranger's file) in a child process with memory, CPU and wall-clock
limits, and at most N at once per process, so a hostile file costs at most its limits and never blocks
or crashes the web server or the worker."""

from __future__ import annotations

import multiprocessing
import os
import resource
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from core.errors import LimitExceeded, TrustdeskError

T = TypeVar("T")
#: Scheduling priority of a parsing child (``nice``): on a busy machine a slow or hostile file waits
#: for the reviewers' requests instead of competing with them (bench/load.py measures the difference).
PARSE_NICENESS = 19
#: Imported once by the fork server, so each child starts without re-importing the parsers.
PRELOAD = ("ingest", "core.sandbox")


@dataclass(frozen=True)
class SandboxLimits:
    memory_mb: int = 768
    cpu_s: int = 60
    wall_s: float = 60.0
    concurrent: int = os.cpu_count() or 1  # children at once in this process; others wait


@cache
def _slots(concurrent: int) -> threading.BoundedSemaphore:
    """One semaphore per limit, per process: at most ``concurrent`` children run at the same time."""
    return threading.BoundedSemaphore(max(1, concurrent))


def _child(
    conn: Connection,
    limits: SandboxLimits,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    os.nice(PARSE_NICENESS)  # a parse gets the CPU the web workers leave: it can never starve the UI
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
    try:
        conn.send(("ok", fn(*args, **kwargs)))
    except TrustdeskError as exc:
        conn.send(("error", exc))
    except MemoryError:
        conn.send(("memory", None))
    except BaseException as exc:  # reported to the parent as an internal error, never raised there as-is
        conn.send(("crash", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"))
    finally:
        conn.close()


def start_parser_server() -> None:
    """Start this process's fork server now, so it imports the parsers before the first upload instead of
    during it (a web worker calls this at start-up; otherwise the first parse starts it)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(PRELOAD))
    forkserver.ensure_running()


def run_limited(fn: Callable[..., T], *args: Any, sandbox: SandboxLimits, what: str, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a child process; our own errors come back as they were raised."""
    with _slots(sandbox.concurrent):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(PRELOAD))
        parent, child = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_child, args=(child, sandbox, fn, args, kwargs), daemon=True)
        process.start()
        child.close()
        try:
            ready = parent.poll(sandbox.wall_s)
            status, payload = parent.recv() if ready else ("timeout", None)
        except EOFError:
            status, payload = "died", None
        finally:
            parent.close()
            if process.is_alive():
                process.kill()
            process.join(5)
    result: T = _outcome(status, payload, limits=sandbox, what=what)
    return result


def _outcome(status: str, payload: Any, *, limits: SandboxLimits, what: str) -> Any:
    if status == "ok":
        return payload
    if status == "error":
        raise payload
    if status == "timeout":
        raise LimitExceeded(
            f"reading the file took longer than {limits.wall_s:g} s",
            where=what,
            fix="split the document, or raise TRUSTDESK_PARSE_TIMEOUT if the file is trusted",
        )
    if status in ("memory", "died"):
        raise LimitExceeded(
            f"the file is too large or complex to read within {limits.memory_mb} MB and {limits.cpu_s} s of CPU",
            where=what,
            fix="send a smaller or simpler file (e.g. re-save it, or split it)",
        )
    raise TrustdeskError(
        f"reading the file failed unexpectedly ({str(payload).splitlines()[0]})",
        where=what,
        fix="report this file to the Trustdesk maintainers",
    )
