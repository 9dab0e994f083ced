"""Evidence tables: evidence items and their immutable versions, links to bank entries, control catalogs,
crosswalk edges, built evidence packs and the share links that hand them to insurers and customers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models import utcnow

CONFIDENTIALITY = ("public", "nda", "internal")
KINDS = ("file", "link")


class EvidenceBase(SQLModel):
    title: str = Field(max_length=255)
    description: str = ""
    owner: str | None = Field(default=None, max_length=254)
    controls: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    confidentiality: str = Field(default="internal", max_length=16)
    valid_from: date | None = None
    valid_until: date | None = None


class EvidenceCreate(EvidenceBase):
    """What the CLI and the upload form supply (the file or the URL travels separately)."""


class Evidence(EvidenceBase, table=True):
    """The current state of an evidence item; ``version`` is its latest :class:`EvidenceVersion`."""

    __tablename__ = "evidence"
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(default="file", max_length=8)
    url: str | None = Field(default=None, max_length=2000)
    sha256: str | None = Field(default=None, max_length=64)
    size: int = 0
    media_type: str = Field(default="", max_length=100)
    filename: str = Field(default="", max_length=255)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class EvidenceVersion(SQLModel, table=True):
    """One immutable version: the file (or link) and the validity it carried."""

    __tablename__ = "evidence_version"
    __table_args__ = (UniqueConstraint("evidence_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    version: int
    kind: str = Field(default="file", max_length=8)
    url: str | None = Field(default=None, max_length=2000)
    sha256: str | None = Field(default=None, max_length=64)
    size: int = 0
    media_type: str = Field(default="", max_length=100)
    filename: str = Field(default="", max_length=255)
    valid_from: date | None = None
    valid_until: date | None = None
    author: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)


class EntryEvidence(SQLModel, table=True):
    """A bank entry (by key, within an organisation) cites an evidence item."""

    __tablename__ = "entry_evidence"
    __table_args__ = (UniqueConstraint("org_id", "entry_key", "evidence_id"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    entry_key: str = Field(max_length=64, index=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)


class Catalog(SQLModel, table=True):
    """An imported control catalog (NIST CSF 2.0, SP 800-53, the insurer catalog, ...)."""

    __tablename__ = "control_catalog"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True, index=True)
    title: str = Field(max_length=255)
    version: str = Field(default="", max_length=64)
    source: str = Field(default="", max_length=255)
    imported_at: datetime = Field(default_factory=utcnow)


class CatalogControl(SQLModel, table=True):
    __tablename__ = "catalog_control"
    __table_args__ = (UniqueConstraint("catalog_id", "control_id"),)
    id: int | None = Field(default=None, primary_key=True)
    catalog_id: int = Field(foreign_key="control_catalog.id", index=True)
    control_id: str = Field(max_length=64)
    title: str = ""
    family: str = Field(default="", max_length=200)
    position: int = 0


class CrosswalkEdge(SQLModel, table=True):
    """``source`` relates to ``target``; both are control references ``CATALOG:ID``."""

    __tablename__ = "crosswalk_edge"
    __table_args__ = (UniqueConstraint("source", "target"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=140, index=True)
    target: str = Field(max_length=140, index=True)
    relationship: str = Field(default="related", max_length=32)
    origin: str = Field(default="", max_length=255)


class Pack(SQLModel, table=True):
    """A built evidence pack (the ZIP lives in the file store)."""

    __tablename__ = "evidence_pack"
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    questionnaire_id: int = Field(foreign_key="questionnaire.id", index=True)
    title: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    size: int = 0
    files: int = 0
    built_by: str = Field(max_length=254)
    built_at: datetime = Field(default_factory=utcnow)


class ShareLink(SQLModel, table=True):
    """A link to one pack for one recipient; only the SHA-256 of its token is stored."""

    __tablename__ = "share_link"
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    pack_id: int = Field(foreign_key="evidence_pack.id", index=True)
    token_sha256: str = Field(max_length=64, unique=True, index=True)
    recipient: str = Field(max_length=200)
    recipient_email: str | None = Field(default=None, max_length=254, index=True)
    expires_at: datetime
    require_nda: bool = False
    max_downloads: int | None = None
    downloads: int = 0
    revoked_at: datetime | None = None
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
