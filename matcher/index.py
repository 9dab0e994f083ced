"""Build the index: normalise and expand every phrasing of every entry, then weigh with TF-IDF.

One *row* per phrasing (the question and each alternate), so an approved rewording becomes a row of
its own; the answer text is a second, lower-weight field per entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

import numpy as np
import numpy.typing as npt
from scipy import sparse

from core.errors import ValidationError
from matcher import semantic
from matcher.stem import normalised_stems
from matcher.thesaurus import Expansion, Thesaurus, load_default_thesaurus
from matcher.types import BankItem
from matcher.vectors import CHAR, STOP_WORDS, WORD, Vectors

IntArray = npt.NDArray[np.int32]


def content_hash(items: Sequence[BankItem]) -> str:
    """SHA-256 over every field of every item, in order: any edit gives a new hash."""
    digest = hashlib.sha256()
    for item in items:
        record = [
            item.key,
            item.question,
            list(item.alternates),
            item.answer,
            item.short_answer,
            item.category,
            list(item.controls),
        ]
        digest.update(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def control_id(control: str) -> str:
    """``"NIST-CSF-2.0:PR.AA-01"`` -> ``"pr.aa-01"`` (what a questionnaire would cite)."""
    return control.rsplit(":", 1)[-1].strip().lower()


def content_words(tokens: Sequence[str]) -> str:
    """The words that carry meaning, for fuzzy comparison."""
    return " ".join(tok for tok in tokens if tok not in STOP_WORDS)


ANSWER_TERM_WEIGHT = 0.5


def entry_term_weights(
    row_entry: IntArray, word_rows: sparse.csr_matrix, word_answers: sparse.csr_matrix
) -> sparse.csr_matrix:
    """Entries x terms: 1 where a phrasing of the entry has the term, else 0.5 where its answer has it."""
    n_entries, n_rows = word_answers.shape[0], word_rows.shape[0]
    owner = sparse.csr_matrix(
        (np.ones(n_rows, dtype=np.float32), (row_entry, np.arange(n_rows))), shape=(n_entries, n_rows)
    )
    in_rows = sparse.csr_matrix(owner @ (word_rows > 0).astype(np.float32))
    in_rows.data[:] = 1.0
    in_answer = (word_answers > 0).astype(np.float32) * ANSWER_TERM_WEIGHT
    return sparse.csr_matrix(in_rows.maximum(in_answer))


@dataclass
class MatchIndex:
    """A built, immutable index; rebuild it whenever ``content_hash`` differs from the bank's."""

    FORMAT_VERSION: ClassVar[int] = 2

    content_hash: str
    keys: tuple[str, ...]
    short_answers: tuple[str | None, ...]
    controls: tuple[tuple[str, ...], ...]
    thesaurus: Thesaurus
    row_entry: IntArray
    row_fuzzy: tuple[str, ...]
    row_concepts: tuple[frozenset[str], ...]
    word: Vectors
    char: Vectors
    word_rows: sparse.csr_matrix
    word_answers: sparse.csr_matrix
    char_rows: sparse.csr_matrix
    semantic_rows: npt.NDArray[np.float32] | None = None  # unit vectors per row (``semantic=True``)
    known_words: frozenset[str] = field(init=False, repr=False)
    control_entries: dict[str, tuple[int, ...]] = field(init=False, repr=False)
    entry_terms: sparse.csr_matrix = field(init=False, repr=False)
    has_short_answer: npt.NDArray[np.intp] = field(init=False, repr=False)
    key_rank: npt.NDArray[np.intp] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.has_short_answer = np.asarray([int(bool(s)) for s in self.short_answers], dtype=np.intp)
        self.key_rank = np.argsort(np.argsort(np.asarray(self.keys, dtype=object))).astype(np.intp)
        self.entry_terms = entry_term_weights(self.row_entry, self.word_rows, self.word_answers)
        self.known_words = frozenset(term for term in self.word.vocabulary if " " not in term)
        by_control: dict[str, list[int]] = {}
        for entry, controls in enumerate(self.controls):
            for control in controls:
                by_control.setdefault(control_id(control), []).append(entry)
                by_control.setdefault(control.strip().lower(), []).append(entry)
        self.control_entries = {cid: tuple(dict.fromkeys(e)) for cid, e in by_control.items()}

    @cached_property
    def entry_row_bounds(self) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """Where each entry's rows start and end in :attr:`rows_by_entry`."""
        counts = np.bincount(self.row_entry, minlength=len(self.keys)).astype(np.intp)
        ends = np.cumsum(counts)
        return ends - counts, ends

    @cached_property
    def rows_by_entry(self) -> npt.NDArray[np.intp]:
        """Row numbers grouped by entry (each entry's rows in row order): entry e's rows are
        ``rows_by_entry[start[e]:end[e]]`` with ``start, end = entry_row_bounds``."""
        return np.argsort(self.row_entry, kind="stable").astype(np.intp)

    @cached_property
    def transposed(self) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """Terms x rows and terms x entries (answers), for the candidate product."""
        return sparse.csr_matrix(self.word_rows.T), sparse.csr_matrix(self.word_answers.T)

    @cached_property
    def spelling(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """Words never corrected (bank, thesaurus, stop words) and the bank words typos are corrected to."""
        known = self.known_words | STOP_WORDS | self.thesaurus.words
        choices = tuple(sorted(w for w in self.known_words if len(w) >= 4 and not w.startswith("th_")))
        return known, choices

    def prepare_shared(self) -> None:
        """Compute every lazily built part now (before threads share the index)."""
        for part in (self.entry_row_bounds, self.rows_by_entry, self.transposed, self.spelling):
            assert part is not None
        self.word.transform([""])  # scikit-learn checks a given vocabulary on first use
        self.char.transform([""])

    def __len__(self) -> int:
        return len(self.keys)


@dataclass(frozen=True)
class _Rows:
    """Every phrasing of every entry, normalised and expanded."""

    entry: list[int]
    expansions: list[Expansion]
    word_texts: list[str]
    char_texts: list[str]


def _check_items(items: Sequence[BankItem]) -> None:
    seen: set[str] = set()
    for position, item in enumerate(items):
        if not item.key:
            raise ValidationError(
                "bank item has an empty key", where=f"item {position}", fix="give every entry a key"
            )
        if item.key in seen:
            raise ValidationError(
                f"duplicate key {item.key!r}", where=f"item {position}", fix="keys must be unique"
            )
        seen.add(item.key)


def _phrasings(item: BankItem) -> list[str]:
    return [text for text in (item.question, *item.alternates) if text.strip()] or [item.key]


def _expand_rows(items: Sequence[BankItem], thesaurus: Thesaurus) -> _Rows:
    rows = _Rows([], [], [], [])
    for number, item in enumerate(items):
        category = content_words(normalised_stems(item.category)[1])
        for phrasing in _phrasings(item):
            tokens, stems = normalised_stems(phrasing)
            expansion = thesaurus.expand(stems)
            rows.entry.append(number)
            rows.expansions.append(expansion)
            rows.word_texts.append(f"{expansion.text} {category}")
            rows.char_texts.append(" ".join(tokens))
    return rows


def _expand_answers(items: Sequence[BankItem], thesaurus: Thesaurus) -> list[str]:
    return [thesaurus.expand(normalised_stems(item.answer)[1]).text for item in items]


def build_index(
    items: Sequence[BankItem], *, thesaurus: Thesaurus | None = None, semantic: bool = False
) -> MatchIndex:
    """Normalise, expand and weigh every entry; an empty bank gives an index that matches nothing.

    ``semantic=True`` also embeds every phrasing (needs ``trustdesk[semantic]``, else ``ConfigError``).
    """
    _check_items(items)
    semantic_rows = _embed_rows(items) if semantic else None
    thesaurus = thesaurus if thesaurus is not None else load_default_thesaurus()
    rows = _expand_rows(items, thesaurus)
    answers = _expand_answers(items, thesaurus)
    word, word_all = Vectors.fit(WORD, rows.word_texts + answers)
    char, char_rows = Vectors.fit(CHAR, rows.char_texts)
    n_rows = len(rows.word_texts)
    return MatchIndex(
        content_hash=content_hash(items),
        keys=tuple(item.key for item in items),
        short_answers=tuple(item.short_answer or None for item in items),
        controls=tuple(tuple(item.controls) for item in items),
        thesaurus=thesaurus,
        row_entry=np.asarray(rows.entry, dtype=np.int32),
        row_fuzzy=tuple(
            content_words(exp.tokens[: len(exp.tokens) - len(exp.concepts)]) for exp in rows.expansions
        ),
        row_concepts=tuple(exp.concepts for exp in rows.expansions),
        word=word,
        char=char,
        word_rows=sparse.csr_matrix(word_all[:n_rows]),
        word_answers=sparse.csr_matrix(word_all[n_rows:]),
        char_rows=char_rows,
        semantic_rows=semantic_rows,
    )


def _embed_rows(items: Sequence[BankItem]) -> npt.NDArray[np.float32]:
    """One unit vector per phrasing, in row order (the extra is imported only here)."""
    texts = [text for item in items for text in _phrasings(item)]
    return semantic.embed(texts) if texts else np.zeros((0, semantic.DIMENSION), dtype=np.float32)
