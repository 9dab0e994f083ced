"""Store functions for the answer bank (session first, keyword-only arguments).

Every change writes a new immutable :class:`BankEntryVersion`; the :class:`BankEntry` row holds the
current state and its version number. Callers run writes inside ``core.db.write_session`` so SQLite
holds the write lock from the first read; on PostgreSQL the entry row is locked ``FOR UPDATE``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from answerbank.models import SHORT_ANSWERS, STATUSES, BankEntry, BankEntryVersion, EntryCreate
from core import audit
from core.errors import Conflict, NotFound, ValidationError
from core.models import utcnow

#: The fields that make up an entry's content; a change to any of them makes a new version.
CONTENT_FIELDS = (
    "question",
    "alternates",
    "answer",
    "short_answer",
    "category",
    "controls",
    "owner",
    "review_by",
    "status",
)


@dataclass(frozen=True)
class Actor:
    label: str
    user_id: int | None = None


def validate_entry(data: EntryCreate) -> None:
    if not data.key.strip():
        raise ValidationError("the key is empty", fix="give every entry a stable key such as IAM-001")
    if not data.question.strip():
        raise ValidationError(f"entry {data.key}: the question is empty", fix="write the question")
    if data.short_answer is not None and data.short_answer not in SHORT_ANSWERS:
        raise ValidationError(
            f"entry {data.key}: short answer {data.short_answer!r} is not allowed",
            fix=f"use one of {', '.join(SHORT_ANSWERS)} or leave it empty",
        )
    if data.status not in STATUSES:
        raise ValidationError(
            f"entry {data.key}: status {data.status!r} is not allowed",
            fix=f"use one of {', '.join(STATUSES)}",
        )


def content_of(entry: EntryCreate | BankEntry | BankEntryVersion) -> dict[str, object]:
    return {name: getattr(entry, name) for name in CONTENT_FIELDS}


def get_entry(session: Session, *, org_id: int, key: str, for_update: bool = False) -> BankEntry | None:
    query = select(BankEntry).where(BankEntry.org_id == org_id, BankEntry.key == key)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def require_entry(session: Session, *, org_id: int, key: str) -> BankEntry:
    entry = get_entry(session, org_id=org_id, key=key)
    if entry is None:
        raise NotFound(
            f"bank entry {key!r} does not exist in this organisation",
            fix="check the key, or list entries with `trustdesk bank export`",
        )
    return entry


def create_entry(session: Session, *, org_id: int, data: EntryCreate, actor: Actor) -> BankEntry:
    validate_entry(data)
    if get_entry(session, org_id=org_id, key=data.key) is not None:
        raise ValidationError(f"bank entry {data.key!r} already exists", fix="choose another key, or edit it")
    entry = BankEntry(org_id=org_id, **data.model_dump())
    session.add(entry)
    session.flush()
    _write_version(session, entry=entry, actor=actor)
    audit.record_by(
        session,
        actor,
        org_id=org_id,
        action="bank.create",
        target_type="bank_entry",
        target_id=data.key,
        detail={"version": 1},
    )
    return entry


def update_entry(
    session: Session, *, org_id: int, data: EntryCreate, actor: Actor, expected_version: int | None = None
) -> tuple[BankEntry, bool]:
    """Write a new version when the content differs; returns (entry, changed).

    ``expected_version`` makes it a compare-and-set: if someone saved a newer version first, raise
    :class:`Conflict` and change nothing.
    """
    validate_entry(data)
    entry = get_entry(session, org_id=org_id, key=data.key, for_update=True)
    if entry is None:
        raise NotFound(f"bank entry {data.key!r} does not exist", fix="create it first")
    if expected_version is not None and entry.version != expected_version:
        raise Conflict(
            f"bank entry {data.key} was changed by someone else (now version {entry.version}, "
            f"you edited version {expected_version})",
            fix="reload the entry, compare, and save again",
        )
    if content_of(entry) == content_of(data):
        return entry, False
    for name, value in content_of(data).items():
        setattr(entry, name, value)
    entry.version += 1
    entry.updated_at = utcnow()
    session.add(entry)
    session.flush()
    _write_version(session, entry=entry, actor=actor)
    audit.record_by(
        session,
        actor,
        org_id=org_id,
        action="bank.update",
        target_type="bank_entry",
        target_id=data.key,
        detail={"version": entry.version},
    )
    return entry, True


def _write_version(session: Session, *, entry: BankEntry, actor: Actor) -> None:
    assert entry.id is not None
    session.add(
        BankEntryVersion(
            entry_id=entry.id,
            version=entry.version,
            key=entry.key,
            author=actor.label,
            author_id=actor.user_id,
            **content_of(entry),  # type: ignore[arg-type]
        )
    )


def history(session: Session, *, entry: BankEntry) -> list[BankEntryVersion]:
    return list(
        session.exec(
            select(BankEntryVersion)
            .where(BankEntryVersion.entry_id == entry.id)
            .order_by(col(BankEntryVersion.version).desc())
        )
    )


def list_entries(
    session: Session, *, org_id: int, search: str = "", status: str | None = None, limit: int | None = None
) -> list[BankEntry]:
    query = select(BankEntry).where(BankEntry.org_id == org_id).order_by(col(BankEntry.key))
    if status:
        query = query.where(BankEntry.status == status)
    for word in search.split():
        like = f"%{word.lower()}%"
        query = query.where(
            or_(
                func.lower(BankEntry.question).like(like),
                func.lower(BankEntry.answer).like(like),
                func.lower(BankEntry.key).like(like),
                func.lower(BankEntry.category).like(like),
            )
        )
    if limit:
        query = query.limit(limit)
    return list(session.exec(query))


def count_entries(session: Session, *, org_id: int) -> int:
    return int(
        session.exec(select(func.count()).select_from(BankEntry).where(BankEntry.org_id == org_id)).one()
    )


def entries_by_key(
    session: Session, *, org_id: int, keys: Iterable[str] | None = None
) -> dict[str, BankEntry]:
    query = select(BankEntry).where(BankEntry.org_id == org_id)
    if keys is not None:
        query = query.where(col(BankEntry.key).in_(list(keys)))
    return {e.key: e for e in session.exec(query)}
