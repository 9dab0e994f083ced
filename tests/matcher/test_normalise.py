"""The normalise and expand steps, each on its own."""

from __future__ import annotations

import pytest

from core.errors import ValidationError
from matcher import Thesaurus, load_default_thesaurus
from matcher.normalise import normalise
from matcher.stem import stem_tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("4.2.1 Is MFA used?", "is mfa used", id="dotted-number"),
        pytest.param("A&A-01.1 Is MFA used?", "is mfa used", id="control-style-number"),
        pytest.param("1.a) Is MFA used?", "is mfa used", id="number-and-letter"),
        pytest.param("(b) Is MFA used?", "is mfa used", id="letter-in-brackets"),
        pytest.param(
            "Does the organisation prioritise risks?", "does the organization prioritize risks", id="british"
        ),
        pytest.param("Is the programme licence valid?", "is the program license valid", id="british-words"),
        pytest.param("Do you exercise the plan?", "do you exercise the plan", id="exercise-not-americanized"),
        pytest.param(
            "Are laptops returned to the comapny?", "are laptops returned to the company", id="typo"
        ),
        pytest.param("Do you have E&O insurance?", "do you have eo insurance", id="ampersand-acronym"),
        pytest.param("Résumé checks?", "resume checks", id="accents"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected, f"normalise({raw!r}) should be {expected!r}"


@pytest.mark.parametrize(
    ("text", "family"),
    [
        pytest.param("two-factor authentication", "mfa", id="mfa-hyphen"),
        pytest.param("Multi Factor", "mfa", id="mfa-case"),
        pytest.param("XDR", "edr", id="xdr"),
        pytest.param("penetration testing", "pentest", id="pen-testing"),
        pytest.param("RPO", "rto_rpo", id="rpo"),
        pytest.param("ePHI", "phi", id="ephi"),
    ],
)
def test_thesaurus_finds_family(text: str, family: str) -> None:
    expansion = load_default_thesaurus().expand(stem_tokens(normalise(text).split()))
    assert family in expansion.concepts, (
        f"{text!r} should expand to {family}, got {sorted(expansion.concepts)}"
    )


def _concepts(thesaurus: Thesaurus, text: str) -> frozenset[str]:
    return thesaurus.expand(stem_tokens(normalise(text).split())).concepts


def test_thesaurus_extended_with_organisation_terms() -> None:
    thesaurus = load_default_thesaurus().extended({"mfa": ["Duo Push"], "Northwind Portal": ["NW portal"]})
    assert "mfa" in _concepts(thesaurus, "duo push"), "an added term joins an existing family"
    assert "northwind_portal" in _concepts(thesaurus, "the nw portal"), "a new family is created"
    assert "northwind_portal" in _concepts(thesaurus, "Northwind portal"), "a new family's name is a term"
    assert "mfa" not in _concepts(load_default_thesaurus(), "duo push"), "the default must not change"


def test_thesaurus_extension_refuses_a_bare_string() -> None:
    with pytest.raises(ValidationError, match="list of terms"):
        load_default_thesaurus().extended({"mfa": "duo"})  # type: ignore[dict-item]
