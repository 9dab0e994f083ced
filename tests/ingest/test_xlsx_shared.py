"""Every XLSX questionnaire under ``../shared/data/questionnaires`` parses with the count, numbering and
first/last question established by opening the file (``expected/<folder>-<name>.json``, with a note on
how each count was established)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ingest
from tests.shared_data import require_shared

EXPECTED = sorted(
    p for p in (Path(__file__).parent / "expected").glob("*.json") if not p.name.startswith("vsaq")
)


@pytest.mark.shared_data
@pytest.mark.parametrize("expected_path", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_shared_xlsx_questionnaire_matches_expected(expected_path: Path) -> None:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    path = require_shared("data", "questionnaires", *expected["file"].split("/"))
    result = ingest.parse(path)
    texts = [q.text for q in result.questions]
    assert result.reader == "xlsx"
    assert len(result.questions) == expected["question_count"], f"{expected['note']}; got {texts[:5]}..."
    assert [q.number for q in result.questions] == expected["numbers"]
    assert texts[0] == expected["first_text"]
    assert texts[-1] == expected["last_text"]


@pytest.mark.shared_data
def test_samm_answer_choices_come_from_named_ranges_on_hidden_sheets() -> None:
    path = require_shared("data", "questionnaires", "owasp-samm", "SAMM_spreadsheet.xlsx")
    first = ingest.parse(path).questions[0]
    assert first.location.sheet == "Interview" and first.location.cell == "F18"
    assert first.choices[0] == "No" and len(first.choices) == 4
    assert first.section == "Governance"


@pytest.mark.shared_data
def test_answer_type_codes_resolve_to_the_files_own_choices() -> None:
    path = require_shared("data", "questionnaires", "ciso-assistant", "cisa-vendor-scrm.xlsx")
    by_number = {q.number: q for q in ingest.parse(path).questions}
    assert by_number["2.1"].choices == ("Yes", "No", "Alternate", "N/A")
    assert by_number["2.1"].answer_type == "choice"
    assert by_number["2.1.1"].answer_type == "text"
    assert by_number["2.1"].location.cell == "I11", "answers go beside the code column, not over it"
