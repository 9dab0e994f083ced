"""Every family of the shipped thesaurus, generated: one term in the bank, another in the question."""

from __future__ import annotations

import pytest

from matcher import BankItem, Query, build_index, load_default_thesaurus, match
from matcher.stem import normalised_stems

THESAURUS = load_default_thesaurus()


def _stems(term: str) -> tuple[str, ...]:
    return tuple(normalised_stems(term)[1])


def _two_terms(terms: tuple[str, ...]) -> tuple[str, str] | None:
    """Two terms of a family that share no stem, so only the family links them."""
    for first in terms:
        for second in terms:
            if first != second and not set(_stems(first)) & set(_stems(second)) and _stems(second):
                return first, second
    return None


PAIRS = {
    name: pair
    for name, terms in sorted(THESAURUS.families.items())
    if (pair := _two_terms(terms)) is not None
}
BANK = [
    BankItem(key=name, question=f"Describe {first}.", short_answer=None) for name, (first, _) in PAIRS.items()
]
INDEX = build_index(BANK)


def _families_of(term: str) -> set[str]:
    """Every family the term names, including those of the words inside it (``notify customers``)."""
    tokens, stems = normalised_stems(term)
    return set(THESAURUS.expand(stems, surface=tokens).concepts)


def test_most_families_have_two_unrelated_terms() -> None:
    assert len(PAIRS) >= 0.9 * len(THESAURUS.families), (
        f"only {len(PAIRS)} of {len(THESAURUS.families)} families have two terms without a shared word"
    )


@pytest.mark.parametrize("family", [pytest.param(name, id=name) for name in PAIRS])
def test_question_using_another_term_of_the_family_finds_its_entry(family: str) -> None:
    """The family's entry is in the top three, linked by the family; usually it is first.

    A literal word shared with another entry (``identity provider`` vs ``cloud provider``) may still
    outrank it in this bank of two-word entries, so first place is checked across the whole table below.
    """
    _, second = PAIRS[family]
    result = match(INDEX, [Query(f"Describe {second}.", answer_type="text")], top_k=3)[0]
    found = {c.entry_key: c for c in result.candidates}
    assert family in found, (
        f"{second!r} should find the entry of family {family!r} through the thesaurus; got "
        f"{[(c.entry_key, round(c.score, 3)) for c in result.candidates]}"
    )
    assert family in found[family].reasons["thesaurus_families"], found[family].reasons  # type: ignore[operator]


def test_another_term_of_the_family_ranks_its_entry_first_for_nearly_every_family() -> None:
    questions = [Query(f"Describe {second}.", answer_type="text") for _, second in PAIRS.values()]
    results = match(INDEX, questions, top_k=1)
    wrong = [
        (second, result.candidates[0].entry_key)
        for (_, second), result in zip(PAIRS.values(), results, strict=True)
        if result.candidates[0].entry_key not in _families_of(second)
    ]
    assert len(wrong) <= 0.05 * len(PAIRS), f"{len(wrong)} of {len(PAIRS)} families lost first place: {wrong}"
