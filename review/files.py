"""Which files of the content-addressed store the database still refers to, and the orphan sweep.

Every table that keeps a file store digest is listed in :data:`FILE_COLUMNS`; a new one must be added
here, or the sweep would remove its files after the grace period.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine, select

from core.db import read_session
from core.filestore import SWEEP_GRACE_S, FileStore
from evidence.models import Evidence, EvidenceVersion, Pack
from review.models import ExportRecord, QuestionnaireRecord

log = logging.getLogger(__name__)
SWEEP_EVERY_S = 24 * 3600.0

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


def sweep_daily(
    engine: Engine,
    files: FileStore,
    *,
    first_after_s: float = 600.0,
    every_s: float = SWEEP_EVERY_S,
    grace_s: float = SWEEP_GRACE_S,
    stop: threading.Event | None = None,
) -> threading.Thread:
    """Sweep orphans on a daemon thread: ``first_after_s`` after start, then every ``every_s``, until
    ``stop`` is set. App servers and job workers each run one; sweeps on several nodes at once are
    harmless (a file is unlinked once, and only past the grace period). A failed sweep is logged and
    tried again next round."""
    stop = stop or threading.Event()

    def rounds() -> None:
        wait = first_after_s
        while not stop.wait(wait):
            wait = every_s
            try:
                removed = sweep_orphans(engine, files, grace_s=grace_s)
            except Exception:  # the next round tries again; a sweep never takes its process down
                log.exception("file store sweep failed; next try in %.0f s", every_s)
                continue
            if removed:
                log.info("file store sweep removed %d unreferenced files", len(removed))

    thread = threading.Thread(target=rounds, name="trustdesk-sweep", daemon=True)
    thread.start()
    return thread
