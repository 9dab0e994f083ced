"""Questionnaires in flight: the uploaded file, its questions, a draft answer per question, comments,
exports and the background job that parses and matches."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models import utcnow

QUESTIONNAIRE_STATUSES = ("queued", "processing", "ready", "failed")
DRAFT_STATUSES = ("draft", "approved", "rejected")
BANDS = ("auto", "review", "none")


class QuestionnaireRecord(SQLModel, table=True):
    __tablename__ = "questionnaire"
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    title: str = Field(max_length=255)
    filename: str = Field(max_length=255)
    file_sha256: str = Field(max_length=64)
    file_size: int = 0
    requester: str = Field(default="", max_length=200)
    requester_kind: str = Field(default="customer", max_length=32)  # customer | partner | insurer
    due_date: date | None = None
    owner_id: int | None = Field(default=None, foreign_key="app_user.id")
    status: str = Field(default="queued", max_length=16)
    error: str | None = None
    reader: str | None = Field(default=None, max_length=32)
    warnings: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    found: int = 0
    matched: int = 0
    attempts: int = 0
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class QuestionRecord(SQLModel, table=True):
    __tablename__ = "questionnaire_question"
    __table_args__ = (UniqueConstraint("questionnaire_id", "ref"),)
    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: int = Field(foreign_key="questionnaire.id", index=True)
    position: int
    ref: str = Field(max_length=255)
    number: str | None = Field(default=None, max_length=64)
    section: str | None = None
    text: str
    answer_type: str = Field(max_length=16)
    choices: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    location: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    existing_answer: str | None = None


class Draft(SQLModel, table=True):
    """The proposed answer to one question; ``row_version`` makes every decision a compare-and-set."""

    __tablename__ = "draft"
    __table_args__ = (
        # Counts by status and band read the index alone, never the rows with their JSON columns; "mine"
        # finds a reviewer's drafts without reading the others (migration 0006, docs/benchmarks.md).
        Index("ix_draft_questionnaire_status_band", "questionnaire_id", "status", "band"),
        Index("ix_draft_questionnaire_assigned", "questionnaire_id", "assigned_to"),
    )
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="questionnaire_question.id", unique=True)
    questionnaire_id: int = Field(foreign_key="questionnaire.id", index=True)
    entry_key: str | None = Field(default=None, max_length=64)
    entry_version: int | None = None
    answer: str = ""
    short_answer: str | None = Field(default=None, max_length=16)
    band: str = Field(default="none", max_length=8)
    score: float = 0.0
    reasons: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    candidates: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON, nullable=False)
    status: str = Field(default="draft", max_length=16)
    edited: bool = False
    assigned_to: int | None = Field(default=None, foreign_key="app_user.id")
    decided_by: str | None = Field(default=None, max_length=254)
    decided_at: datetime | None = None
    row_version: int = 1


class DraftComment(SQLModel, table=True):
    __tablename__ = "draft_comment"
    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    author: str = Field(max_length=254)
    body: str
    created_at: datetime = Field(default_factory=utcnow)


class ExportRecord(SQLModel, table=True):
    __tablename__ = "questionnaire_export"
    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: int = Field(foreign_key="questionnaire.id", index=True)
    format: str = Field(max_length=16)
    draft: bool = False
    file_sha256: str = Field(max_length=64)
    filename: str = Field(max_length=255)
    provenance: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON, nullable=False)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
