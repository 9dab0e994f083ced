"""Database engine and sessions.

SQLite runs in WAL mode with foreign keys, a busy timeout and ``synchronous=FULL`` (a commit that
returned survives a power cut); :func:`write_session` starts its transaction with ``BEGIN IMMEDIATE`` so
two writers can never interleave a read-modify-write and lose an update. PostgreSQL sessions take row
locks (``SELECT ... FOR UPDATE``) in the store functions instead, and wait at most ``lock_timeout``.
A write that cannot get its lock in time raises :class:`core.errors.Busy` (503 "busy, retry"), never a
raw driver error.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext, suppress
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, make_url, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

from core.errors import Busy

IMMEDIATE = "trustdesk_immediate"
BUSY_TIMEOUT_MS = 15_000
#: SQLite messages and PostgreSQL SQLSTATEs that mean "another writer holds the lock".
_BUSY_MESSAGES = ("database is locked", "database table is locked")
_BUSY_SQLSTATES = ("55P03", "40P01")  # lock_not_available, deadlock_detected


def make_engine(url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, busy_timeout_ms)
    return create_engine(
        url,
        pool_pre_ping=True,
        future=True,
        connect_args={"options": f"-c lock_timeout={busy_timeout_ms}"},
    )


class WriterGate:
    """Queues the writers of one SQLite database: threads on a lock, processes on an ``flock``.

    SQLite's own busy handler makes a waiting writer sleep and retry (1, 2, 5 ... 100 ms), so under many
    concurrent writers an unlucky one waits seconds while others pass it. Here the threads of a process
    wait on a lock that wakes the next one at once, and only the thread holding it competes with other
    processes, through an advisory lock on ``<database>-writer.lock`` polled every millisecond. A wait
    past ``timeout`` seconds raises :class:`Busy`, as SQLite's would.
    """

    POLL = 0.001

    def __init__(self, path: Path, timeout: float) -> None:
        self.path, self.timeout = path, timeout
        self._threads = threading.Lock()
        self._local = threading.local()
        self._fd: int | None = None
        self._pid = 0
        os.register_at_fork(after_in_child=partial(_forget_in_child, weakref.ref(self)))

    @contextmanager
    def held(self) -> Iterator[None]:
        depth = getattr(self._local, "depth", 0)
        if depth:  # a write session inside a write session of this thread: already held
            self._local.depth = depth + 1
            try:
                yield
            finally:
                self._local.depth = depth
            return
        deadline = time.monotonic() + self.timeout
        if not self._threads.acquire(timeout=self.timeout):
            raise _busy()
        try:
            fd = self._file()
            self._lock_file(fd, deadline)
            self._local.depth = 1
            try:
                yield
            finally:
                self._local.depth = 0
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _forget(self) -> None:
        """In a forked child: a fresh lock (the parent's may have been held at the fork) and no descriptor."""
        self._threads = threading.Lock()
        self._local = threading.local()
        self._fd = None

    def _file(self) -> int:
        """This process's descriptor of the lock file, closed when the gate is dropped."""
        if self._fd is None:  # a forked child starts with None (``_forget``)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
            weakref.finalize(self, _close_quietly, self._fd, self._pid)
        return self._fd

    def _lock_file(self, fd: int, deadline: float) -> None:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _busy() from None
                time.sleep(self.POLL)


def _forget_in_child(gate: weakref.ref[WriterGate]) -> None:
    found = gate()
    if found is not None:
        found._forget()


def _close_quietly(fd: int, pid: int) -> None:
    if os.getpid() == pid:
        with suppress(OSError):
            os.close(fd)


def _busy() -> Busy:
    return Busy("the database is busy with another change", fix="retry in a few seconds; nothing was saved")


_GATES: weakref.WeakKeyDictionary[Engine, WriterGate] = weakref.WeakKeyDictionary()


def writer_gate(engine: Engine) -> WriterGate | None:
    """The gate of a file-backed SQLite engine; None for PostgreSQL and in-memory SQLite.

    One per engine, with that engine's timeout: two engines on one file exclude each other through
    the lock file (each has its own descriptor, and ``flock`` locks conflict between descriptors).
    """
    return _GATES.get(engine)


def _sqlite_engine(url: str, busy_timeout_ms: int) -> Engine:
    path = make_url(url).database or ""
    on_disk = bool(path) and path != ":memory:" and not path.startswith("file:")
    if on_disk:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # No cap on connections: a writer queued on the gate keeps its request's read connection, so a
    # capped pool could leave the gate's holder waiting for a connection held by those queued behind it.
    pool: dict[str, Any] = {"pool_size": 8, "max_overflow": -1} if on_disk else {}
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000}, **pool
    )
    if on_disk:
        _GATES[engine] = WriterGate(Path(f"{Path(path).resolve()}-writer.lock"), busy_timeout_ms / 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        # FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power loss (catalogue C10)
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine (and pool) per URL per process."""
    return make_engine(url)


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction holds the write lock from its first statement (SQLite) and commits
    at the end, or rolls back everything on any exception. Lock waits past the timeout raise Busy."""
    gate = writer_gate(engine)
    with (
        Session(engine, expire_on_commit=False) as session,  # made and closed outside the gate: the
        gate.held() if gate is not None else nullcontext(),  # gate holds only the transaction
    ):
        try:
            session.connection(execution_options={IMMEDIATE: True})
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            if is_busy(exc):
                raise Busy(
                    "the database is busy with another change",
                    fix="retry in a few seconds; nothing was saved",
                ) from exc
            raise
        except BaseException:
            session.rollback()
            raise


def compare_and_set(
    session: Session,
    model: type[SQLModel],
    *,
    row_id: int,
    expected: int,
    values: Mapping[str, Any],
    version: str = "row_version",
) -> bool:
    """Write ``values`` to one row only if its ``version`` column still holds ``expected``, and bump it.

    One ``UPDATE ... WHERE id = :id AND version = :expected``: of two writers that read the same version,
    exactly one matches (PostgreSQL re-checks the condition after the first commits; SQLite writers are
    serialised by ``BEGIN IMMEDIATE``). Returns True when this write won; the caller says what lost.
    Objects already loaded are left as they were (no fetch of the changed rows): the caller updates
    its copy.
    """
    mapper = inspect(model)
    version_column = mapper.columns[version]
    result = session.execute(
        update(model)
        .where(mapper.primary_key[0] == row_id, version_column == expected)
        .values({**values, version: expected + 1})
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0)) == 1


def is_busy(exc: OperationalError) -> bool:
    """True when the error is a lock wait that timed out (SQLite busy, PostgreSQL lock_timeout)."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate in _BUSY_SQLSTATES or any(m in str(exc.orig) for m in _BUSY_MESSAGES)
