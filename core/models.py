"""Organisations, users, roles and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    admin = "admin"
    approver = "approver"
    account_manager = "account_manager"
    viewer = "viewer"


#: What each role may do; the one place role checks look up.
ROLE_ABILITIES: dict[Role, frozenset[str]] = {
    Role.admin: frozenset(
        {
            "bank.read",
            "bank.write",
            "org.admin",
            "review.read",
            "review.upload",
            "review.edit",
            "review.approve",
            "review.export",
            "evidence.read",
            "evidence.write",
            "pack.build",
            "pack.share",
        }
    ),
    Role.approver: frozenset(
        {
            "bank.read",
            "bank.write",
            "review.read",
            "review.upload",
            "review.edit",
            "review.approve",
            "review.export",
            "evidence.read",
            "evidence.write",
            "pack.build",
            "pack.share",
        }
    ),
    Role.account_manager: frozenset(
        {
            "bank.read",
            "review.read",
            "review.upload",
            "review.edit",
            "review.export",
            "evidence.read",
            "pack.build",
        }
    ),
    Role.viewer: frozenset(),
}


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True, max_length=254)
    password_hash: str
    is_active: bool = True
    session_epoch: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "org_id"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    role: str = Field(max_length=32)


class AuditEvent(SQLModel, table=True):
    """Append-only: triggers in the migration refuse UPDATE and DELETE."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor: str = Field(max_length=254)
    org_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    action: str = Field(max_length=64)
    target_type: str = Field(max_length=64)
    target_id: str = Field(max_length=128)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)


class LoginFailure(SQLModel, table=True):
    """A failed login, kept for rate limiting across every app server (shared through the database)."""

    __tablename__ = "login_failure"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
