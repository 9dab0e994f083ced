"""The append-only audit log: who did what, when, to which record, from which address, in which request.

The web layer binds the caller's address and the request id for the length of a request
(:func:`bind`); every row written meanwhile carries them in ``detail`` as ``ip`` and ``request_id``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from types import MappingProxyType
from typing import Any, Protocol

from sqlalchemy import insert
from sqlmodel import Session, col, select

from core.models import AuditEvent, utcnow

_INSERT = insert(AuditEvent.__table__)  # type: ignore[attr-defined]
_context: ContextVar[Mapping[str, str]] = ContextVar("audit_context", default=MappingProxyType({}))


@contextmanager
def bound(**values: str) -> Iterator[None]:
    """Stamp every audit row written inside the block with ``values`` (``ip``, ``request_id``)."""
    token = _context.set({**_context.get(), **values})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**values: str) -> Token[Mapping[str, str]]:
    """Like :func:`bound`, for request hooks: returns the token :func:`unbind` takes."""
    return _context.set({**_context.get(), **values})


def unbind(token: Token[Mapping[str, str]]) -> None:
    _context.reset(token)


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: str | int,
    actor_id: int | None = None,
    org_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one row to the log, in the caller's transaction (it is written with the change it records,
    or not at all). One INSERT sent at once, not an object kept for the session's flush."""
    session.connection().execute(  # Core, not the ORM: it often runs under the write lock
        _INSERT,
        {
            "at": utcnow(),
            "actor": actor,
            "actor_id": actor_id,
            "org_id": org_id,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id),
            "detail": {**_context.get(), **(detail or {})},
        },
    )


class Acting(Protocol):
    """Whoever acts: a user (``label`` is the e-mail, ``user_id`` set) or a process (``cli``, ``worker``)."""

    @property
    def label(self) -> str: ...

    @property
    def user_id(self) -> int | None: ...


def record_by(
    session: Session,
    by: Acting,
    *,
    action: str,
    target_type: str,
    target_id: str | int,
    org_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """:func:`record` for an actor object: its label and user id."""
    record(
        session,
        actor=by.label,
        actor_id=by.user_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        org_id=org_id,
        detail=detail,
    )


def events(session: Session, *, org_id: int | None = None, limit: int = 100) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    if org_id is not None:
        query = query.where(AuditEvent.org_id == org_id)
    return list(session.exec(query))
