"""TF-IDF without pickles: plain arrays (a vocabulary or a hash width, and an idf vector).

Words: scikit-learn's ``CountVectorizer`` over the already normalised, stemmed and expanded tokens
(stop words removed before), so the vocabulary doubles as the bank's known words. Characters:
``HashingVectorizer`` over ``char_wb`` 3-4-grams, which needs no vocabulary at all. The weighting
(sublinear tf x idf, unit rows) is done here, so :func:`matcher.serialise.index_from_bytes` can
rebuild everything from arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer

from matcher.normalise import STOP_WORDS

FloatArray = npt.NDArray[np.float32]
WORD = "word"
CHAR = "char"
CHAR_FEATURES = 2**19

__all__ = ["CHAR", "STOP_WORDS", "WORD", "Vectors", "rowwise_dot"]


def _split(text: str) -> list[str]:
    return text.split()


def _vectorizer(kind: str, vocabulary: Sequence[str] | None = None) -> CountVectorizer | HashingVectorizer:
    if kind == WORD:
        vocab = {term: i for i, term in enumerate(vocabulary)} if vocabulary is not None else None
        return CountVectorizer(analyzer=_split, vocabulary=vocab, dtype=np.float32)
    return HashingVectorizer(
        analyzer="char_wb",
        lowercase=False,
        ngram_range=(3, 4),
        n_features=CHAR_FEATURES,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )


def _weigh(counts: sparse.csr_matrix, idf: FloatArray) -> sparse.csr_matrix:
    """Sublinear tf times idf, then each row scaled to unit length."""
    weighted = counts.tocsr(copy=True)
    np.log1p(weighted.data, out=weighted.data)
    weighted.data *= idf[weighted.indices]
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    scale = np.repeat((1.0 / norms).astype(np.float32), np.diff(weighted.indptr))
    weighted.data *= scale
    return weighted


def _char_counts(hasher: HashingVectorizer, texts: Sequence[str]) -> sparse.csr_matrix:
    """Character n-gram counts of ``texts``, hashing each distinct word once.

    ``char_wb`` n-grams never cross a word boundary, so a text's counts are the sum of its words'
    counts: (texts x words) word counts times (words x features) n-gram counts gives exactly what
    ``hasher.transform(texts)`` gives, without re-slicing every common word in every text.
    """
    words = CountVectorizer(analyzer=_split, lowercase=False, dtype=np.float32)
    try:
        per_text = sparse.csr_matrix(words.fit_transform(texts))
    except ValueError:  # every text was empty
        return sparse.csr_matrix((len(texts), CHAR_FEATURES), dtype=np.float32)
    per_word = sparse.csr_matrix(hasher.transform(list(words.get_feature_names_out())), dtype=np.float32)
    counts = sparse.csr_matrix(per_text @ per_word)
    counts.sort_indices()
    return counts


def _counts(
    vectorizer: CountVectorizer | HashingVectorizer, texts: Sequence[str], *, fit: bool
) -> sparse.csr_matrix:
    if isinstance(vectorizer, HashingVectorizer):
        return _char_counts(vectorizer, texts)
    return sparse.csr_matrix(vectorizer.fit_transform(texts) if fit else vectorizer.transform(texts))


@dataclass(frozen=True)
class Vectors:
    """A fitted vocabulary and idf for one analyzer (``word`` or ``char``)."""

    kind: str
    vocabulary: tuple[str, ...]
    idf: FloatArray

    @classmethod
    def fit(cls, kind: str, texts: Sequence[str]) -> tuple[Vectors, sparse.csr_matrix]:
        """Learn the vocabulary (words only) and idf from ``texts``; return them with the weighted matrix."""
        vectorizer = _vectorizer(kind)
        if not texts:
            return cls(kind, (), np.zeros(0, dtype=np.float32)), sparse.csr_matrix((0, 0), dtype=np.float32)
        try:
            counts = _counts(vectorizer, texts, fit=True)
        except ValueError:  # every text was empty
            return cls(kind, (), np.zeros(0, dtype=np.float32)), sparse.csr_matrix((len(texts), 0))
        vocabulary: tuple[str, ...] = ()
        if isinstance(vectorizer, CountVectorizer):  # columns are in vocabulary order
            vocabulary = tuple(str(name) for name in vectorizer.get_feature_names_out())
        df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
        idf = (np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0).astype(np.float32)
        return cls(kind, vocabulary, idf), _weigh(counts, idf)

    @cached_property
    def _counter(self) -> CountVectorizer | HashingVectorizer:
        return _vectorizer(self.kind, self.vocabulary)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if not len(self.idf):
            return sparse.csr_matrix((len(texts), 0), dtype=np.float32)
        counts = _counts(self._counter, texts, fit=False)
        return _weigh(counts, self.idf)


def rowwise_dot(
    left: sparse.csr_matrix,
    right: sparse.csr_matrix,
    left_rows: npt.NDArray[np.intp],
    right_rows: npt.NDArray[np.intp],
) -> FloatArray:
    """Cosine of ``left[left_rows[i]]`` with ``right[right_rows[i]]`` for every i (rows are unit length)."""
    if left.shape[1] == 0 or len(left_rows) == 0:
        return np.zeros(len(left_rows), dtype=np.float32)
    products = left[left_rows].multiply(right[right_rows])
    return np.asarray(products.sum(axis=1), dtype=np.float32).ravel()
