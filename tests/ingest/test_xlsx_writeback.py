"""Write-back: parse(fill(file, answers)) returns those answers as ``existing_answer``, and every part of
the workbook that holds no answer is unchanged (other zip members byte for byte, other cells by value,
x14 validations, defined names, merged ranges, hidden sheets, column widths, formulas)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

import ingest
from core.errors import ValidationError
from ingest.model import Location, Question
from tests.shared_data import require_shared

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
# openpyxl (used here only to inspect results) warns that it cannot keep x14 validations
pytestmark = pytest.mark.filterwarnings("ignore:Data Validation extension is not supported:UserWarning")
XLSX_SAMPLES = sorted(SAMPLES.glob("sheet_*.xlsx"))


def some_answers(questions: list[Question]) -> dict[str, str]:
    answers = {}
    for i, q in enumerate(questions):
        answers[q.ref] = q.choices[i % len(q.choices)] if q.choices else f"Answer {i}: see policy §{i}"
    return answers


def cells_by_value(path: Path) -> dict[tuple[str, str], object]:
    wb = openpyxl.load_workbook(path)
    # array formulas are objects without equality: compare their text
    return {
        (ws.title, c.coordinate): getattr(c.value, "text", c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
    }


def answer_cells(questions: list[Question]) -> set[tuple[str, str]]:
    cells = set()
    for q in questions:
        sheet = q.location.sheet or ""
        refs = list(q.location.columns.values()) if q.location.columns else [q.location.cell or ""]
        cells.update((sheet, ref) for ref in refs)
    return cells


def round_trip(src: Path, tmp_path: Path) -> tuple[list[Question], dict[str, str], Path]:
    questions = ingest.parse(src).questions
    answers = some_answers(questions)
    out = ingest.fill(src, questions, answers, tmp_path / f"filled-{src.name}")
    return questions, answers, out


def assert_round_trip(src: Path, tmp_path: Path) -> None:
    questions, answers, out = round_trip(src, tmp_path)
    again = {q.ref: q.existing_answer for q in ingest.parse(out).questions}
    assert again == answers
    before, after = cells_by_value(src), cells_by_value(out)
    touched = answer_cells(questions)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed <= touched, f"cells changed that hold no answer: {sorted(changed - touched)[:5]}"
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        sheet_parts = {n for n in a.namelist() if n.startswith("xl/worksheets/sheet")}
        for name in set(a.namelist()) - sheet_parts:
            assert a.read(name) == b.read(name), f"{name} changed"


@pytest.mark.parametrize("src", XLSX_SAMPLES, ids=[p.stem for p in XLSX_SAMPLES])
def test_sample_round_trips(src: Path, tmp_path: Path) -> None:
    assert_round_trip(src, tmp_path)


SHARED = [
    "owasp-samm/SAMM_spreadsheet.xlsx",
    "ciso-assistant/cisa-vendor-scrm.xlsx",
    "ciso-assistant/questionnaire.xlsx",
    "layout-only/sample_questionnaire.xlsx",
    "layout-only/sample_questionnaire_with_headers_and_blanks.xlsx",
]


@pytest.mark.shared_data
@pytest.mark.parametrize("relative", SHARED)
def test_shared_questionnaire_round_trips(relative: str, tmp_path: Path) -> None:
    assert_round_trip(require_shared("data", "questionnaires", *relative.split("/")), tmp_path)


def test_x14_validation_defined_names_widths_and_formulas_survive(tmp_path: Path) -> None:
    src = SAMPLES / "sheet_x14_validation.xlsx"
    _, _, out = round_trip(src, tmp_path)
    with zipfile.ZipFile(out) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<x14:dataValidation " in sheet and "<xm:f>AnswerChoices</xm:f>" in sheet
    wb = openpyxl.load_workbook(out)
    assert "AnswerChoices" in wb.defined_names
    assert wb["Lists"].sheet_state == "hidden"
    assert wb["Security"].column_dimensions["B"].width == 70
    assert {str(r) for r in wb["Security"].merged_cells.ranges} == {"A5:E5", "A8:E8"}
    assert wb["Security"]["E6"].value == "=LEN(B6)"


def test_yes_no_goes_into_the_x_column_of_the_chosen_answer(tmp_path: Path) -> None:
    src = SAMPLES / "sheet_x_columns.xlsx"
    questions = ingest.parse(src).questions
    out = ingest.fill(
        src, questions, {questions[0].ref: "no", questions[1].ref: "N/A"}, tmp_path / "out.xlsx"
    )
    ws = openpyxl.load_workbook(out)["Checklist"]
    assert [ws[c].value for c in ("D2", "E2", "F2")] == [None, "x", None], "the old x under Yes is cleared"
    assert [ws[c].value for c in ("D3", "E3", "F3")] == [None, None, "x"]


def test_yes_is_written_in_the_files_own_wording(tmp_path: Path) -> None:
    src = SAMPLES / "sheet_x14_validation.xlsx"
    questions = ingest.parse(src).questions
    out = ingest.fill(src, questions, {questions[0].ref: "YES"}, tmp_path / "out.xlsx")
    assert openpyxl.load_workbook(out)["Security"]["D6"].value == "Yes"


def test_formula_like_answers_are_stored_as_text(tmp_path: Path) -> None:
    src = SAMPLES / "sheet_duplicate_tabs.xlsx"
    questions = ingest.parse(src).questions
    out = ingest.fill(
        src, questions, {questions[0].ref: '=HYPERLINK("http://evil","x")'}, tmp_path / "o.xlsx"
    )
    cell = openpyxl.load_workbook(out)["Summary"]["C2"]
    assert cell.data_type != "f" and cell.value == '=HYPERLINK("http://evil","x")'


def test_answer_outside_the_x_columns_is_refused(tmp_path: Path) -> None:
    src = SAMPLES / "sheet_x_columns.xlsx"
    questions = ingest.parse(src).questions
    with pytest.raises(ValidationError, match="none of Yes, No, N/A"):
        ingest.fill(src, questions, {questions[0].ref: "Maybe"}, tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.shared_data
def test_answer_over_a_formula_drops_the_calculation_chain(tmp_path: Path) -> None:
    src = require_shared("data", "questionnaires", "layout-only", "sample_questionnaire.xlsx")
    target = Question(
        ref="Dashboard!A1",
        number=None,
        section=None,
        text="(a formula cell)",
        answer_type="text",
        choices=(),
        location=Location(kind="cell", sheet="Dashboard", cell="B1"),
    )
    out = ingest.fill(src, [target], {"Dashboard!A1": "42 answers"}, tmp_path / "out.xlsx")
    with zipfile.ZipFile(out) as zf:
        assert "xl/calcChain.xml" not in zf.namelist()
        assert b"calcChain" not in zf.read("[Content_Types].xml") + zf.read("xl/_rels/workbook.xml.rels")
    assert openpyxl.load_workbook(out)["Dashboard"]["B1"].value == "42 answers"
    untouched = ingest.fill(src, [], {}, tmp_path / "same.xlsx")
    with zipfile.ZipFile(untouched) as zf:
        assert "xl/calcChain.xml" in zf.namelist(), "no formula replaced: the chain stays"
