"""Steps 3-6: TF-IDF candidates (sparse top-k), per-candidate signals, fusion, bands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from scipy import sparse

from matcher.index import MatchIndex
from matcher.query import PreparedQuery
from matcher.vectors import rowwise_dot

ROW_CANDIDATES = 25
ANSWER_CANDIDATES = 8
CHUNK = 256

# Weights of the fused score (they sum to 1, so the score stays in [0, 1] before adjustments).
WEIGHTS = {
    "tfidf_word": 0.05,
    "tfidf_char": 0.05,
    "fuzzy": 0.20,
    "concepts": 0.20,
    "answer": 0.25,
    "coverage": 0.25,
}
UNSEEN_WEIGHT = 1.5
CONTROL_BONUS = 0.10
NUMBER_BONUS = 0.05
TYPE_BONUS = 0.03
# A question that names a thesaurus concept found nowhere in the bank (OT, BYOK, SBOM) asks about
# something the bank does not cover: its scores are scaled down, so it lands in ``review`` at best.
UNKNOWN_CONCEPT_FACTOR = 0.75


def _top_columns(matrix: sparse.csr_matrix, k: int) -> list[npt.NDArray[np.int32]]:
    """For each row of a sparse score matrix, the columns of its k largest entries."""
    tops: list[npt.NDArray[np.int32]] = []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        data, cols = matrix.data[start:end], matrix.indices[start:end]
        if len(data) > k:
            keep = np.argpartition(-data, k - 1)[:k]
            data, cols = data[keep], cols[keep]
        tops.append(cols.astype(np.int32))
    return tops


def retrieve(index: MatchIndex, query_words: sparse.csr_matrix) -> list[npt.NDArray[np.int32]]:
    """Candidate entries per query: best rows by word TF-IDF plus best answers, chunk by chunk."""
    candidates: list[npt.NDArray[np.int32]] = []
    rows_t, answers_t = index.transposed
    for start in range(0, query_words.shape[0], CHUNK):
        chunk = query_words[start : start + CHUNK]
        by_row = _top_columns(sparse.csr_matrix(chunk @ rows_t), ROW_CANDIDATES)
        by_answer = _top_columns(sparse.csr_matrix(chunk @ answers_t), ANSWER_CANDIDATES)
        for rows, answers in zip(by_row, by_answer, strict=True):
            entries = np.concatenate([index.row_entry[rows], answers])
            candidates.append(np.unique(entries).astype(np.int32))
    return candidates


@dataclass(frozen=True)
class Pairs:
    """Flat arrays of (query, entry, row) triples to score in one vectorised pass."""

    query: npt.NDArray[np.intp]
    entry: npt.NDArray[np.intp]
    row: npt.NDArray[np.intp]


def candidate_pairs(index: MatchIndex, candidates: Sequence[npt.NDArray[np.int32]]) -> Pairs:
    """Every phrasing (row) of every candidate entry of every query, as flat arrays."""
    entries = np.concatenate([*candidates, np.zeros(0, np.int32)]).astype(np.intp)
    queries = np.repeat(np.arange(len(candidates), dtype=np.intp), [len(found) for found in candidates])
    starts, ends = index.entry_row_bounds
    counts = ends[entries] - starts[entries]
    firsts = np.repeat(starts[entries] - np.cumsum(counts) + counts, counts)
    rows = firsts + np.arange(int(counts.sum()), dtype=np.intp)
    return Pairs(np.repeat(queries, counts), np.repeat(entries, counts), index.rows_by_entry[rows])


def _fuzzy(queries: list[str], rows: list[str]) -> npt.NDArray[np.float32]:
    """``token_sort_ratio`` of each (query, row) pair, in [0, 1]."""
    if not queries:
        return np.zeros(0, dtype=np.float32)
    scores = process.cpdist(queries, rows, scorer=fuzz.token_sort_ratio, dtype=np.float32)
    return np.asarray(scores, dtype=np.float32) / np.float32(100.0)


def _dice(left: frozenset[str], right: frozenset[str]) -> float:
    if not left and not right:
        return 0.0
    return 2.0 * len(left & right) / (len(left) + len(right))


@dataclass(frozen=True)
class Signals:
    """Per (query, entry, row) triple: the parts of the score."""

    word: npt.NDArray[np.float32]
    char: npt.NDArray[np.float32]
    answer: npt.NDArray[np.float32]
    fuzzy: npt.NDArray[np.float32]
    concepts: npt.NDArray[np.float32]
    coverage: npt.NDArray[np.float32]


def compute_signals(
    index: MatchIndex,
    prepared: Sequence[PreparedQuery],
    pairs: Pairs,
    vectors: tuple[sparse.csr_matrix, sparse.csr_matrix],
) -> Signals:
    query_words, query_chars = vectors
    fuzzy = _fuzzy(
        [prepared[q].fuzzy_text for q in pairs.query.tolist()],
        [index.row_fuzzy[r] for r in pairs.row.tolist()],
    )
    concepts = np.fromiter(
        (
            _dice(prepared[q].expansion.concepts, index.row_concepts[r])
            for q, r in zip(pairs.query.tolist(), pairs.row.tolist(), strict=True)
        ),
        dtype=np.float32,
        count=len(pairs.row),
    )
    return Signals(
        coverage=term_coverage(index, prepared, query_words, pairs),
        word=rowwise_dot(query_words, index.word_rows, pairs.query, pairs.row),
        char=rowwise_dot(query_chars, index.char_rows, pairs.query, pairs.row),
        answer=rowwise_dot(query_words, index.word_answers, pairs.query, pairs.entry),
        fuzzy=fuzzy,
        concepts=concepts,
    )


def term_coverage(
    index: MatchIndex, prepared: Sequence[PreparedQuery], query_words: sparse.csr_matrix, pairs: Pairs
) -> npt.NDArray[np.float32]:
    """Share of the question's idf mass found in the entry (its phrasings fully, its answer half).

    Words the bank has never seen count with the highest idf: a question about something the bank
    never mentions (FERPA, escrow) should not look fully covered by its common words.
    """
    present = sparse.csr_matrix(query_words, copy=True)
    present.data = index.word.idf[present.indices].copy()
    unseen_idf = float(index.word.idf.max()) if len(index.word.idf) else 1.0
    unseen = np.asarray([len(p.unknown) for p in prepared], dtype=np.float32) * unseen_idf * UNSEEN_WEIGHT
    totals = np.asarray(present.sum(axis=1), dtype=np.float32).ravel() + unseen
    totals[totals == 0] = 1.0
    found = rowwise_dot(present, index.entry_terms, pairs.query, pairs.entry)
    return np.asarray(found / totals[pairs.query], dtype=np.float32)


def fuse(signals: Signals) -> npt.NDArray[np.float32]:
    """The weighted sum of the similarity parts, in [0, 1]."""
    return np.asarray(
        WEIGHTS["tfidf_word"] * signals.word
        + WEIGHTS["tfidf_char"] * signals.char
        + WEIGHTS["fuzzy"] * signals.fuzzy
        + WEIGHTS["concepts"] * signals.concepts
        + WEIGHTS["answer"] * signals.answer
        + WEIGHTS["coverage"] * signals.coverage,
        dtype=np.float32,
    )


def unknown_concept_factor(unknown_concepts: Sequence[str]) -> float:
    """The scale applied to every candidate of a question naming concepts the bank never mentions."""
    return UNKNOWN_CONCEPT_FACTOR if unknown_concepts else 1.0


def type_adjustment(answer_type: str | None, short_answer: str | None) -> float:
    """A yes/no question prefers entries with a short answer; a free-text one prefers the others."""
    if answer_type == "yes_no":
        return TYPE_BONUS if short_answer else -TYPE_BONUS
    if answer_type in ("text", "number", "date") and short_answer:
        return -TYPE_BONUS / 2
    return 0.0
