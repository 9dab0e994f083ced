"""Files -> :class:`~ingest.model.Questionnaire`, and answers back into a copy of the file.

parse(path)   size, emptiness, type and archive-bomb checks (``sniff``) -> reader chosen by
              content (``registry``) -> Questionnaire
fill(src, questions, answers, out)   the writer of the reader that parsed ``src``
detect(path)  the name of the reader that would parse ``path``
check(path, limits=..., filename=...)   only the pre-parse checks (cheap: magic bytes and the ZIP
              central directory, nothing decompressed but a few KiB), for an upload before it is stored
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from core.errors import InputFileError, UnsupportedFormat
from ingest import registry, sniff
from ingest.limits import Limits
from ingest.model import Question, Questionnaire

__all__ = ["EXTENSIONS", "Limits", "Question", "Questionnaire", "check", "detect", "fill", "parse"]

#: reader -> the file name extensions it is known by; the first is given to a file named otherwise
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "xlsx": (".xlsx",),
    "csv": (".csv", ".tsv", ".txt"),
    "docx": (".docx",),
    "pdf": (".pdf",),
    "vsaq": (".json",),
}


def _choose(path: Path, limits: Limits, filename: str | None) -> registry.Choice:
    name = filename or path.name
    sniff.check_file(path, limits=limits, display=name)
    return registry.choose(sniff.read_head(path), name, display=name)


def check(path: Path, *, limits: Limits | None = None, filename: str | None = None) -> str:
    """Refuse what no reader should see (empty, wrong type, legacy or encrypted Office, macros, archive
    bombs) without parsing; return the name of the reader that would read ``path``."""
    return _choose(path, limits or Limits(), filename).name


def parse(path: Path, *, limits: Limits | None = None, filename: str | None = None) -> Questionnaire:
    """Read every question of ``path``; ``filename`` is the user's name for it (errors and detection)."""
    limits = limits or Limits()
    choice = _choose(path, limits, filename)
    try:
        result = choice.reader.read(path, limits=limits)
    except InputFileError as exc:
        if filename and exc.where and exc.where.startswith(path.name):
            exc.where = filename + exc.where[len(path.name) :]  # the user's name, not the storage key
        raise
    if filename:
        result.source = filename
        result.warnings = [_renamed(w, path.name, filename) for w in result.warnings]
    result.detected.setdefault("scores", choice.scores)
    return result


def _renamed(warning: str, stored: str, shown: str) -> str:
    return shown + warning[len(stored) :] if warning.startswith(stored) else warning


def detect(path: Path) -> str:
    """The name of the reader that would parse ``path`` (after the same safety checks as ``parse``)."""
    return _choose(path, Limits(), None).name


def fill(src: Path, questions: Sequence[Question], answers: Mapping[str, str], out: Path) -> Path:
    """Write ``answers`` (keyed by ``Question.ref``) into a copy of ``src`` at ``out``; return the path."""
    name = detect(src)
    writer = registry.load_writer(name)
    if writer is None or not hasattr(writer, "fill"):
        raise UnsupportedFormat(
            f"answers cannot yet be written back into {name} files",
            where=src.name,
            fix="export the answers as a spreadsheet instead",
        )
    written: Path = writer.fill(src, questions, answers, out)
    return written
