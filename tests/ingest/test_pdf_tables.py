"""Table grids -> questions (shared by PDF and Word tables): each step on small grids."""

from __future__ import annotations

import pytest

from ingest.model import Location, Question
from ingest.readers.pdf_tables import (
    Layout,
    checkboxes,
    find_layout,
    infer_yes_no,
    read_row,
    trailing_choices,
)

GRID: list[list[str | None]] = [
    ["Vendor Questions", "Vendor Questions", "Vendor Questions"],
    ["Company: ACME", None, None],
    ["Ref", "Control question", "Vendor response"],
    ["Identity", None, None],
    ["IAM-\n01", "Do you enforce MFA for\nadministrators?", "Yes"],
    [None, "and for all remote staff?", None],
    ["IAM-02", "Provide your password policy.", "☐ Attached ☒ Link"],
    ["End of table", None, None],
]


def test_find_layout_skips_merged_titles_and_finds_the_header_row() -> None:
    layout = find_layout(GRID)
    assert layout is not None
    assert (layout.header_row, layout.number_col, layout.question_col, layout.answer_col) == (2, 0, 1, 2)
    assert layout.answer_header == "Vendor response"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(3, ("banner", None, "Identity", None), id="banner"),
        pytest.param(
            4, ("question", "IAM-01", "Do you enforce MFA for administrators?", "Yes"), id="split-id"
        ),
        pytest.param(5, ("continuation", None, "and for all remote staff?", None), id="continuation"),
        pytest.param(6, ("question", "IAM-02", "Provide your password policy.", "Link"), id="checkboxes"),
        pytest.param(7, ("skip", None, "", None), id="end-of-table"),
    ],
)
def test_read_row_classifies_each_kind(row: int, expected: tuple[str, str | None, str, str | None]) -> None:
    layout = find_layout(GRID)
    assert layout is not None
    result = read_row(GRID[row], layout)
    assert (result.kind, result.number, result.text, result.answer) == expected


def test_layout_from_content_needs_question_like_text() -> None:
    grid: list[list[str | None]] = [
        ["1.1", "Do you patch servers monthly?", ""],
        ["1.2", "Is logging centralised?", ""],
    ]
    layout = find_layout(grid)
    assert layout == Layout(-1, 1, 2, 0)
    assert find_layout([["Revenue", "$10M"], ["Employees", "250"]]) is None


def test_number_prefix_in_the_text_is_used_without_a_number_column() -> None:
    layout = Layout(0, 0, 1, None, "Answer", ("Question", "Answer"))
    result = read_row(["4.2.1 Describe your key management.", ""], layout)
    assert (result.number, result.text, result.answer) == ("4.2.1", "Describe your key management.", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("☒ Yes ☐ No ☐ N/A", (("Yes", "No", "N/A"), "Yes")),
        ("☐ Yes ☐ No", (("Yes", "No"), None)),
        ("☑ Email, ☑ Phone, ☐ Post", (("Email", "Phone", "Post"), "Email, Phone")),
        ("Yes", None),
    ],
)
def test_checkboxes(text: str, expected: tuple[tuple[str, ...], str | None] | None) -> None:
    assert checkboxes(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Do you have a CISO? ☒ Yes ☐ No", ("Do you have a CISO?", ("Yes", "No"), "Yes")),
        ("Do you scan for malware? Yes No N/A", ("Do you scan for malware?", ("Yes", "No", "N/A"), None)),
        (
            "Name the people who say yes no matter what",
            ("Name the people who say yes no matter what", (), None),
        ),
        ("Say yes no", ("Say yes no", (), None)),
    ],
)
def test_trailing_choices(text: str, expected: tuple[str, tuple[str, ...], str | None]) -> None:
    assert trailing_choices(text) == expected


def answered(ref: str, answer: str | None) -> Question:
    return Question(ref, ref, None, f"Question {ref}?", "text", (), Location(kind="pdf_box"), answer)


def test_infer_yes_no_from_a_filled_in_column_keeps_free_text_answers() -> None:
    questions = [
        answered("1", "Yes"),
        answered("2", "NO"),
        answered("3", "N/A"),
        answered("4", "AES-256"),
        answered("5", None),
    ]
    result = infer_yes_no(questions)
    assert [(q.answer_type, q.choices) for q in result] == [
        ("yes_no", ("Yes", "NO", "N/A")),
        ("yes_no", ("Yes", "NO", "N/A")),
        ("yes_no", ("Yes", "NO", "N/A")),
        ("text", ()),
        ("text", ()),
    ]


def test_infer_yes_no_needs_enough_yes_no_answers() -> None:
    questions = [answered("1", "Yes"), answered("2", "No"), answered("3", "Quarterly"), answered("4", "AWS")]
    assert infer_yes_no(questions) == questions
