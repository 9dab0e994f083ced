"""The optional semantic signal: plumbing with a stand-in encoder always, the real model when installed."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pytest

from core.errors import ConfigError
from matcher import (
    DEFAULT_THRESHOLDS,
    MatchIndex,
    build_index,
    content_hash,
    index_from_bytes,
    index_to_bytes,
    match,
    semantic,
)
from matcher.match import DEFAULT_SEMANTIC_THRESHOLDS
from tests.matcher.bank import BANK

HAVE_EXTRA = semantic.available()
needs_extra = pytest.mark.skipif(
    not HAVE_EXTRA, reason="semantic extra not installed (pip install 'trustdesk[semantic]')"
)


def fake_embed(texts: Sequence[str]) -> np.ndarray:
    """Deterministic unit vectors from hashed words: similar wording, similar vector (no model)."""
    out = np.zeros((len(texts), semantic.DIMENSION), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().split():
            out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % semantic.DIMENSION] += 1.0
    return semantic.unit_rows(out)


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(semantic, "embed", fake_embed)


def test_default_index_has_no_embeddings_and_no_semantic_reason(index: MatchIndex) -> None:
    result = match(index, ["Is 2FA required for webmail?"])[0]
    assert index.semantic_rows is None, "the default build must not embed anything"
    assert "semantic" not in result.candidates[0].reasons


def test_missing_extra_raises_config_error_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise ImportError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(semantic, "import_module", missing)
    semantic.default_encoder.cache_clear()
    try:
        with pytest.raises(ConfigError, match=r"pip install 'trustdesk\[semantic\]'"):
            build_index(BANK, semantic=True)
        assert not semantic.available()
    finally:
        semantic.default_encoder.cache_clear()


@pytest.mark.usefixtures("fake_model")
def test_semantic_index_stores_one_unit_vector_per_phrasing() -> None:
    built = build_index(BANK, semantic=True)
    assert built.semantic_rows is not None
    assert built.semantic_rows.shape == (len(built.row_entry), semantic.DIMENSION)
    assert np.allclose(np.linalg.norm(built.semantic_rows, axis=1), 1.0, atol=1e-5)


@pytest.mark.usefixtures("fake_model")
def test_semantic_reason_is_reported_and_semantic_thresholds_apply() -> None:
    built = build_index(BANK, semantic=True)
    result = match(built, ["Is multi-factor authentication enforced on corporate email accounts?"])[0]
    top = result.candidates[0]
    assert top.entry_key == "MFA-MAIL"
    assert isinstance(top.reasons["semantic"], float) and 0.0 <= top.reasons["semantic"] <= 1.0
    assert DEFAULT_SEMANTIC_THRESHOLDS != DEFAULT_THRESHOLDS
    assert top.band == "auto", f"an exact phrasing should be auto under {DEFAULT_SEMANTIC_THRESHOLDS}"


@pytest.mark.usefixtures("fake_model")
def test_semantic_index_round_trips_through_bytes() -> None:
    built = build_index(BANK, semantic=True)
    loaded = index_from_bytes(index_to_bytes(built), expected_hash=content_hash(BANK))
    assert loaded.semantic_rows is not None and built.semantic_rows is not None
    assert np.array_equal(loaded.semantic_rows, built.semantic_rows)
    questions = ["Do you sign a BAA?", "Are backups encrypted?"]
    assert match(loaded, questions) == match(built, questions)


def test_pair_similarity_scores_only_the_given_pairs() -> None:
    queries = semantic.unit_rows(np.asarray([[1.0, 0.0], [0.0, 1.0]]))
    rows = semantic.unit_rows(np.asarray([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]]))
    got = semantic.pair_similarity(queries, rows, np.asarray([0, 1, 0]), np.asarray([0, 1, 2]))
    assert np.allclose(got, [1.0, np.sqrt(0.5), 0.0]), "cosine per pair, negatives clipped to 0"


@pytest.fixture(scope="module")
def semantic_index() -> MatchIndex:
    return build_index(BANK, semantic=True)


@needs_extra
def test_real_model_embeds_paraphrases_closer_than_other_topics() -> None:
    vectors = semantic.embed(
        ["Is data encrypted at rest?", "Are stored records encrypted on disk?", "Do you run phishing drills?"]
    )
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.2


@needs_extra
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param("Is 2FA turned on for webmail?", "MFA-MAIL", id="mfa-mail"),
        pytest.param("Is data encrypted while stored in your databases?", "ENC-REST", id="at-rest"),
        pytest.param("Do you enforce TLS on public endpoints?", "ENC-TRANSIT", id="in-transit"),
    ],
)
def test_real_model_keeps_the_right_entry_first(
    semantic_index: MatchIndex, question: str, expected: str
) -> None:
    result = match(semantic_index, [question], top_k=3)[0]
    ranked = ", ".join(f"{c.entry_key} {c.score:.3f} sem={c.reasons['semantic']}" for c in result.candidates)
    assert result.candidates[0].entry_key == expected, (
        f"{question!r} should rank {expected} first; got [{ranked}]"
    )
