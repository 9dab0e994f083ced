"""Which files of the content-addressed store the database still refers to, and the orphan sweep.

Every table that keeps a file store digest is listed in :data:`FILE_COLUMNS`; a new one must be added
here, or the sweep would remove its files after the grace period.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from core.db import read_session
from core.filestore import SWEEP_GRACE_S, FileStore
from evidence.models import Evidence, EvidenceVersion, Pack
from review.models import ExportRecord, QuestionnaireRecord

FILE_COLUMNS: tuple[Any, ...] = (
    QuestionnaireRecord.file_sha256,
    ExportRecord.file_sha256,
    Evidence.sha256,
    EvidenceVersion.sha256,
    Pack.sha256,
)


def referenced_digests(engine: Engine) -> set[str]:
    with read_session(engine) as s:
        found: set[str] = set()
        for column in FILE_COLUMNS:
            found.update(d for d in s.execute(select(column).distinct()).scalars() if d)
        return found


def sweep_orphans(
    engine: Engine, files: FileStore, *, grace_s: float = SWEEP_GRACE_S, dry_run: bool = False
) -> list[str]:
    """Remove stored files no row refers to (older than the grace period); returns their names.

    The referenced set is read first: a file whose row commits afterwards is younger than the grace
    period (its upload just wrote it), so it is kept.
    """
    return files.sweep(referenced_digests(engine), grace_s=grace_s, dry_run=dry_run)
