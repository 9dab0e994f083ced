"""Answer-bank tables: an entry per key and organisation, and its immutable versions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models import utcnow

SHORT_ANSWERS = ("Yes", "No", "N/A", "Partial")
STATUSES = ("draft", "approved", "retired")


class EntryBase(SQLModel):
    key: str = Field(max_length=64)
    question: str
    alternates: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    answer: str = ""
    short_answer: str | None = Field(default=None, max_length=16)
    category: str = Field(default="", max_length=100)
    controls: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    owner: str | None = Field(default=None, max_length=254)
    review_by: date | None = None
    status: str = Field(default="approved", max_length=16)


class EntryCreate(EntryBase):
    """What import and the web form supply."""


class BankEntry(EntryBase, table=True):
    """The current state of an entry; ``version`` is the latest :class:`BankEntryVersion`."""

    __tablename__ = "bank_entry"
    __table_args__ = (UniqueConstraint("org_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class BankEntryVersion(EntryBase, table=True):
    """One immutable version of an entry, with its author and time."""

    __tablename__ = "bank_entry_version"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="bank_entry.id", index=True)
    version: int
    author_id: int | None = Field(default=None, foreign_key="app_user.id")
    author: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)


class EntryPublic(EntryBase):
    id: int
    version: int
    updated_at: datetime


class OrgTerm(SQLModel, table=True):
    """An organisation's own thesaurus family (added to the matcher's default thesaurus)."""

    __tablename__ = "org_term"
    __table_args__ = (UniqueConstraint("org_id", "family"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    family: str = Field(max_length=100)
    terms: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
