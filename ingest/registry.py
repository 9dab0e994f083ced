"""Choose the reader for a file by scoring every reader on its content; log the winner and why.

Reader modules are imported lazily by name, so a reader that is missing or broken does not stop the
others (its absence is logged once).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Protocol, cast

from core.errors import UnsupportedFormat
from ingest.limits import Limits
from ingest.model import Questionnaire

log = logging.getLogger(__name__)

READERS = ("xlsx", "csv", "docx", "pdf", "vsaq")


class Reader(Protocol):
    NAME: str

    def score(self, head: bytes, filename: str) -> int: ...

    def read(self, path: Path, *, limits: Limits) -> Questionnaire: ...


@dataclass(frozen=True)
class Choice:
    name: str
    reader: Reader
    scores: dict[str, int]


def load_reader(name: str) -> Reader | None:
    """The reader module ``ingest.readers.<name>``, or ``None`` when it cannot be imported."""
    try:
        module: ModuleType = importlib.import_module(f"ingest.readers.{name}")
    except ImportError as exc:
        log.warning("reader %s unavailable: %s", name, exc)
        return None
    return cast(Reader, module)


def load_writer(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"ingest.writers.{name}")
    except ImportError as exc:
        log.warning("writer %s unavailable: %s", name, exc)
        return None


def choose(head: bytes, filename: str, *, display: str | None = None) -> Choice:
    """Score every reader on ``head``; the highest non-zero score wins (ties go to list order)."""
    scores: dict[str, int] = {}
    best: tuple[int, str, Reader] | None = None
    for name in READERS:
        reader = load_reader(name)
        if reader is None:
            continue
        scores[name] = int(reader.score(head, filename))
        if scores[name] > 0 and (best is None or scores[name] > best[0]):
            best = (scores[name], name, reader)
    if best is None:
        raise UnsupportedFormat(
            "no reader recognises this content",
            where=display or filename,
            fix="upload the questionnaire as .xlsx, .csv, .docx, .pdf or VSAQ .json",
        )
    log.info("reader %s chosen for %s (scores %s)", best[1], display or filename, scores)
    return Choice(name=best[1], reader=best[2], scores=scores)
