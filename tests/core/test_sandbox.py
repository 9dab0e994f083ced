"""Untrusted work runs in a limited child process: a hostile job costs at most its limits."""

from __future__ import annotations

import pickle
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.errors import CorruptFile, LimitExceeded
from core.sandbox import SandboxLimits, run_limited
from tests.core import sandbox_targets as targets

LIMITS = SandboxLimits(memory_mb=256, cpu_s=3, wall_s=3.0)


def test_a_result_comes_back_from_the_child() -> None:
    assert run_limited(targets.double, 21, sandbox=LIMITS, what="x") == 42


def test_our_errors_cross_the_process_boundary_intact() -> None:
    with pytest.raises(CorruptFile) as info:
        run_limited(targets.corrupt, sandbox=LIMITS, what="vendor.xlsx")
    assert info.value.where == "vendor.xlsx!Security!C14" and info.value.fix == "re-save it in Excel"


def test_errors_pickle_with_where_and_fix() -> None:
    error = pickle.loads(pickle.dumps(CorruptFile("bad", where="a.pdf page 3", fix="re-export")))
    assert str(error) == "a.pdf page 3: bad. Fix: re-export."


def test_a_job_that_hangs_is_stopped_at_the_wall_clock_limit() -> None:
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match="took longer than 3 s"):
        run_limited(targets.sleep_forever, sandbox=LIMITS, what="slow.pdf")
    assert time.monotonic() - started < 8


def test_a_job_that_eats_memory_ends_in_a_clear_error() -> None:
    with pytest.raises(LimitExceeded, match="too large or complex") as info:
        run_limited(targets.eat_memory, sandbox=LIMITS, what="bomb.pdf")
    assert info.value.where == "bomb.pdf" and info.value.fix


def test_an_unexpected_crash_is_reported_not_raised_raw() -> None:
    with pytest.raises(Exception, match="failed unexpectedly") as info:
        run_limited(targets.crash, sandbox=LIMITS, what="odd.docx")
    assert not isinstance(info.value, ZeroDivisionError)


def test_a_job_that_spins_is_stopped_at_the_cpu_limit_before_the_wall_clock() -> None:
    limits = SandboxLimits(memory_mb=256, cpu_s=1, wall_s=30.0)
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match="1 s of CPU"):
        run_limited(targets.burn_cpu, sandbox=limits, what="spin.pdf")
    assert time.monotonic() - started < 25, "the CPU limit, not the wall clock, ended it"


@pytest.mark.parametrize("concurrent", [1, 2])
def test_no_more_children_run_at_once_than_the_limit(concurrent: int) -> None:
    limits = SandboxLimits(memory_mb=256, cpu_s=10, wall_s=20.0, concurrent=concurrent)
    with ThreadPoolExecutor(max_workers=4) as pool:
        spans = list(pool.map(lambda _: run_limited(targets.hold, 1.0, sandbox=limits, what="x"), range(4)))
    moments = sorted({moment for span in spans for moment in span})
    most = max(sum(start <= m < end for start, end in spans) for m in moments)
    assert most == concurrent, spans


STARTS_THE_SERVER = """
import os
import time
from pathlib import Path

from core.sandbox import start_parser_server


def children():
    tasks = Path(f"/proc/{os.getpid()}/task").glob("*")
    return [int(pid) for task in tasks for pid in (task / "children").read_text().split()]


def serving():
    return any(b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children())


before = children()
start_parser_server()
deadline = time.monotonic() + 30  # the child shows its own command line once it has exec'd
while not serving() and time.monotonic() < deadline:
    time.sleep(0.05)
print(len(before), serving())
"""


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to see child processes")
def test_a_web_worker_can_start_its_parsing_fork_server_before_the_first_upload() -> None:
    """gunicorn's post_worker_init does this, so the parsers are imported at start-up."""
    run = subprocess.run(
        [sys.executable, "-c", STARTS_THE_SERVER], capture_output=True, text=True, timeout=120, check=True
    )
    assert run.stdout.split("\n")[0] == "0 True", run.stdout + run.stderr
