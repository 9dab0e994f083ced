"""An upload before it becomes a questionnaire: copied to a private temporary folder, checked without
parsing (``ingest.check``), refused when it is a duplicate or over the organisation's quota, and only then
stored. A refused upload leaves one audit event and nothing else (catalogue section 2.1).

stage(stream, filename=..., limits=...)   context manager -> Staged; the temporary copy is always deleted
display_name(name, reader=...)            the name shown: NFC, no control characters, <= 200 characters,
                                          extension from the detected type (U23)
existing_import(session, ...)             the questionnaire already imported from the same bytes (U24)
check_quota(session, ...)                 storage and file-count quota per organisation (U25)
record_rejection(session, ...)            the audit event of a refused upload
"""

from __future__ import annotations

import hashlib
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from sqlalchemy import func
from sqlmodel import Session, col, select

import ingest
from answerbank.store import Actor
from core import audit
from core.errors import LimitExceeded, QuotaExceeded, TrustdeskError
from core.models import Organisation
from evidence.models import Evidence
from ingest.limits import Limits
from review.models import QuestionnaireRecord

CHUNK = 1 << 16
MAX_NAME = 200
_UNSAFE = set('<>:"|?*/\\')


@dataclass(frozen=True)
class Staged:
    path: Path
    filename: str
    reader: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Quota:
    max_bytes: int
    max_files: int


def safe_filename(name: str) -> str:
    """The last path component, NFC-normalised, printable, at most 200 characters: shown, never a path."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/")
    base = "".join(c for c in PurePath(name).name if unicodedata.category(c)[0] != "C").strip()
    cleaned = "".join("_" if c in _UNSAFE else c for c in base).strip(". ") or "upload"
    stem, suffix = PurePath(cleaned).stem, PurePath(cleaned).suffix
    if len(suffix) > 10:
        stem, suffix = cleaned, ""
    return stem[: MAX_NAME - len(suffix)] + suffix


def display_name(name: str, *, reader: str) -> str:
    """``safe_filename`` with the extension of the type found in the content, not the one claimed."""
    cleaned = safe_filename(name)
    known = ingest.EXTENSIONS.get(reader, ())
    if not known or PurePath(cleaned).suffix.lower() in known:
        return cleaned
    return cleaned[: MAX_NAME - len(known[0])] + known[0]


@contextmanager
def stage(stream: BinaryIO, *, filename: str, limits: Limits) -> Iterator[Staged]:
    """Copy the upload (at most ``limits.max_file_bytes``) and check it; the copy is deleted on exit."""
    shown = safe_filename(filename)
    with tempfile.TemporaryDirectory(prefix="trustdesk-upload-") as tmp:
        path = Path(tmp) / "upload"
        digest, size = _copy(stream, path, limits=limits, shown=shown)
        reader = ingest.check(path, limits=limits, filename=shown)
        yield Staged(path, display_name(shown, reader=reader), reader, digest, size)


def _copy(stream: BinaryIO, path: Path, *, limits: Limits, shown: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limits.max_file_bytes:
                raise LimitExceeded(
                    f"the file is larger than {limits.max_file_bytes:,} bytes",
                    where=shown,
                    fix="split the questionnaire into smaller files or raise TRUSTDESK_MAX_UPLOAD_MB",
                )
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def existing_import(session: Session, *, org_id: int, sha256: str) -> QuestionnaireRecord | None:
    """This organisation's earlier import of the same bytes that did not fail, if any."""
    query = (
        select(QuestionnaireRecord)
        .where(QuestionnaireRecord.org_id == org_id, QuestionnaireRecord.file_sha256 == sha256)
        .where(col(QuestionnaireRecord.status) != "failed")
        .order_by(col(QuestionnaireRecord.id))
    )
    return session.exec(query).first()


def check_quota(
    session: Session, *, org_id: int, incoming: int, quota: Quota, filename: str = "upload"
) -> None:
    """Refuse a file that would take the organisation over its storage or file-count quota."""
    q_bytes, q_files = session.exec(
        select(func.coalesce(func.sum(QuestionnaireRecord.file_size), 0), func.count()).where(
            QuestionnaireRecord.org_id == org_id
        )
    ).one()
    e_bytes, e_files = session.exec(
        select(func.coalesce(func.sum(Evidence.size), 0), func.count()).where(Evidence.org_id == org_id)
    ).one()
    used, files = int(q_bytes) + int(e_bytes), int(q_files) + int(e_files)
    if files + 1 > quota.max_files or used + incoming > quota.max_bytes:
        raise QuotaExceeded(
            f"Quota exceeded: the organisation keeps {files:,} files using {used:,} bytes; the quota is "
            f"{quota.max_files:,} files and {quota.max_bytes:,} bytes",
            where=filename,
            fix="delete questionnaires or evidence that are no longer needed, or ask the administrator to "
            "raise TRUSTDESK_ORG_QUOTA_MB or TRUSTDESK_ORG_MAX_FILES",
        )


def record_rejection(
    session: Session, *, org: Organisation, actor: Actor, filename: str, error: TrustdeskError
) -> None:
    """The one trace a refused upload leaves: ``upload_validation.failed`` with the reason."""
    audit.record_by(
        session,
        actor,
        org_id=org.id,
        action="upload_validation.failed",
        target_type="upload",
        target_id=safe_filename(filename),
        detail={"error_class": type(error).__name__, "error": str(error)[:500]},
    )
