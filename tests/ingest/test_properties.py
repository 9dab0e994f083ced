"""Properties that must hold for any text: the helpers never fail, and any answer can be written."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import text as tx
from ingest.writers.xlsx import set_cells

SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>'
)


@given(st.text(max_size=300))
def test_split_number_keeps_the_text_after_the_number(raw: str) -> None:
    number, rest = tx.split_number(raw)
    cleaned = tx.clean_text(raw)
    assert cleaned.endswith(rest)
    assert number is None or tx.is_number(number) or number in cleaned


@given(st.text(max_size=300))
def test_classifiers_accept_any_text(raw: str) -> None:
    assert isinstance(tx.is_question_text(raw), bool)
    assert isinstance(tx.is_noise(raw), bool)
    assert tx.match_choice(raw, ("Yes", "No")) in ("Yes", "No", raw)


@settings(max_examples=60)
@given(st.text(max_size=200), st.sampled_from(["A1", "B2", "C3", "A2"]))
def test_any_answer_can_be_written_into_a_sheet(answer: str, ref: str) -> None:
    out = set_cells(SHEET, {ref: answer}, where="sheet1.xml")
    assert out.startswith(b"<?xml") and b"</worksheet>" in out
    if answer.strip():
        assert f'r="{ref}"'.encode() in out
