"""Pure scoring of questionnaire questions against an answer bank (no I/O).

normalise -> expand (security thesaurus) -> TF-IDF candidates -> fuzzy and other signals -> fuse -> band.
The same engine ranks evidence items: pass them as :class:`BankItem` (title as ``question``,
description as ``answer``, their control ids as ``controls``).
"""

from matcher.index import MatchIndex, build_index, content_hash
from matcher.match import DEFAULT_SEMANTIC_THRESHOLDS, DEFAULT_THRESHOLDS, match
from matcher.serialise import index_from_bytes, index_to_bytes
from matcher.thesaurus import Thesaurus, load_default_thesaurus
from matcher.types import BankItem, Candidate, MatchResult, Query, Thresholds

__all__ = [
    "DEFAULT_SEMANTIC_THRESHOLDS",
    "DEFAULT_THRESHOLDS",
    "BankItem",
    "Candidate",
    "MatchIndex",
    "MatchResult",
    "Query",
    "Thesaurus",
    "Thresholds",
    "build_index",
    "content_hash",
    "index_from_bytes",
    "index_to_bytes",
    "load_default_thesaurus",
    "match",
]
