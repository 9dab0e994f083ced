"""An index as bytes and back, without pickle: an ``.npz`` of plain arrays plus one JSON document.

The JSON carries the format version, the bank's content hash, the vocabularies and the thesaurus.
:func:`index_from_bytes` refuses anything else (other version, other hash, damaged data) with a
:class:`core.errors.ValidationError`, so the caller rebuilds the index from the bank.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import numpy as np
from scipy import sparse

from core.errors import ValidationError
from matcher import semantic
from matcher.index import MatchIndex
from matcher.thesaurus import thesaurus_from_json
from matcher.vectors import CHAR, WORD, Vectors

_MATRICES = ("word_rows", "word_answers", "char_rows")
_FIX = "rebuild the index from the bank"


def _meta(index: MatchIndex) -> dict[str, Any]:
    return {
        "format_version": MatchIndex.FORMAT_VERSION,
        "content_hash": index.content_hash,
        "keys": list(index.keys),
        "short_answers": list(index.short_answers),
        "controls": [list(c) for c in index.controls],
        "row_fuzzy": list(index.row_fuzzy),
        "row_concepts": [sorted(c) for c in index.row_concepts],
        "word_vocabulary": list(index.word.vocabulary),
        "char_vocabulary": list(index.char.vocabulary),
        "thesaurus": {"families": index.thesaurus.to_json()},
        "semantic_model": semantic.MODEL_ID if index.semantic_rows is not None else None,
    }


def index_to_bytes(index: MatchIndex) -> bytes:
    """The index as a compressed ``.npz`` (no pickled objects anywhere)."""
    arrays: dict[str, np.ndarray[Any, Any]] = {
        "meta": np.frombuffer(json.dumps(_meta(index)).encode("utf-8"), dtype=np.uint8),
        "row_entry": index.row_entry,
        "word_idf": index.word.idf,
        "char_idf": index.char.idf,
    }
    if index.semantic_rows is not None:
        arrays["semantic_rows"] = index.semantic_rows
    for name in _MATRICES:
        matrix: sparse.csr_matrix = getattr(index, name)
        arrays[f"{name}_data"] = matrix.data
        arrays[f"{name}_indices"] = matrix.indices
        arrays[f"{name}_indptr"] = matrix.indptr
        arrays[f"{name}_shape"] = np.asarray(matrix.shape, dtype=np.int64)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def _read_arrays(data: bytes) -> dict[str, np.ndarray[Any, Any]]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ValidationError(
            f"matcher index data is unreadable ({exc})", where="matcher index", fix=_FIX
        ) from exc


def _check(meta: dict[str, Any], expected_hash: str) -> None:
    version = meta.get("format_version")
    if version != MatchIndex.FORMAT_VERSION:
        raise ValidationError(
            f"matcher index format version {version!r} is not {MatchIndex.FORMAT_VERSION}",
            where="matcher index",
            fix=_FIX,
        )
    if meta.get("content_hash") != expected_hash:
        raise ValidationError(
            "matcher index was built from a different bank (content hash mismatch)",
            where="matcher index",
            fix=_FIX,
        )


def _check_shapes(index: MatchIndex) -> MatchIndex:
    """Refuse arrays that do not fit together (a file edited by hand or written by other code)."""
    rows, entries = index.word_rows.shape[0], len(index.keys)
    consistent = (
        len(index.word.idf) == len(index.word.vocabulary) == index.word_rows.shape[1]
        and index.word_answers.shape == (entries, len(index.word.idf))
        and index.char_rows.shape == (rows, len(index.char.idf))
        and len(index.row_entry) == rows == len(index.row_fuzzy) == len(index.row_concepts)
        and all(0 <= e < entries for e in index.row_entry.tolist())
        and (index.semantic_rows is None or index.semantic_rows.shape == (rows, semantic.DIMENSION))
    )
    if not consistent:
        raise ValidationError("matcher index arrays do not fit together", where="matcher index", fix=_FIX)
    return index


def _matrix(arrays: dict[str, np.ndarray[Any, Any]], name: str) -> sparse.csr_matrix:
    shape = tuple(int(n) for n in arrays[f"{name}_shape"])
    parts = (arrays[f"{name}_data"], arrays[f"{name}_indices"], arrays[f"{name}_indptr"])
    return sparse.csr_matrix(parts, shape=shape)


def _semantic_rows(
    arrays: dict[str, np.ndarray[Any, Any]], meta: dict[str, Any]
) -> np.ndarray[Any, Any] | None:
    """The phrasing embeddings, if the index has them; another model's vectors mean a rebuild."""
    model = meta.get("semantic_model")
    if model is None:
        return None
    if model != semantic.MODEL_ID:
        raise ValidationError(
            f"matcher index embeddings come from {model!r}, not {semantic.MODEL_ID!r}",
            where="matcher index",
            fix=_FIX,
        )
    return np.asarray(arrays["semantic_rows"], dtype=np.float32)


def index_from_bytes(data: bytes, *, expected_hash: str) -> MatchIndex:
    """Load an index; raises ``ValidationError`` on another format version, bank hash or damaged data."""
    arrays = _read_arrays(data)
    try:
        meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
        _check(meta, expected_hash)
        return _check_shapes(
            MatchIndex(
                content_hash=meta["content_hash"],
                keys=tuple(meta["keys"]),
                short_answers=tuple(meta["short_answers"]),
                controls=tuple(tuple(c) for c in meta["controls"]),
                thesaurus=thesaurus_from_json(meta["thesaurus"]),
                row_entry=arrays["row_entry"].astype(np.int32),
                row_fuzzy=tuple(meta["row_fuzzy"]),
                row_concepts=tuple(frozenset(c) for c in meta["row_concepts"]),
                word=Vectors(WORD, tuple(meta["word_vocabulary"]), arrays["word_idf"].astype(np.float32)),
                char=Vectors(CHAR, tuple(meta["char_vocabulary"]), arrays["char_idf"].astype(np.float32)),
                word_rows=_matrix(arrays, "word_rows"),
                word_answers=_matrix(arrays, "word_answers"),
                char_rows=_matrix(arrays, "char_rows"),
                semantic_rows=_semantic_rows(arrays, meta),
            )
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationError(
            f"matcher index data is incomplete ({exc})", where="matcher index", fix=_FIX
        ) from exc
