"""The entry point: match a batch of questions against a built index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

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
)
from matcher.types import Candidate, MatchResult, Query, Thresholds

DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class _Scored:
    entry: int
    row: int
    pair: int
    score: float
    bonus: dict[str, float]


def _bonuses(index: MatchIndex, query: PreparedQuery, entry: int) -> dict[str, float]:
    bonus: dict[str, float] = {}
    adjustment = type_adjustment(query.answer_type, index.short_answers[entry])
    if adjustment:
        bonus["answer_type"] = adjustment
    if any(entry in index.control_entries[cid] for cid in query.cited_controls):
        bonus["controls"] = CONTROL_BONUS
    number = (query.number or "").strip().lower()
    if number and (number == index.keys[entry].lower() or number in index.control_entries):
        if entry in index.control_entries.get(number, ()) or number == index.keys[entry].lower():
            bonus["number"] = NUMBER_BONUS
    return bonus


def best_per_entry(
    index: MatchIndex, prepared: Sequence[PreparedQuery], pairs: Pairs, fused: npt.NDArray[np.float32]
) -> list[list[_Scored]]:
    """Keep each entry's best-scoring phrasing, add the bonuses, sort best first (ties by key)."""
    best: list[dict[int, tuple[float, int]]] = [{} for _ in prepared]
    for pair, (q, entry) in enumerate(zip(pairs.query.tolist(), pairs.entry.tolist(), strict=True)):
        score = float(fused[pair])
        if entry not in best[q] or score > best[q][entry][0]:
            best[q][entry] = (score, pair)
    ranked: list[list[_Scored]] = []
    for q, entries in enumerate(best):
        scored = []
        for entry, (score, pair) in entries.items():
            bonus = _bonuses(index, prepared[q], entry)
            total = min(1.0, max(0.0, score + sum(bonus.values())))
            scored.append(_Scored(entry, int(pairs.row[pair]), pair, total, bonus))
        scored.sort(key=lambda s: (-s.score, index.keys[s.entry]))
        ranked.append(scored)
    return ranked


def band_of(score: float, runner_up: float, thresholds: Thresholds, *, first: bool) -> str:
    """``auto`` only for the best candidate, above the threshold and clear of the runner-up."""
    if first and score >= thresholds.auto and score - runner_up >= thresholds.margin:
        return "auto"
    return "review" if score >= thresholds.review else "none"


def _reasons(
    index: MatchIndex, query: PreparedQuery, item: _Scored, signals: Signals
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
    }
    if "controls" in item.bonus:
        reasons["controls"] = [c for c in query.cited_controls if item.entry in index.control_entries[c]]
    if "number" in item.bonus:
        reasons["number"] = query.number
    if "answer_type" in item.bonus:
        reasons["answer_type"] = {"question": query.answer_type, "adjustment": item.bonus["answer_type"]}
    if query.corrections:
        reasons["typos_corrected"] = [f"{wrong}->{right}" for wrong, right in query.corrections]
    return reasons


def _result(
    index: MatchIndex,
    query: PreparedQuery,
    ranked: list[_Scored],
    signals: Signals,
    *,
    top_k: int,
    thresholds: Thresholds,
) -> MatchResult:
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    candidates = tuple(
        Candidate(
            entry_key=index.keys[item.entry],
            score=round(item.score, 6),
            band=band_of(item.score, runner_up, thresholds, first=position == 0),
            reasons=_reasons(index, query, item, signals),
        )
        for position, item in enumerate(ranked[:top_k])
    )
    band = candidates[0].band if candidates else "none"
    return MatchResult(question=query.text, band=band, candidates=candidates)


def match(
    index: MatchIndex,
    queries: Sequence[Query | str],
    *,
    top_k: int = 5,
    thresholds: Thresholds | None = None,
) -> list[MatchResult]:
    """Rank bank entries for every question, best first, each with its score, band and reasons."""
    thresholds = thresholds or DEFAULT_THRESHOLDS
    prepared = prepare_all(index, queries)
    query_words = index.word.transform([p.expansion.text for p in prepared])
    query_chars = index.char.transform([p.char_text for p in prepared])
    candidates = retrieve(index, query_words)
    pairs = candidate_pairs(index, candidates)
    signals = compute_signals(index, prepared, pairs, (query_words, query_chars))
    ranked = best_per_entry(index, prepared, pairs, fuse(signals))
    return [
        _result(index, query, scored, signals, top_k=top_k, thresholds=thresholds)
        for query, scored in zip(prepared, ranked, strict=True)
    ]
