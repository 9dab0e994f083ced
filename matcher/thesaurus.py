"""Step 2: expand normalised text with a security thesaurus.

A family is a set of terms that mean the same thing ("mfa", "2fa", "two factor" ...). Wherever a term
occurs, the family's concept token (``th_mfa``) is appended, so "2FA" and "multi-factor
authentication" share a token that TF-IDF can weigh. The default families live in
``thesaurus.json`` beside this module; an organisation adds its own with :meth:`Thesaurus.extended`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from core.errors import ValidationError
from matcher.normalise import STOP_WORDS, normalise_tokens
from matcher.stem import stem_tokens

CONCEPT_PREFIX = "th_"
_FAMILY_NAME = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Expansion:
    """The result of expanding one text: its tokens plus concept tokens, and what matched."""

    tokens: tuple[str, ...]
    concepts: frozenset[str]
    hits: tuple[tuple[str, frozenset[str]], ...]

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(term for term, _ in self.hits))

    def terms_for(self, families: frozenset[str]) -> list[str]:
        """The terms of this text that belong to any of ``families`` (why two texts share a concept)."""
        if not families:
            return []
        return list(dict.fromkeys(term for term, found in self.hits if not found.isdisjoint(families)))

    @property
    def text(self) -> str:
        """The tokens without stop words, space-separated: what the word vectoriser counts."""
        return " ".join(tok for tok in self.tokens if tok not in STOP_WORDS)


def family_name(raw: str) -> str:
    """``"Two-Factor Auth"`` -> ``"two_factor_auth"``; refuses names with no letters or digits."""
    name = _FAMILY_NAME.sub("_", raw.lower()).strip("_")
    if not name:
        raise ValidationError(
            f"thesaurus family name {raw!r} has no letters or digits",
            where="thesaurus",
            fix="name each family with a word such as 'mfa'",
        )
    return name


@dataclass(frozen=True)
class Thesaurus:
    """Families of equivalent terms, looked up by word n-grams."""

    families: Mapping[str, tuple[str, ...]]
    _lookup: dict[tuple[str, ...], frozenset[str]] = field(init=False, repr=False, compare=False)
    _longest: int = field(init=False, repr=False, compare=False)
    _starts: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[tuple[str, ...], set[str]] = {}
        for name, terms in self.families.items():
            for term in terms:
                phrase = tuple(stem_tokens(normalise_tokens(term)))
                if phrase:
                    lookup.setdefault(phrase, set()).add(name)
        object.__setattr__(self, "_lookup", {k: frozenset(v) for k, v in lookup.items()})
        starts: dict[str, int] = {}
        for phrase in lookup:
            starts[phrase[0]] = max(starts.get(phrase[0], 0), len(phrase))
        object.__setattr__(self, "_starts", starts)

    @property
    def words(self) -> frozenset[str]:
        """Every word of every term, so typo correction leaves ``2fa`` and ``contract`` alone."""
        return frozenset(word for phrase in self._lookup for word in phrase)

    def extended(self, extra: Mapping[str, Sequence[str]]) -> Thesaurus:
        """A new thesaurus with an organisation's terms added to existing or new families."""
        merged = {name: list(terms) for name, terms in self.families.items()}
        for raw_name, terms in extra.items():
            if isinstance(terms, str):
                raise ValidationError(
                    f"thesaurus family {raw_name!r} maps to a string, not a list of terms",
                    where="thesaurus extension",
                    fix=f'write {{"{raw_name}": ["{terms}"]}}',
                )
            name = family_name(raw_name)
            merged.setdefault(name, [raw_name]).extend(terms)
        return Thesaurus({name: tuple(dict.fromkeys(terms)) for name, terms in merged.items()})

    def find(
        self, tokens: Sequence[str], surface: Sequence[str] | None = None
    ) -> list[tuple[str, frozenset[str]]]:
        """Every (term, families) found in stemmed ``tokens``, longest phrase first at each position.

        The term is reported in ``surface`` words (the unstemmed tokens) when they are given.
        """
        shown = surface if surface is not None and len(surface) == len(tokens) else tokens
        found: list[tuple[str, frozenset[str]]] = []
        for start, token in enumerate(tokens):
            longest = self._starts.get(token)
            if longest is None:
                continue
            for size in range(min(longest, len(tokens) - start), 0, -1):
                phrase = tuple(tokens[start : start + size])
                families = self._lookup.get(phrase)
                if families:
                    found.append((" ".join(shown[start : start + size]), families))
                    break
        return found

    def expand(self, tokens: Sequence[str], surface: Sequence[str] | None = None) -> Expansion:
        """Append one concept token per family found in stemmed ``tokens``, in first-seen order."""
        found = self.find(tokens, surface)
        concepts: dict[str, None] = {}
        for _term, families in found:
            for name in sorted(families):
                concepts[name] = None
        concept_tokens = tuple(CONCEPT_PREFIX + name for name in concepts)
        return Expansion(tuple(tokens) + concept_tokens, frozenset(concepts), tuple(found))

    def to_json(self) -> dict[str, list[str]]:
        return {name: list(terms) for name, terms in sorted(self.families.items())}


def thesaurus_from_json(data: Mapping[str, object]) -> Thesaurus:
    """Build from ``{"families": {name: [terms]}}`` (the layout of ``thesaurus.json``)."""
    families = data.get("families")
    if not isinstance(families, Mapping):
        raise ValidationError(
            "thesaurus data has no 'families' object", where="thesaurus", fix='use {"families": {...}}'
        )
    return Thesaurus({}).extended({str(k): [str(t) for t in v] for k, v in families.items()})


@lru_cache(maxsize=1)
def load_default_thesaurus() -> Thesaurus:
    """The thesaurus shipped with Trustdesk (``matcher/thesaurus.json``), read once (it is immutable)."""
    raw = resources.files("matcher").joinpath("thesaurus.json").read_text(encoding="utf-8")
    return thesaurus_from_json(json.loads(raw))
