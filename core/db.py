"""Database engine and sessions.

SQLite runs in WAL mode with foreign keys and a busy timeout; :func:`write_session` starts its
transaction with ``BEGIN IMMEDIATE`` so two writers can never interleave a read-modify-write and lose an
update. PostgreSQL sessions take row locks (``SELECT ... FOR UPDATE``) in the store functions instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, update
from sqlmodel import Session, SQLModel

IMMEDIATE = "trustdesk_immediate"
BUSY_TIMEOUT_MS = 15_000


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, future=True)


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
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
    at the end, or rolls back everything on any exception."""
    with Session(engine, expire_on_commit=False) as session:
        session.connection(execution_options={IMMEDIATE: True})
        try:
            yield session
            session.commit()
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
    """
    mapper = inspect(model)
    version_column = mapper.columns[version]
    result = session.execute(
        update(model)
        .where(mapper.primary_key[0] == row_id, version_column == expected)
        .values({**values, version: expected + 1})
    )
    return int(getattr(result, "rowcount", 0)) == 1
