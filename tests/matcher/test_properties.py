"""Properties that hold for any question: scores in [0, 1], deterministic, independent of bank order."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import MatchIndex, Query, build_index, match
from tests.matcher.bank import BANK

WORDS = st.sampled_from(
    [
        "mfa",
        "2fa",
        "encryption",
        "backup",
        "at",
        "rest",
        "in",
        "transit",
        "vpn",
        "admin",
        "email",
        "laptop",
        "edr",
        "siem",
        "the",
        "of",
        "is",
        "do",
        "you",
        "and",
        "quarterly",
        "restore",
        "test",
        "policy",
        "vendor",
        "zz",
        "qqq",
        "4.2.1",
        "A&A-01.1",
        "colour",
        "organisation",
    ]
)
QUESTIONS = st.lists(WORDS, min_size=0, max_size=12).map(" ".join) | st.text(max_size=60)


@settings(max_examples=60, deadline=None)
@given(question=QUESTIONS)
def test_scores_are_in_unit_interval_and_sorted(index: MatchIndex, question: str) -> None:
    result = match(index, [question], top_k=10)[0]
    scores = [c.score for c in result.candidates]
    assert all(0.0 <= s <= 1.0 for s in scores), f"score outside [0, 1] for {question!r}: {scores}"
    assert scores == sorted(scores, reverse=True), f"candidates not best first for {question!r}: {scores}"
    assert result.band in ("auto", "review", "none"), f"unknown band {result.band!r}"
    assert [c.band for c in result.candidates[1:]].count("auto") == 0, "only the best candidate may be auto"


@settings(max_examples=30, deadline=None)
@given(question=QUESTIONS)
def test_matching_is_deterministic(index: MatchIndex, question: str) -> None:
    assert match(index, [question]) == match(index, [question]), f"two runs differ for {question!r}"


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_bank_order_does_not_change_the_ranking(seed: int) -> None:
    shuffled = list(BANK)
    random.Random(seed).shuffle(shuffled)
    questions = ["Is MFA enforced for email?", "Are backups encrypted?", "Do you have a BCP?", "SCIM?"]
    expected = [[(c.entry_key, c.score) for c in r.candidates] for r in match(build_index(BANK), questions)]
    got = [[(c.entry_key, c.score) for c in r.candidates] for r in match(build_index(shuffled), questions)]
    assert got == expected, f"bank order (seed {seed}) changed the ranking"


def test_batch_matches_one_by_one(index: MatchIndex) -> None:
    questions = ["Is MFA enforced for email?", Query("Are backups encrypted?", answer_type="yes_no"), "DLP?"]
    batch = match(index, questions)
    single = [match(index, [q])[0] for q in questions]
    assert batch == single, "matching a batch must equal matching each question alone"


@pytest.mark.parametrize("workers", [2, 3])
def test_matching_in_threads_gives_the_same_results_in_the_same_order(
    index: MatchIndex, workers: int
) -> None:
    questions = [
        "Is MFA enforced for email?",
        Query("Are backups encrypted?", answer_type="yes_no"),
        "DLP?",
        "Do you run annual penetration tests?",
        "How quickly are critical patches applied?",
        "Is there an incident response plan?",
        "Nothing about security at all here",
    ]
    assert match(index, questions, workers=workers) == match(index, questions)


def test_empty_bank_matches_nothing() -> None:
    result = match(build_index([]), ["Is MFA enforced?"])[0]
    assert result.band == "none" and result.candidates == (), f"an empty bank cannot match: {result}"


@settings(deadline=None)
@given(questions=st.lists(QUESTIONS, min_size=1, max_size=6), seed=st.integers(min_value=0, max_value=10_000))
def test_the_order_of_questions_in_a_batch_does_not_change_any_result(
    index: MatchIndex, questions: list[str], seed: int
) -> None:
    shuffled = list(enumerate(questions))
    random.Random(seed).shuffle(shuffled)
    in_order = match(index, questions)
    reordered = match(index, [q for _i, q in shuffled])
    by_position = {i: result for (i, _q), result in zip(shuffled, reordered, strict=True)}
    assert [by_position[i] for i in range(len(questions))] == in_order, (
        f"batch order changed results: {questions!r}"
    )


@settings(deadline=None)
@given(question=QUESTIONS, seed=st.integers(min_value=0, max_value=10_000))
def test_the_order_of_bank_entries_does_not_change_the_top_match(question: str, seed: int) -> None:
    shuffled = list(BANK)
    random.Random(seed).shuffle(shuffled)
    expected = match(build_index(BANK), [question])[0]
    got = match(build_index(shuffled), [question])[0]
    top = (expected.candidates[0].entry_key, expected.band) if expected.candidates else None
    assert ((got.candidates[0].entry_key, got.band) if got.candidates else None) == top, (
        f"bank order (seed {seed}) changed the top match for {question!r}"
    )
    assert all(0.0 <= c.score <= 1.0 for c in got.candidates)
