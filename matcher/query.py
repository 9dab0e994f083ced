"""Steps 1-2 for incoming questions: normalise, correct typos against the bank's words, expand."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from matcher.index import MatchIndex, content_words
from matcher.stem import normalised_stems
from matcher.thesaurus import CONCEPT_PREFIX, Expansion
from matcher.types import ANSWER_TYPES, Query
from matcher.vectors import STOP_WORDS

_YES_NO_OPENERS = frozenset(
    [
        "do",
        "does",
        "did",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "can",
        "could",
        "will",
        "would",
        "should",
        "must",
        "shall",
    ]
)
_FREE_TEXT_OPENERS = frozenset(
    [
        "describe",
        "explain",
        "list",
        "provide",
        "outline",
        "specify",
        "state",
        "what",
        "how",
        "which",
        "who",
        "when",
        "where",
        "why",
        "name",
        "detail",
    ]
)
_CONTROL_TOKEN = re.compile(r"[a-z0-9][a-z0-9.()\-:]*[a-z0-9)]")


@dataclass(frozen=True)
class PreparedQuery:
    """One question after normalisation and expansion, with what the scorer needs to know."""

    text: str
    expansion: Expansion
    char_text: str
    fuzzy_text: str
    answer_type: str | None
    corrections: tuple[tuple[str, str], ...]
    unknown: tuple[str, ...]
    cited_controls: tuple[str, ...]
    number: str | None

    @property
    def unknown_concepts(self) -> tuple[str, ...]:
        """Thesaurus families the question names and the bank never mentions (``th_ot`` -> ``ot``)."""
        return tuple(tok[len(CONCEPT_PREFIX) :] for tok in self.unknown if tok.startswith(CONCEPT_PREFIX))


def as_query(query: Query | str) -> Query:
    return query if isinstance(query, Query) else Query(text=query)


def guess_answer_type(query: Query, tokens: Sequence[str]) -> str | None:
    """The declared type, else ``yes_no`` or ``text`` from the opening word, else unknown."""
    if query.answer_type in ANSWER_TYPES:
        return query.answer_type
    opener = tokens[0] if tokens else ""
    if opener in _YES_NO_OPENERS:
        return "yes_no"
    if opener in _FREE_TEXT_OPENERS:
        return "text"
    return None


def _max_distance(token: str) -> int:
    if len(token) < 5 or token.isdigit():
        return 0
    return 1 if len(token) < 10 else 2


def correct_typos(tokens: list[str], known: frozenset[str], choices: Sequence[str]) -> list[tuple[str, str]]:
    """Replace, in place, stems the bank does not know by a bank stem one or two edits away."""
    corrections: list[tuple[str, str]] = []
    for position, token in enumerate(tokens):
        limit = _max_distance(token)
        if not limit or token in known:
            continue
        best = process.extractOne(token, choices, scorer=OSA.distance, score_cutoff=limit)
        if best is not None:
            tokens[position] = best[0]
            corrections.append((token, best[0]))
    return corrections


def cited_controls(index: MatchIndex, text: str) -> tuple[str, ...]:
    """Control ids of the bank (``cc6.1``, ``pr.aa-01``) that the question cites verbatim."""
    found = (tok.rstrip(".") for tok in _CONTROL_TOKEN.findall(text.lower()))
    return tuple(dict.fromkeys(tok for tok in found if tok in index.control_entries))


def unseen_words(index: MatchIndex, expansion: Expansion) -> tuple[str, ...]:
    """Words and concept tokens of the question that appear nowhere in the bank."""
    tokens = dict.fromkeys(expansion.tokens)
    return tuple(tok for tok in tokens if tok not in STOP_WORDS and tok not in index.known_words)


def prepare(
    index: MatchIndex, query: Query, *, known: frozenset[str], choices: Sequence[str]
) -> PreparedQuery:
    tokens, stems = normalised_stems(query.text)
    corrections = correct_typos(stems, known, choices)
    expansion = index.thesaurus.expand(stems, surface=tokens)
    return PreparedQuery(
        text=query.text,
        expansion=expansion,
        char_text=" ".join(tokens),
        fuzzy_text=content_words(stems),
        answer_type=guess_answer_type(query, tokens),
        corrections=tuple(corrections),
        unknown=unseen_words(index, expansion),
        cited_controls=cited_controls(index, query.text),
        number=query.number,
    )


def prepare_all(index: MatchIndex, queries: Sequence[Query | str]) -> list[PreparedQuery]:
    """Prepare a batch; words the bank or the thesaurus knows, and stop words, are never "corrected"."""
    known, choices = index.spelling
    return [prepare(index, as_query(query), known=known, choices=choices) for query in queries]
