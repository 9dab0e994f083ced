"""Per-request database access for views."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g
from sqlalchemy import Engine
from sqlmodel import Session

from core.db import write_session
from web.context import Runtime


def runtime() -> Runtime:
    rt = current_app.extensions["trustdesk"]
    assert isinstance(rt, Runtime)
    return rt


def engine() -> Engine:
    return runtime().engine


def session() -> Session:
    """A read session for this request, closed at teardown."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    s = g.db_session
    assert isinstance(s, Session)
    return s


def close_session(_exc: BaseException | None = None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()


@contextmanager
def writing() -> Iterator[Session]:
    """A write transaction (``BEGIN IMMEDIATE`` on SQLite), committed on success."""
    with write_session(engine()) as s:
        yield s
