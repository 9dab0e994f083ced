"""Propose evidence for a question with the same matcher that ranks bank entries.

Each evidence item becomes a :class:`matcher.BankItem` (title as question, description as answer, its
control references as controls, keyed by its id), so a proposal carries the same score parts and band.
Evidence titles are short ("MFA enforcement report") next to a bank entry's question and answer, so the
``review`` cut-off is lower than for answers: a proposal is only a suggestion to cite, never an answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlmodel import Session

import matcher
from evidence.models import Evidence
from evidence.store import EvidenceView, list_evidence, view_of

EVIDENCE_THRESHOLDS = matcher.Thresholds(auto=0.47, review=0.2, margin=0.05)


@dataclass(frozen=True)
class EvidenceProposal:
    evidence: EvidenceView
    score: float
    band: str
    reasons: dict[str, object]


def evidence_items(items: Sequence[Evidence]) -> list[matcher.BankItem]:
    return [
        matcher.BankItem(
            key=str(e.id),
            question=e.title,
            answer=e.description,
            controls=tuple(e.controls),
        )
        for e in items
    ]


def propose(
    session: Session, *, org_id: int, questions: Sequence[str], top_k: int = 3, today: date | None = None
) -> list[list[EvidenceProposal]]:
    """For every question, the evidence items worth citing, best first (band ``none`` left out)."""
    items = list_evidence(session, org_id=org_id)
    if not items or not questions:
        return [[] for _ in questions]
    by_id = {str(e.id): e for e in items}
    day = today or date.today()
    results = _ranked(tuple(evidence_items(items)), tuple(questions), top_k)
    return [
        [
            EvidenceProposal(view_of(by_id[c.entry_key], today=day), c.score, c.band, dict(c.reasons))
            for c in result.candidates
            if c.band != "none"
        ]
        for result in results
    ]


@lru_cache(maxsize=1024)
def _ranked(
    items: tuple[matcher.BankItem, ...], questions: tuple[str, ...], top_k: int
) -> tuple[matcher.MatchResult, ...]:
    """The ranking of ``questions`` against these evidence items, kept while neither changes.

    The review page asks this on every load, for the same questions of the same page: the key is
    the items' full content and the questions, so an edit to any evidence item gives a new ranking.
    """
    results = matcher.match(
        _index(items), list(questions), top_k=top_k, thresholds=EVIDENCE_THRESHOLDS, scale_unknown=False
    )
    return tuple(results)


@lru_cache(maxsize=64)
def _index(items: tuple[matcher.BankItem, ...]) -> matcher.MatchIndex:
    return matcher.build_index(items, thesaurus=matcher.load_default_thesaurus())
