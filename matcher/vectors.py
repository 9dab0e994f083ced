"""TF-IDF without pickles: a fixed vocabulary, an idf vector and L2-normalised sparse rows.

scikit-learn's ``CountVectorizer`` counts; the weighting is done here so that an index can be
rebuilt from plain arrays (vocabulary list + idf) after :func:`matcher.serialise.index_from_bytes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from matcher.normalise import STOP_WORDS

FloatArray = npt.NDArray[np.float32]
WORD = "word"
CHAR = "char"

__all__ = ["CHAR", "STOP_WORDS", "WORD", "Vectors", "rowwise_dot"]



def _count_vectorizer(kind: str, vocabulary: Sequence[str] | None = None) -> CountVectorizer:
    vocab = {term: i for i, term in enumerate(vocabulary)} if vocabulary is not None else None
    if kind == WORD:
        return CountVectorizer(
            analyzer="word",
            token_pattern=r"\S+",
            lowercase=False,
            ngram_range=(1, 1),
            stop_words=sorted(STOP_WORDS),
            vocabulary=vocab,
            dtype=np.float32,
        )
    return CountVectorizer(
        analyzer="char_wb", lowercase=False, ngram_range=(3, 5), vocabulary=vocab, dtype=np.float32
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


@dataclass(frozen=True)
class Vectors:
    """A fitted vocabulary and idf for one analyzer (``word`` or ``char``)."""

    kind: str
    vocabulary: tuple[str, ...]
    idf: FloatArray

    @classmethod
    def fit(cls, kind: str, texts: Sequence[str]) -> tuple[Vectors, sparse.csr_matrix]:
        """Learn the vocabulary and idf from ``texts``; return them with the weighted matrix."""
        vectorizer = _count_vectorizer(kind)
        try:
            counts = sparse.csr_matrix(vectorizer.fit_transform(texts))
        except ValueError:  # every text was empty or only stop words
            return cls(kind, (), np.zeros(0, dtype=np.float32)), sparse.csr_matrix((len(texts), 0))
        names = vectorizer.get_feature_names_out()  # ordered by column index
        vocabulary = tuple(str(name) for name in names)
        df = np.bincount(counts.indices, minlength=len(vocabulary)).astype(np.float64)
        idf = (np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0).astype(np.float32)
        fitted = cls(kind, vocabulary, idf)
        return fitted, _weigh(counts, idf)

    @cached_property
    def _counter(self) -> CountVectorizer:
        return _count_vectorizer(self.kind, self.vocabulary)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if not self.vocabulary:
            return sparse.csr_matrix((len(texts), 0), dtype=np.float32)
        counts = sparse.csr_matrix(self._counter.transform(texts))
        return _weigh(counts, self.idf)


def rowwise_dot(
    left: sparse.csr_matrix, right: sparse.csr_matrix, left_rows: npt.NDArray[np.intp], right_rows: npt.NDArray[np.intp]
) -> FloatArray:
    """Cosine of ``left[left_rows[i]]`` with ``right[right_rows[i]]`` for every i (rows are unit length)."""
    if left.shape[1] == 0 or len(left_rows) == 0:
        return np.zeros(len(left_rows), dtype=np.float32)
    products = left[left_rows].multiply(right[right_rows])
    return np.asarray(products.sum(axis=1), dtype=np.float32).ravel()
