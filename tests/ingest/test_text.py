"""The shared text helpers: numbering prefixes, questions versus noise, yes/no choices."""

from __future__ import annotations

import pytest

from ingest import text as tx


@pytest.mark.parametrize(
    ("raw", "number", "rest"),
    [
        pytest.param("A&A-01.1 Do you use standards?", "A&A-01.1", "Do you use standards?", id="caiq-id"),
        pytest.param("4.2.1 Describe your backups", "4.2.1", "Describe your backups", id="dotted"),
        pytest.param("1.a Is it managed?", "1.a", "Is it managed?", id="letter-suffix"),
        pytest.param("GNRL-01: Do you have a CISO?", "GNRL-01", "Do you have a CISO?", id="hecvat-id"),
        pytest.param("G-SM-A-1-1 Do you plan?", "G-SM-A-1-1", "Do you plan?", id="samm-id"),
        pytest.param("12) Provide a diagram", "12", "Provide a diagram", id="paren"),
        pytest.param("Do you encrypt data?", None, "Do you encrypt data?", id="no-number-keeps-first-word"),
        pytest.param("Describe the\n  process", None, "Describe the process", id="lines-joined"),
    ],
)
def test_split_number_separates_the_printed_number(raw: str, number: str | None, rest: str) -> None:
    assert tx.split_number(raw) == (number, rest)


def test_normalize_number_rejoins_ids_split_by_narrow_columns() -> None:
    assert tx.normalize_number("A&A- 01.1") == "A&A-01.1"
    assert tx.normalize_number("1.a ") == "1.a"


@pytest.mark.parametrize(
    "text",
    [
        "Do you encrypt data at rest?",
        "Describe your incident response process.",
        "Provide the date of your last penetration test",
        "Confirm that backups are encrypted",
        "List all subprocessors with access to customer data",
        "Specify the regions where data is stored",
        "¿Están definidos los roles de seguridad?",
        "Décrivez la gestion des clés",
    ],
)
def test_questions_and_statements_are_questions(text: str) -> None:
    assert tx.is_question_text(text), text


@pytest.mark.parametrize(
    "text",
    [
        "© 2026 Example Corp. All rights reserved.",
        "Copyright 2025 Example",
        "End of table",
        "Page 3 of 12",
        "Instructions: answer every question in column D.",
        "Please complete the questionnaire and return it to procurement.",
        "<Customer name 1>",
        "Access Control",
    ],
)
def test_footers_instructions_and_headings_are_not_questions(text: str) -> None:
    assert not tx.is_question_text(text), text


def test_yes_no_is_recognised_in_the_files_own_language() -> None:
    assert tx.is_yes_no(("Yes", "No", "N/A"))
    assert tx.is_yes_no(("Sí", "No"))
    assert not tx.is_yes_no(("Yes", "No", "Alternate", "N/A"))
    assert tx.answer_type_for(("Yes", "No")) == "yes_no"
    assert tx.answer_type_for((), "Date of last test") == "date"


def test_answers_are_mapped_onto_the_files_own_wording() -> None:
    assert tx.match_choice("yes", ("Si", "No", "Parcial", "N/A")) == "Si"
    assert tx.match_choice("n/a", ("Yes", "No", "Not applicable")) == "Not applicable"
    assert tx.match_choice("Parcial", ("Si", "No", "Parcial")) == "Parcial"
    assert tx.match_choice("Free text", ()) == "Free text"


def test_inline_choices_after_the_question() -> None:
    assert tx.inline_choices("Is MFA enforced? (Yes/No/N/A)") == ("Yes", "No", "N/A")
    assert tx.inline_choices("Which regions (EU/US)?") == ()


@pytest.mark.parametrize(
    "text", ["Select...", "Please select", "Choose an item.", "Click or tap here to enter text."]
)
def test_answer_placeholders_are_not_answers(text: str) -> None:
    assert tx.is_noise(text)


def test_required_markers_and_bullets_do_not_hide_a_question() -> None:
    assert tx.is_question_text("* Describe your SDLC")
    assert tx.is_question_text("• Provide the policy document")
