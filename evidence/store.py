"""Store functions for the evidence library (session first, keyword-only arguments).

A file is checked by content (:mod:`evidence.filetypes`), size-limited and kept in the content-addressed
:class:`~core.filestore.FileStore` by SHA-256; the user's file name is metadata only. A new file (or
link) for the same evidence writes a new immutable :class:`EvidenceVersion`; old versions stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from core import audit
from core.errors import LimitExceeded, NotFound, ValidationError
from core.filestore import FileStore, StoredFile
from core.models import utcnow
from evidence.filetypes import SNIFF_BYTES, sniff
from evidence.models import CONFIDENTIALITY, EntryEvidence, Evidence, EvidenceCreate, EvidenceVersion


class ActorLike(Protocol):
    """Who acts: ``answerbank.store.Actor`` fits, and so does any object with these two fields."""

    @property
    def label(self) -> str: ...

    @property
    def user_id(self) -> int | None: ...


@dataclass(frozen=True)
class Upload:
    """A file accepted into the store: its digest, size, detected media type and the user's name."""

    stored: StoredFile
    media_type: str
    filename: str


@dataclass(frozen=True)
class EvidenceView:
    """What an answer shows about one piece of its evidence; ``expired`` flags stale proof."""

    id: int
    title: str
    version: int
    kind: str
    confidentiality: str
    valid_until: date | None
    expired: bool
    sha256: str | None
    url: str | None
    filename: str
    media_type: str
    size: int


def accept_file(files: FileStore, stream: BinaryIO, *, max_bytes: int, filename: str) -> Upload:
    """Read at most ``max_bytes``, check the type by content, then store it by SHA-256."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise LimitExceeded(
            f"{filename} is larger than {max_bytes // (1024 * 1024) or 1} MiB",
            fix="send a smaller file or raise TRUSTDESK_MAX_UPLOAD_MB",
        )
    media_type = sniff(data[:SNIFF_BYTES], data=data, name=filename)
    stored = files.put_bytes(data, name=filename)
    return Upload(stored, media_type, _display_name(filename))


def _display_name(filename: str) -> str:
    """Only the last path component, without control characters; it is shown, never used as a path."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:255] or "file"


def validate(data: EvidenceCreate) -> None:
    if not data.title.strip():
        raise ValidationError("the evidence title is empty", fix="give the evidence a title")
    if data.confidentiality not in CONFIDENTIALITY:
        raise ValidationError(
            f"confidentiality {data.confidentiality!r} is not allowed",
            fix=f"use one of {', '.join(CONFIDENTIALITY)}",
        )
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        raise ValidationError(
            f"evidence {data.title!r}: valid until {data.valid_until} is before valid from {data.valid_from}",
            fix="swap or correct the dates",
        )
    data.controls = [c.strip() for c in data.controls if c.strip()]


def check_url(url: str) -> str:
    """An http(s) address with a host, or a mailto: address; anything else (``javascript:``, ``data:``)
    is refused at input (catalogue R02)."""
    link = url.strip()
    parts = urlsplit(link)
    web = parts.scheme in ("https", "http") and bool(parts.netloc)
    mail = parts.scheme == "mailto" and "@" in parts.path
    if not (web or mail):
        raise ValidationError(
            f"{url!r} is not a web link or an e-mail address",
            fix="record an http(s):// or mailto: address",
        )
    return link


def add_evidence(
    session: Session,
    *,
    org_id: int,
    data: EvidenceCreate,
    actor: ActorLike,
    upload: Upload | None = None,
    url: str | None = None,
) -> Evidence:
    """Create an evidence item from a stored file or a link (exactly one of them)."""
    validate(data)
    if (upload is None) == (url is None):
        raise ValidationError("evidence needs a file or a link", fix="give exactly one of them")
    item = Evidence(org_id=org_id, **data.model_dump())
    _apply_source(item, upload=upload, url=url)
    session.add(item)
    session.flush()
    _write_version(session, item=item, actor=actor)
    _audit(session, item=item, actor=actor, action="evidence.create")
    return item


def add_version(
    session: Session,
    *,
    org_id: int,
    evidence_id: int,
    actor: ActorLike,
    upload: Upload | None = None,
    url: str | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> Evidence:
    """A new file (or link) for the same evidence: a new version; the old ones stay."""
    item = get_evidence(session, org_id=org_id, evidence_id=evidence_id, for_update=True)
    if (upload is None) == (url is None):
        raise ValidationError("a new version needs a file or a link", fix="give exactly one of them")
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError("valid until is before valid from", fix="correct the dates")
    _apply_source(item, upload=upload, url=url)
    item.valid_from, item.valid_until = valid_from or item.valid_from, valid_until
    item.version += 1
    item.updated_at = utcnow()
    session.add(item)
    session.flush()
    _write_version(session, item=item, actor=actor)
    _audit(session, item=item, actor=actor, action="evidence.version")
    return item


def _apply_source(item: Evidence, *, upload: Upload | None, url: str | None) -> None:
    if upload is not None:
        item.kind, item.url = "file", None
        item.sha256, item.size = upload.stored.sha256, upload.stored.size
        item.media_type, item.filename = upload.media_type, upload.filename
    else:
        item.kind, item.url = "link", check_url(url or "")
        item.sha256, item.size, item.media_type, item.filename = None, 0, "", ""


def _write_version(session: Session, *, item: Evidence, actor: ActorLike) -> None:
    assert item.id is not None
    fields = ("kind", "url", "sha256", "size", "media_type", "filename", "valid_from", "valid_until")
    session.add(
        EvidenceVersion(
            evidence_id=item.id,
            version=item.version,
            author=actor.label,
            **{name: getattr(item, name) for name in fields},
        )
    )


def _audit(session: Session, *, item: Evidence, actor: ActorLike, action: str) -> None:
    audit.record_by(
        session,
        actor,
        org_id=item.org_id,
        action=action,
        target_type="evidence",
        target_id=str(item.id),
        detail={"version": item.version, "sha256": item.sha256, "url": item.url},
    )


def get_evidence(session: Session, *, org_id: int, evidence_id: int, for_update: bool = False) -> Evidence:
    """The evidence if it belongs to ``org_id``; otherwise NotFound (never a hint that it exists)."""
    query = select(Evidence).where(Evidence.id == evidence_id, Evidence.org_id == org_id)
    if for_update:
        query = query.with_for_update()
    item = session.exec(query).first()
    if item is None:
        raise NotFound(
            f"evidence {evidence_id} does not exist in this organisation",
            fix="list evidence with `trustdesk evidence list --org SLUG`",
        )
    return item


def list_evidence(session: Session, *, org_id: int) -> list[Evidence]:
    query = select(Evidence).where(Evidence.org_id == org_id).order_by(col(Evidence.title), col(Evidence.id))
    return list(session.exec(query))


def versions(session: Session, *, evidence: Evidence) -> list[EvidenceVersion]:
    query = select(EvidenceVersion).where(EvidenceVersion.evidence_id == evidence.id)
    return list(session.exec(query.order_by(col(EvidenceVersion.version).desc())))


def is_expired(item: Evidence, *, today: date) -> bool:
    return item.valid_until is not None and item.valid_until < today


def expiring(session: Session, *, org_id: int, days: int, today: date) -> list[Evidence]:
    """Evidence whose validity ends within ``days`` (already expired included), soonest first."""
    horizon = today + timedelta(days=days)
    query = select(Evidence).where(
        Evidence.org_id == org_id,
        col(Evidence.valid_until).is_not(None),
        col(Evidence.valid_until) <= horizon,
    )
    return list(session.exec(query.order_by(col(Evidence.valid_until))))


def link_entry(
    session: Session, *, org_id: int, entry_key: str, evidence_id: int, actor: ActorLike
) -> EntryEvidence:
    """Cite evidence from a bank entry (idempotent)."""
    get_evidence(session, org_id=org_id, evidence_id=evidence_id)
    existing = session.exec(
        select(EntryEvidence).where(
            EntryEvidence.org_id == org_id,
            EntryEvidence.entry_key == entry_key,
            EntryEvidence.evidence_id == evidence_id,
        )
    ).first()
    if existing is not None:
        return existing
    link = EntryEvidence(org_id=org_id, entry_key=entry_key, evidence_id=evidence_id, created_by=actor.label)
    session.add(link)
    audit.record_by(
        session,
        actor,
        org_id=org_id,
        action="evidence.link",
        target_type="bank_entry",
        target_id=entry_key,
        detail={"evidence_id": evidence_id},
    )
    return link


def unlink_entry(
    session: Session, *, org_id: int, entry_key: str, evidence_id: int, actor: ActorLike
) -> bool:
    link = session.exec(
        select(EntryEvidence).where(
            EntryEvidence.org_id == org_id,
            EntryEvidence.entry_key == entry_key,
            EntryEvidence.evidence_id == evidence_id,
        )
    ).first()
    if link is None:
        return False
    session.delete(link)
    audit.record_by(
        session,
        actor,
        org_id=org_id,
        action="evidence.unlink",
        target_type="bank_entry",
        target_id=entry_key,
        detail={"evidence_id": evidence_id},
    )
    return True


def view_of(item: Evidence, *, today: date) -> EvidenceView:
    assert item.id is not None
    return EvidenceView(
        id=item.id,
        title=item.title,
        version=item.version,
        kind=item.kind,
        confidentiality=item.confidentiality,
        valid_until=item.valid_until,
        expired=is_expired(item, today=today),
        sha256=item.sha256,
        url=item.url,
        filename=item.filename,
        media_type=item.media_type,
        size=item.size,
    )


def evidence_for_entries(
    session: Session, org_id: int, keys: Iterable[str], *, today: date | None = None
) -> dict[str, list[EvidenceView]]:
    """The evidence each bank entry cites, keyed by entry key (keys without evidence map to ``[]``)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, list[EvidenceView]] = {key: [] for key in wanted}
    if not wanted:
        return found
    rows = session.exec(
        select(EntryEvidence.entry_key, Evidence)
        .join(Evidence, col(Evidence.id) == col(EntryEvidence.evidence_id))
        .where(EntryEvidence.org_id == org_id, Evidence.org_id == org_id)
        .where(col(EntryEvidence.entry_key).in_(wanted))
        .order_by(col(Evidence.title))
    )
    day = today or date.today()
    for key, item in rows:
        found[key].append(view_of(item, today=day))
    return found


def entries_citing(session: Session, *, org_id: int, evidence_id: int) -> list[str]:
    query = select(EntryEvidence.entry_key).where(
        EntryEvidence.org_id == org_id, EntryEvidence.evidence_id == evidence_id
    )
    return sorted(session.exec(query))
