"""Word and PDF layouts of real forms: form controls as answer locations, two-column label | value
tables, question tables nested in a layout table. Each on a sample from ``make_layout_samples``."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

import ingest
from ingest.model import Question
from tests.samples import make_layout_samples

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
NAMES = ["layout_form_fields.docx", "layout_label_value.docx", "layout_label_value.pdf", "layout_nested.docx"]


def parse(name: str | Path) -> list[Question]:
    return ingest.parse(SAMPLES / name if isinstance(name, str) else name).questions


def document_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("word/document.xml").decode()


def test_layout_samples_are_what_the_script_writes(tmp_path: Path) -> None:
    made = make_layout_samples.main(tmp_path)
    assert sorted(p.name for p in made) == sorted(NAMES)
    stale = [p.name for p in made if p.read_bytes() != (SAMPLES / p.name).read_bytes()]
    assert not stale, f"run `.venv/bin/python -m tests.samples.make_layout_samples`; stale: {stale}"
    assert all(p.stat().st_size < 64_000 for p in made)


def test_form_controls_are_answer_locations_with_their_own_choices() -> None:
    found = parse("layout_form_fields.docx")
    assert [(q.number, q.text, q.answer_type, q.choices, q.existing_answer) for q in found] == [
        (None, "Company name", "text", (), None),  # FORMTEXT after a label
        (None, "Security contact e-mail", "text", (), None),  # plain-text content control, placeholder
        ("1", "Do you have a dedicated CISO?", "yes_no", ("Yes", "No"), None),  # two FORMCHECKBOXes
        ("2", "Is customer data encrypted at rest?", "yes_no", ("Yes", "No", "N/A"), None),  # dropDownList
        ("3", "Do you run a bug bounty programme?", "yes_no", ("Yes", "No"), None),  # w14 check boxes
        ("4", "Which regions host customer data?", "choice", ("EU", "US", "EU and US"), None),  # FORMDROPDOWN
        ("5", "Describe your patching timelines.", "text", (), None),  # FORMTEXT in a cell
        (
            "6",
            "How often are backups restored in a test?",
            "choice",
            ("Monthly", "Quarterly", "Yearly"),
            None,
        ),
    ]
    assert [q.location.kind for q in found] == ["docx_paragraph"] * 3 + ["docx_cell"] * 4 + ["docx_paragraph"]


ANSWERS = {
    "Company name": ("Acme Ltd", "Acme Ltd"),
    "Security contact e-mail": ("security@acme.example", "security@acme.example"),
    "Do you have a dedicated CISO?": ("yes", "Yes"),
    "Is customer data encrypted at rest?": ("no", "No"),
    "Do you run a bug bounty programme?": ("Yes", "Yes"),
    "Which regions host customer data?": ("EU and US", "EU and US"),
    "Describe your patching timelines.": ("Critical fixes within 14 days.", "Critical fixes within 14 days."),
    "How often are backups restored in a test?": ("quarterly", "Quarterly"),
}


def test_form_controls_are_filled_in_place_and_read_back(tmp_path: Path) -> None:
    src = SAMPLES / "layout_form_fields.docx"
    found = parse("layout_form_fields.docx")
    out = ingest.fill(src, found, {q.ref: ANSWERS[q.text][0] for q in found}, tmp_path / "filled.docx")
    again = parse(out)
    assert [(q.text, q.existing_answer) for q in again] == [(q.text, ANSWERS[q.text][1]) for q in found]
    before, after = document_xml(src), document_xml(out)
    for mark in ('w:fldCharType="begin"', 'w:fldCharType="separate"', 'w:fldCharType="end"', "<w:sdt>"):
        assert after.count(mark) == before.count(mark), f"{mark} count changed: a control was broken"
    assert after.count('<w:checked w:val="1"/>') == 1  # the legacy "Yes" box of question 1
    assert after.count('<w14:checked w14:val="1"/>') == 2  # question 3's "Yes", question 6's "Quarterly"
    assert "showingPlcHdr" not in after  # both placeholders replaced by answers
    paragraphs = [p.text for p in docx.Document(str(out)).paragraphs]
    assert len(paragraphs) == len(docx.Document(str(src)).paragraphs), "answers went into the controls"


def test_refilling_form_controls_replaces_the_answers(tmp_path: Path) -> None:
    src = SAMPLES / "layout_form_fields.docx"
    found = parse("layout_form_fields.docx")
    first = ingest.fill(src, found, {q.ref: ANSWERS[q.text][0] for q in found}, tmp_path / "one.docx")
    by_text = {q.text: q.ref for q in found}
    changes = {
        by_text["Do you have a dedicated CISO?"]: "No",
        by_text["Do you run a bug bounty programme?"]: "No",
        by_text["Which regions host customer data?"]: "US",
        by_text["Company name"]: "Acme Group plc",
        by_text["How often are backups restored in a test?"]: "Yearly",
    }
    second = ingest.fill(first, parse(first), changes, tmp_path / "two.docx")
    again = {q.ref: q.existing_answer for q in parse(second)}
    assert {ref: again[ref] for ref in changes} == changes
    assert again[by_text["Is customer data encrypted at rest?"]] == "No"  # untouched answer kept


@pytest.mark.parametrize("name", ["layout_label_value.docx", "layout_label_value.pdf"])
def test_two_column_label_value_table_asks_every_label(name: str) -> None:
    found = parse(name)
    assert [q.text for q in found] == [label.rstrip(":") for label, _ in make_layout_samples.LABELS]
    assert [q.existing_answer for q in found] == [None, "1 Example Street, Leeds", None, None, None]
    assert all(q.location.kind in ("docx_cell", "pdf_box") for q in found)


def test_label_value_docx_answers_go_into_the_value_cells(tmp_path: Path) -> None:
    src = SAMPLES / "layout_label_value.docx"
    found = parse("layout_label_value.docx")
    assert found[3].choices == ("Yes", "No")
    answers = {found[0].ref: "Acme Ltd", found[2].ref: "120", found[3].ref: "Yes"}
    out = ingest.fill(src, found, answers, tmp_path / "filled.docx")
    again = parse(out)
    assert [q.existing_answer for q in again] == ["Acme Ltd", "1 Example Street, Leeds", "120", "Yes", None]
    table = docx.Document(str(out)).tables[0]
    assert [table.cell(r, 0).text for r in range(5)] == [label for label, _ in make_layout_samples.LABELS]
    assert table.cell(3, 1).text == "☒ Yes ☐ No"


def test_glossary_of_two_columns_is_not_a_form(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=0, cols=2)
    for term, meaning in [
        ("Customer data", "Any information the customer uploads to the service, including personal data."),
        ("Subprocessor", "A third party that processes customer data on the vendor's behalf."),
        ("Incident", "An event that compromises the confidentiality, integrity or availability of data."),
    ]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = term, meaning
    path = tmp_path / "glossary.docx"
    document.save(str(path))
    assert parse(path) == []


def test_question_tables_nested_in_a_layout_table_are_read_with_their_titles(tmp_path: Path) -> None:
    found = parse("layout_nested.docx")
    expected = [
        (number, text, title) for title, items in make_layout_samples.NESTED for number, text in items
    ]
    assert [(q.number, q.text, q.section) for q in found] == expected
    src = SAMPLES / "layout_nested.docx"
    answers = {q.ref: f"Answer {q.number}" for q in found}
    out = ingest.fill(src, found, answers, tmp_path / "filled.docx")
    assert [(q.number, q.existing_answer) for q in parse(out)] == [(q.number, answers[q.ref]) for q in found]
    outer = docx.Document(str(out)).tables[0]
    assert outer.cell(0, 0).tables[0].cell(1, 2).text == "Answer A.1"


def test_yes_no_na_columns_marked_with_an_x_under_a_two_row_header(tmp_path: Path) -> None:
    """CAIQ v3 as a Word table: "Consensus Assessment Answers" over Yes | No | Not Applicable; the
    answer is the column holding the X, and write-back moves the X."""
    document = docx.Document()
    table = document.add_table(rows=4, cols=6)
    rows = [
        [
            "Control ID",
            "Question ID",
            "Consensus Assessment Questions",
            "Consensus Assessment Answers",
            "",
            "",
        ],
        ["", "", "", "Yes", "No", "Not Applicable"],
        ["DSI-01", "DSI-01.1", "Do you classify data by sensitivity?", "X", "", ""],
        ["DSI-01", "DSI-01.2", "Do you label data according to its classification?", "", "", ""],
    ]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    src = tmp_path / "caiq3.docx"
    document.save(str(src))
    found = parse(src)
    assert [(q.number, q.choices, q.existing_answer) for q in found] == [
        ("DSI-01.1", ("Yes", "No", "Not Applicable"), "Yes"),
        ("DSI-01.2", ("Yes", "No", "Not Applicable"), None),
    ]
    out = ingest.fill(src, found, {found[0].ref: "n/a", found[1].ref: "no"}, tmp_path / "out.docx")
    assert [q.existing_answer for q in parse(out)] == ["Not Applicable", "No"]
    cells = docx.Document(str(out)).tables[0]
    assert [cells.cell(2, c).text for c in (3, 4, 5)] == ["", "", "X"]
