"""A light suffix stemmer, so "vendors", "vendor"; "terminated", "termination" share a token.

Written for this project (no NLTK): a short ordered list of suffix rules, a minimum stem length,
then a final ``-e`` and doubled consonant are dropped. Short tokens (acronyms such as ``aws``,
``dns``, ``sso``) are left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from matcher.normalise import STOP_WORDS, normalise_tokens

# (suffix, replacement), tried in order within each pass; the first that leaves a long enough stem wins.
_INFLECTIONS: tuple[tuple[str, str], ...] = (
    ("sses", "ss"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("xes", "x"),
    ("ies", "y"),
    ("ied", "y"),
    ("ingly", ""),
    ("ings", ""),
    ("ing", ""),
    ("edly", ""),
    ("ed", ""),
    ("s", ""),
)
_DERIVATIONS: tuple[tuple[str, str], ...] = (
    ("ization", "iz"),
    ("ational", "at"),
    ("ation", "at"),
    ("ities", ""),
    ("ity", ""),
    ("ment", ""),
    ("ness", ""),
    ("ively", ""),
    ("ive", ""),
    ("sion", "s"),
    ("tion", "t"),
    ("ally", "al"),
    ("ly", ""),
    ("al", ""),
)
_KEEP_ENDINGS = ("ss", "us", "is")
_MIN_STEM = 3
_UNDOUBLE_KEEP = frozenset("lsz")
_VOWELS = frozenset("aeiouy")


def _strip_suffix(word: str, rules: tuple[tuple[str, str], ...]) -> str:
    for suffix, replacement in rules:
        if word.endswith(suffix):
            if suffix == "s" and word.endswith(_KEEP_ENDINGS):
                return word
            stem = word[: len(word) - len(suffix)]
            if len(stem) >= _MIN_STEM and any(ch in _VOWELS for ch in stem):
                return stem + replacement
    return word


def _tidy(stem: str) -> str:
    if len(stem) > 4 and stem.endswith("e"):
        stem = stem[:-1]
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS and stem[-1] not in _UNDOUBLE_KEEP:
        stem = stem[:-1]
    return stem


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """``"vendors"`` -> ``"vendor"``; ``"encrypted"`` -> ``"encrypt"``; words of 3 letters or fewer unchanged."""
    if len(word) <= 3 or word.isdigit() or word.startswith("th_"):
        return word
    return _tidy(_strip_suffix(_strip_suffix(word, _INFLECTIONS), _DERIVATIONS))


def stem_tokens(tokens: Sequence[str]) -> list[str]:
    """Stem every token except stop words (so the vectoriser still recognises and drops them)."""
    return [tok if tok in STOP_WORDS else stem(tok) for tok in tokens]


def normalised_stems(text: str) -> tuple[list[str], list[str]]:
    """``normalise_tokens`` and their stems in one call (stems of common words come from a cache)."""
    tokens = normalise_tokens(text)
    cache = _STEM_CACHE
    return tokens, [cache[tok] if tok in cache else _remember(tok) for tok in tokens]


_STEM_CACHE: dict[str, str] = {}


def _remember(token: str) -> str:
    form = token if token in STOP_WORDS else stem(token)
    if len(_STEM_CACHE) < 500_000:
        _STEM_CACHE[token] = form
    return form
