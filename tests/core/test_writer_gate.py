"""SQLite writers queue on the writer gate (core.db.WriterGate): none is lost, none starves, and a
writer that cannot get in within its timeout gets Busy, as from SQLite itself."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from core.db import make_engine, read_session, write_session, writer_gate
from core.errors import Busy


def counter_engine(tmp_path: Path, timeout_ms: int = 15_000):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}", busy_timeout_ms=timeout_ms)
    with write_session(engine) as s:
        s.execute(text("CREATE TABLE IF NOT EXISTS counter (n INTEGER NOT NULL)"))
        s.execute(text("DELETE FROM counter"))
        s.execute(text("INSERT INTO counter VALUES (0)"))
    return engine


def test_more_writers_than_pooled_connections_all_finish_and_no_increment_is_lost(tmp_path: Path) -> None:
    engine = counter_engine(tmp_path)
    errors: list[BaseException] = []
    start = threading.Barrier(24)

    def reader_then_writer() -> None:
        try:
            # like a request: its read session holds a connection while it waits for the write
            with read_session(engine) as reading:
                reading.execute(text("SELECT n FROM counter")).one()
                start.wait(10)
                for _ in range(5):
                    with write_session(engine) as s:
                        n = s.execute(text("SELECT n FROM counter")).scalar_one()
                        s.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader_then_writer) for _ in range(24)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    assert time.monotonic() - began < 30, "writers waited on each other for far too long"
    with read_session(engine) as s:
        assert s.execute(text("SELECT n FROM counter")).scalar_one() == 24 * 5


def test_a_writer_kept_out_past_its_timeout_gets_busy_and_writes_nothing(tmp_path: Path) -> None:
    patient = counter_engine(tmp_path)
    impatient = make_engine(str(patient.url), busy_timeout_ms=200)
    held, release = threading.Event(), threading.Event()

    def long_writer() -> None:
        with write_session(patient) as s:
            s.execute(text("UPDATE counter SET n = 1"))
            held.set()
            release.wait(10)

    holder = threading.Thread(target=long_writer)
    holder.start()
    try:
        assert held.wait(10)
        began = time.monotonic()
        with pytest.raises(Busy), write_session(impatient) as s:
            s.execute(text("UPDATE counter SET n = 99"))
        assert time.monotonic() - began < 2, "the timeout of the waiting engine applies"
    finally:
        release.set()
        holder.join()
    with read_session(patient) as s:
        assert s.execute(text("SELECT n FROM counter")).scalar_one() == 1


def test_a_writer_waiting_on_another_process_gets_in_once_it_lets_go(tmp_path: Path) -> None:
    """Two engines on one file have two descriptors of the lock file, so ``flock`` treats them as two
    processes: the second waits until the first lets go, then gets in."""
    first = writer_gate(counter_engine(tmp_path))
    second = writer_gate(make_engine(f"sqlite:///{tmp_path / 'gate.db'}"))
    assert first is not None and second is not None
    order: list[str] = []
    got_in = threading.Event()

    def wait_then_write() -> None:
        with second.held():
            order.append("second in")
            got_in.set()

    waiter = threading.Thread(target=wait_then_write)
    with first.held():
        waiter.start()
        assert not got_in.wait(0.3), "the second writer got in while the first held the lock"
        order.append("first out")
    assert got_in.wait(10)
    waiter.join(10)
    assert order == ["first out", "second in"]


def test_a_write_session_inside_another_of_the_same_thread_passes_the_gate(tmp_path: Path) -> None:
    engine = counter_engine(tmp_path, timeout_ms=300)
    gate = writer_gate(engine)
    assert gate is not None
    with gate.held(), gate.held():  # re-entered by the same thread without waiting on itself
        pass
    with write_session(engine) as s:
        s.execute(text("UPDATE counter SET n = 5"))
    with read_session(engine) as s:
        assert s.execute(text("SELECT n FROM counter")).scalar_one() == 5


def test_postgres_and_memory_engines_have_no_gate() -> None:
    assert writer_gate(make_engine("sqlite://")) is None
    assert writer_gate(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")) is None


def test_a_process_forked_while_a_thread_holds_the_gate_can_still_write(tmp_path: Path) -> None:
    """The child gets a fresh lock (the parent's thread, holding it at the fork, does not exist there)
    and still waits for the parent's writer through the lock file. No SQLite connection is open across
    the fork: SQLite itself forbids that."""
    import os

    engine = counter_engine(tmp_path, timeout_ms=5_000)
    engine.dispose()
    gate = writer_gate(engine)
    assert gate is not None
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with gate.held():
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            began = time.monotonic()
            with write_session(engine) as s:
                s.execute(text("UPDATE counter SET n = n + 10"))
            code = 0 if time.monotonic() - began >= 0.2 else 2  # it waited for the parent's writer
        except BaseException as exc:  # shown in the test's output
            print("child:", type(exc).__name__, exc, flush=True)
        finally:
            os._exit(code)
    time.sleep(0.3)
    release.set()
    thread.join()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the child could not write, or did not wait"
    with read_session(engine) as s:
        assert s.execute(text("SELECT n FROM counter")).scalar_one() == 10
