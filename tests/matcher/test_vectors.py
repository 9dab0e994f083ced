"""The character n-gram counts built word by word equal scikit-learn's own count of whole texts."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from matcher.vectors import CHAR, Vectors, _char_counts, _vectorizer

TEXTS = [
    "do you enforce multi factor authentication for all remote access",
    "mfa mfa mfa",
    "a",
    "",
    "ab  c\td",
    "resume of the backup restore test",
    "encryption at rest and encryption in transit",
]


def test_word_by_word_char_counts_equal_whole_text_hashing() -> None:
    hasher = _vectorizer(CHAR)
    expected = sparse.csr_matrix(hasher.transform(TEXTS))
    got = _char_counts(hasher, TEXTS)
    assert got.shape == expected.shape
    assert abs(got - expected).max() == 0
    assert got.nnz == expected.nnz


def test_char_counts_of_only_empty_texts_are_all_zero() -> None:
    got = _char_counts(_vectorizer(CHAR), ["", "  "])
    assert got.shape[0] == 2 and got.nnz == 0


def test_char_vectors_of_a_query_equal_the_fitted_row_for_the_same_text() -> None:
    vectors, rows = Vectors.fit(CHAR, TEXTS)
    again = vectors.transform(TEXTS[:2])
    assert np.allclose(again.toarray(), rows[:2].toarray())
