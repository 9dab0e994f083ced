"""The entry point: match a batch of questions against a built index."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher import semantic
from matcher.index import MatchIndex
from matcher.query import PreparedQuery, prepare_all
from matcher.scoring import (
    CONTROL_BONUS,
    NUMBER_BONUS,
    Pairs,
    Signals,
    candidate_pairs,
    compute_signals,
    fuse,
    retrieve,
    type_adjustment,
    unknown_concept_factor,
)
from matcher.types import Candidate, MatchResult, Query, Thresholds

DEFAULT_THRESHOLDS = Thresholds()
# For an index built with ``semantic=True``: the blended score has another scale (see docs/benchmarks.md).
DEFAULT_SEMANTIC_THRESHOLDS = Thresholds(auto=0.46, review=0.40, margin=0.10)


def default_thresholds(index: MatchIndex) -> Thresholds:
    """The thresholds that fit how the index was built (lexical only, or with the semantic signal)."""
    return DEFAULT_SEMANTIC_THRESHOLDS if index.semantic_rows is not None else DEFAULT_THRESHOLDS


@dataclass(frozen=True)
class _Scored:
    entry: int
    row: int
    pair: int
    score: float
    bonus: dict[str, float]


def _bonuses(index: MatchIndex, query: PreparedQuery, entry: int) -> dict[str, float]:
    """Answer-type adjustment, cited control ids and question number (all usually absent)."""
    bonus: dict[str, float] = {}
    adjustment = type_adjustment(query.answer_type, index.short_answers[entry])
    if adjustment:
        bonus["answer_type"] = adjustment
    if query.cited_controls and any(entry in index.control_entries[c] for c in query.cited_controls):
        bonus["controls"] = CONTROL_BONUS
    if query.number and _number_matches(index, query.number, entry):
        bonus["number"] = NUMBER_BONUS
    return bonus


def _number_matches(index: MatchIndex, number: str, entry: int) -> bool:
    """The question's own number is the entry's key or one of its control ids."""
    wanted = number.strip().lower()
    return wanted == index.keys[entry].lower() or entry in index.control_entries.get(wanted, ())


def adjusted_scores(
    index: MatchIndex,
    prepared: Sequence[PreparedQuery],
    pairs: Pairs,
    fused: npt.NDArray[np.float32],
    *,
    scale_unknown: bool = True,
) -> npt.NDArray[np.float64]:
    """Fused score plus bonuses, clipped to [0, 1], scaled down for questions naming concepts unknown to the bank.

    Vectorised for the answer type and the scale, looped for the rare rest.
    """
    types = [p.answer_type for p in prepared]
    table = np.asarray(
        [[type_adjustment(t, None), type_adjustment(t, "Yes")] for t in types], dtype=np.float64
    ).reshape(len(types), 2)
    total = fused.astype(np.float64) + table[pairs.query, index.has_short_answer[pairs.entry]]
    rare = [q for q, p in enumerate(prepared) if p.cited_controls or p.number]
    for position in np.flatnonzero(np.isin(pairs.query, rare)).tolist():
        bonus = _bonuses(index, prepared[int(pairs.query[position])], int(pairs.entry[position]))
        total[position] += bonus.get("controls", 0.0) + bonus.get("number", 0.0)
    if not scale_unknown:
        return np.clip(total, 0.0, 1.0)
    scale = np.asarray([unknown_concept_factor(p.unknown_concepts) for p in prepared], dtype=np.float64)
    return np.clip(total * scale[pairs.query], 0.0, 1.0)


def rank_pairs(
    index: MatchIndex, pairs: Pairs, total: npt.NDArray[np.float64], n_queries: int
) -> list[npt.NDArray[np.intp]]:
    """Per query, pair positions best first: each entry's best phrasing only, ties broken by key."""
    by_entry = np.lexsort((-total, pairs.entry, pairs.query))
    first = np.ones(len(by_entry), dtype=bool)
    first[1:] = (np.diff(pairs.query[by_entry]) != 0) | (np.diff(pairs.entry[by_entry]) != 0)
    best = by_entry[first]
    ordered = best[np.lexsort((index.key_rank[pairs.entry[best]], -total[best], pairs.query[best]))]
    bounds = np.searchsorted(pairs.query[ordered], np.arange(n_queries + 1))
    return [ordered[bounds[q] : bounds[q + 1]] for q in range(n_queries)]


def scored(
    index: MatchIndex,
    query: PreparedQuery,
    pairs: Pairs,
    total: npt.NDArray[np.float64],
    positions: npt.NDArray[np.intp],
) -> list[_Scored]:
    return [
        _Scored(
            entry=int(pairs.entry[p]),
            row=int(pairs.row[p]),
            pair=int(p),
            score=float(total[p]),
            bonus=_bonuses(index, query, int(pairs.entry[p])),
        )
        for p in positions.tolist()
    ]


def band_of(score: float, runner_up: float, thresholds: Thresholds, *, first: bool) -> str:
    """``auto`` only for the best candidate, above the threshold and clear of the runner-up."""
    if first and score >= thresholds.auto and score - runner_up >= thresholds.margin:
        return "auto"
    return "review" if score >= thresholds.review else "none"


def _reasons(
    index: MatchIndex,
    query: PreparedQuery,
    item: _Scored,
    signals: Signals,
    similarity: npt.NDArray[np.float32] | None,
    *,
    scale_unknown: bool,
) -> dict[str, object]:
    shared = query.expansion.concepts & index.row_concepts[item.row]
    reasons: dict[str, object] = {
        "tfidf_word": round(float(signals.word[item.pair]), 4),
        "tfidf_char": round(float(signals.char[item.pair]), 4),
        "fuzzy": round(float(signals.fuzzy[item.pair]), 4),
        "answer_text": round(float(signals.answer[item.pair]), 4),
        "concepts": round(float(signals.concepts[item.pair]), 4),
        "coverage": round(float(signals.coverage[item.pair]), 4),
        "thesaurus": query.expansion.terms_for(shared),
        "thesaurus_families": sorted(shared),
    }
    if similarity is not None:
        reasons["semantic"] = round(float(similarity[item.pair]), 4)
    if "controls" in item.bonus:
        reasons["controls"] = [c for c in query.cited_controls if item.entry in index.control_entries[c]]
    if "number" in item.bonus:
        reasons["number"] = query.number
    if "answer_type" in item.bonus:
        reasons["answer_type"] = {"question": query.answer_type, "adjustment": item.bonus["answer_type"]}
    if scale_unknown and query.unknown_concepts:
        reasons["unknown_concepts"] = {
            "concepts": list(query.unknown_concepts),
            "factor": unknown_concept_factor(query.unknown_concepts),
        }
    if query.corrections:
        reasons["typos_corrected"] = [f"{wrong}->{right}" for wrong, right in query.corrections]
    return reasons


def _result(
    index: MatchIndex,
    query: PreparedQuery,
    ranked: list[_Scored],
    signals: Signals,
    similarity: npt.NDArray[np.float32] | None,
    *,
    top_k: int,
    thresholds: Thresholds,
    scale_unknown: bool,
) -> MatchResult:
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    ranked = ranked[:top_k]
    candidates = tuple(
        Candidate(
            entry_key=index.keys[item.entry],
            score=round(item.score, 6),
            band=band_of(item.score, runner_up, thresholds, first=position == 0),
            reasons=_reasons(index, query, item, signals, similarity, scale_unknown=scale_unknown),
        )
        for position, item in enumerate(ranked)
    )
    band = candidates[0].band if candidates else "none"
    return MatchResult(question=query.text, band=band, candidates=candidates)


BATCH = 500  # questions scored together; bounds the memory of the pairwise signals


def match(
    index: MatchIndex,
    queries: Sequence[Query | str],
    *,
    top_k: int = 5,
    thresholds: Thresholds | None = None,
    scale_unknown: bool = True,
    workers: int = 1,
) -> list[MatchResult]:
    """Rank bank entries for every question, best first, each with its score, band and reasons.

    An index built with ``semantic=True`` adds the ``semantic`` signal and uses
    ``DEFAULT_SEMANTIC_THRESHOLDS`` unless ``thresholds`` is given. ``scale_unknown=False`` turns off the
    down-scaling of questions that name concepts the index never mentions: for a small collection
    (an evidence library of titles) absence says little about what it covers. ``workers`` > 1 scores
    batches of questions in that many threads (the sparse products and fuzzy scoring release the
    GIL); the results are the same, in the same order.
    """
    thresholds = thresholds or default_thresholds(index)
    size = BATCH if workers <= 1 else max(1, min(BATCH, -(-len(queries) // workers)))
    batches = [queries[start : start + size] for start in range(0, len(queries), size)]

    def one(batch: Sequence[Query | str]) -> list[MatchResult]:
        return _match_batch(index, batch, top_k=top_k, thresholds=thresholds, scale_unknown=scale_unknown)

    if workers <= 1 or len(batches) <= 1:
        return [result for batch in batches for result in one(batch)]
    index.prepare_shared()  # fill the lazily computed parts once, before the threads read them
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [result for results in pool.map(one, batches) for result in results]


def _match_batch(
    index: MatchIndex,
    queries: Sequence[Query | str],
    *,
    top_k: int,
    thresholds: Thresholds,
    scale_unknown: bool,
) -> list[MatchResult]:
    """normalise + expand -> TF-IDF candidates -> signals -> fuse -> rank -> band, for one batch."""
    prepared = prepare_all(index, queries)
    query_words = index.word.transform([p.expansion.text for p in prepared])
    query_chars = index.char.transform([p.char_text for p in prepared])
    candidates = retrieve(index, query_words)
    pairs = candidate_pairs(index, candidates)
    signals = compute_signals(index, prepared, pairs, (query_words, query_chars))
    similarity = _semantic_similarity(index, prepared, pairs)
    fused = fuse(signals) if similarity is None else semantic.fuse_semantic(fuse(signals), similarity)
    total = adjusted_scores(index, prepared, pairs, fused, scale_unknown=scale_unknown)
    ranked = rank_pairs(index, pairs, total, len(prepared))
    keep = max(top_k, 2)  # the runner-up decides the margin for ``auto``
    return [
        _result(
            index,
            query,
            scored(index, query, pairs, total, positions[:keep]),
            signals,
            similarity,
            top_k=top_k,
            thresholds=thresholds,
            scale_unknown=scale_unknown,
        )
        for query, positions in zip(prepared, ranked, strict=True)
    ]


def _semantic_similarity(
    index: MatchIndex, prepared: Sequence[PreparedQuery], pairs: Pairs
) -> npt.NDArray[np.float32] | None:
    """Cosine of each candidate pair when the index carries embeddings: the questions in one batch."""
    if index.semantic_rows is None:
        return None
    vectors = semantic.embed([p.text for p in prepared])
    return semantic.pair_similarity(vectors, index.semantic_rows, pairs.query, pairs.row)
