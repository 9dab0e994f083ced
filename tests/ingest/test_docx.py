"""DOCX reader and writer on the project's samples and on small documents built here."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from core.errors import CorruptFile, InputFileError, UnsupportedFormat
from ingest.limits import Limits
from ingest.readers import docx as reader
from ingest.readers.docx_numbering import Numbering, format_number
from ingest.writers import docx as writer
from tests.samples.make_samples import SECTIONS, questions

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
EXPECTED = [(number, text) for _, number, text in questions()]
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def read(path: Path) -> list[reader.Question]:
    return reader.read(path, limits=Limits()).questions


@pytest.mark.parametrize("name", ["vendor_table.docx", "vendor_numbered.docx"])
def test_docx_sample_yields_the_twelve_questions_with_sections(name: str) -> None:
    result = reader.read(SAMPLES / name, limits=Limits())
    assert [(q.number, q.text) for q in result.questions] == EXPECTED
    assert result.sections == [title for title, _ in SECTIONS]
    assert [q.section for q in result.questions] == [section for section, _, _ in questions()]
    kinds = {q.number: q.answer_type for q in result.questions}
    assert kinds["1.1"] == "yes_no" and kinds["1.2"] == "text"
    assert all(q.existing_answer is None for q in result.questions)


def test_docx_table_locations_point_at_the_answer_cells() -> None:
    first, *_, last = read(SAMPLES / "vendor_table.docx")
    assert first.location.to_dict() == {"kind": "docx_cell", "table": 0, "row": 3, "col": 2}
    assert last.location.row == 16 and last.location.col == 2


def test_docx_auto_numbering_locations_are_paragraphs() -> None:
    found = read(SAMPLES / "vendor_numbered.docx")
    assert {q.location.kind for q in found} == {"docx_paragraph"}
    assert [q.ref for q in found][:2] == ["p4", "p5"]


def numbering(levels: str, nums: str) -> Numbering:
    xml = f"<w:numbering {W_NS}>{levels}{nums}</w:numbering>"
    return Numbering.from_element(parse_xml(xml))


def lvl(ilvl: int, fmt: str, text: str, start: int = 1) -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
    )


def test_numbering_prints_nested_letters_and_restarts_deeper_levels() -> None:
    levels = f'<w:abstractNum w:abstractNumId="1">{lvl(0, "decimal", "%1.")}{lvl(1, "lowerLetter", "%1.%2")}</w:abstractNum>'
    nums = '<w:num w:numId="5"><w:abstractNumId w:val="1"/></w:num>'
    n = numbering(levels, nums)
    printed = [n.advance("5", level) for level in (0, 1, 1, 0, 1)]
    assert printed == ["1.", "1.a", "1.b", "2.", "2.a"]


def test_numbering_start_override_gives_a_list_its_own_counter() -> None:
    levels = f'<w:abstractNum w:abstractNumId="1">{lvl(0, "decimal", "%1)")}</w:abstractNum>'
    nums = (
        '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="4"/></w:lvlOverride></w:num>'
    )
    n = numbering(levels, nums)
    assert [n.advance("1", 0), n.advance("1", 0), n.advance("2", 0), n.advance("2", 0)] == [
        "1)",
        "2)",
        "4)",
        "5)",
    ]


def test_numbering_three_levels_bullets_and_unknown_lists() -> None:
    levels = (
        '<w:abstractNum w:abstractNumId="7">'
        f"{lvl(0, 'decimal', '%1', start=4)}{lvl(1, 'decimal', '%1.%2', start=2)}{lvl(2, 'decimal', '%1.%2.%3')}"
        f"{lvl(3, 'bullet', '')}</w:abstractNum>"
    )
    n = numbering(levels, '<w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num>')
    assert n.advance("3", 2) == "4.2.1"  # skipped levels print their start values
    assert n.advance("3", 3) == ""
    assert n.advance("9", 0) is None


@pytest.mark.parametrize(
    ("value", "fmt", "printed"),
    [
        (3, "lowerLetter", "c"),
        (28, "lowerLetter", "bb"),
        (4, "upperRoman", "IV"),
        (9, "lowerRoman", "ix"),
        (7, "decimalZero", "07"),
    ],
)
def test_numbering_formats(value: int, fmt: str, printed: str) -> None:
    assert format_number(value, fmt) == printed


def build(path: Path, *, header: bool = True, answers: bool = False) -> Path:
    """A small document: a table (optionally without header, optionally answered) and paragraphs."""
    document = docx.Document()
    document.add_heading("General", level=1)
    document.add_paragraph("Instructions: answer every question. This document is confidential.")
    table = document.add_table(rows=0, cols=3)
    if header:
        for cell, text in zip(table.add_row().cells, ["Ref", "Control question", "Response"], strict=True):
            cell.text = text
    for ref, text, answer in [
        ("GNRL-01", "Do you have a security policy?", "Yes"),
        ("GNRL-02", "List your certifications.", "ISO 27001"),
    ]:
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = ref, text, answer if answers else ""
    document.add_heading("Operations", level=1)
    document.add_paragraph("4.2 Describe your patching process.")
    if answers:
        document.add_paragraph("Answer: monthly, within 14 days for critical fixes.")
    document.add_paragraph("Provide your incident hotline number.", style="List Bullet")
    document.add_paragraph("Copyright 2026 Example Corp. All rights reserved.")
    document.save(str(path))
    return path


def test_docx_existing_answers_in_cells_and_after_paragraphs(tmp_path: Path) -> None:
    found = read(build(tmp_path / "answered.docx", answers=True))
    assert [(q.number, q.existing_answer) for q in found] == [
        ("GNRL-01", "Yes"),
        ("GNRL-02", "ISO 27001"),
        ("4.2", "monthly, within 14 days for critical fixes."),
        (None, None),
    ]
    assert [q.section for q in found] == ["General", "General", "Operations", "Operations"]
    assert found[3].text == "Provide your incident hotline number."


def test_docx_table_without_header_finds_columns_from_content(tmp_path: Path) -> None:
    found = read(build(tmp_path / "noheader.docx", header=False))
    assert [(q.number, q.text) for q in found][:2] == [
        ("GNRL-01", "Do you have a security policy?"),
        ("GNRL-02", "List your certifications."),
    ]
    assert found[0].location.col == 2


def test_docx_instructions_and_copyright_are_not_questions(tmp_path: Path) -> None:
    texts = " | ".join(q.text for q in read(build(tmp_path / "plain.docx")))
    assert "Instructions" not in texts and "Copyright" not in texts
    texts = " | ".join(q.text for q in read(SAMPLES / "vendor_table.docx"))
    assert "Please answer" not in texts and "©" not in texts and "Vendor Security" not in texts


def body_texts(path: Path) -> list[str]:
    document = docx.Document(str(path))
    return [p.text for p in document.paragraphs]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.mark.parametrize("name", ["vendor_table.docx", "vendor_numbered.docx"])
def test_docx_round_trip_returns_answers_and_leaves_the_rest_unchanged(name: str, tmp_path: Path) -> None:
    src = SAMPLES / name
    found = read(src)
    answers = {q.ref: f"Answer to {q.number}" for q in found[::3]}
    out = writer.fill(src, found, answers, tmp_path / name)
    again = read(out)
    assert [(q.number, q.text) for q in again] == EXPECTED
    by_number = {q.number: q.existing_answer for q in again}
    expected = {q.number: answers.get(q.ref) for q in found}
    assert by_number == expected
    before, after = members(src), members(out)
    assert {k: v for k, v in before.items() if k != "word/document.xml"} == {
        k: v for k, v in after.items() if k != "word/document.xml"
    }
    inserted = set(answers.values())
    assert [t for t in body_texts(out) if t not in inserted] == body_texts(src)


def test_docx_rewriting_an_answer_replaces_it(tmp_path: Path) -> None:
    src = build(tmp_path / "answered.docx", answers=True)
    found = read(src)
    out = writer.fill(src, found, {found[0].ref: "No", found[2].ref: "Weekly."}, tmp_path / "out.docx")
    again = read(out)
    assert [q.existing_answer for q in again] == ["No", "ISO 27001", "Weekly.", None]
    styles = [p.style.name for p in docx.Document(str(out)).paragraphs]
    assert styles == [p.style.name for p in docx.Document(str(src)).paragraphs]


def test_docx_fill_rejects_refs_it_does_not_know(tmp_path: Path) -> None:
    src = SAMPLES / "vendor_table.docx"
    with pytest.raises(InputFileError, match="nope"):
        writer.fill(src, read(src), {"nope": "x"}, tmp_path / "x.docx")


def test_docx_score_uses_content_not_name() -> None:
    head = (SAMPLES / "vendor_table.docx").read_bytes()[:65536]
    assert reader.score(head, "questionnaire.bin") >= 90
    assert reader.score(b"%PDF-1.7", "trick.docx") == 0
    assert reader.score((SAMPLES / "vendor_table.xlsx").read_bytes()[:65536], "trick.docx") == 0


def test_docx_truncated_file_is_corrupt_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "cut.docx"
    data = (SAMPLES / "vendor_table.docx").read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFile) as info:
        reader.read(path, limits=Limits())
    assert "cut.docx" in str(info.value) and "Fix:" in str(info.value)


def test_docx_pdf_behind_docx_extension_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    path.write_bytes((SAMPLES / "vendor_table.pdf").read_bytes())
    with pytest.raises(UnsupportedFormat) as info:
        reader.read(path, limits=Limits())
    assert "fake.docx" in str(info.value) and "Fix:" in str(info.value)


def test_docx_checkbox_answers_are_choices_and_get_ticked(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for cells, values in zip(
        table.rows,
        [
            ("No.", "Question", "Answer"),
            ("1", "Do you scan for vulnerabilities?", "☒ Yes ☐ No ☐ N/A"),
            ("2", "Do you run a bug bounty?", "☐ Yes ☐ No ☐ N/A"),
        ],
        strict=True,
    ):
        for cell, value in zip(cells.cells, values, strict=True):
            cell.text = value
    src = tmp_path / "boxes.docx"
    document.save(str(src))
    found = read(src)
    assert [(q.answer_type, q.choices, q.existing_answer) for q in found] == [
        ("yes_no", ("Yes", "No", "N/A"), "Yes"),
        ("yes_no", ("Yes", "No", "N/A"), None),
    ]
    out = writer.fill(src, found, {found[0].ref: "no", found[1].ref: "N/A"}, tmp_path / "out.docx")
    assert [q.existing_answer for q in read(out)] == ["No", "N/A"]
    assert docx.Document(str(out)).tables[0].cell(1, 2).text == "☐ Yes ☒ No ☐ N/A"


CONTROL = (
    f"<w:sdt {W_NS}><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:p><w:r><w:rPr><w:i/></w:rPr>"
    "<w:t>Click or tap here to enter text.</w:t></w:r></w:p></w:sdtContent></w:sdt>"
)


def test_docx_content_control_placeholder_is_empty_and_receives_the_answer(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Question", "Response"
    table.cell(1, 0).text = "Do you encrypt laptops?"
    answer_cell = table.cell(1, 1)._tc
    answer_cell.remove(answer_cell.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"))
    answer_cell.append(parse_xml(CONTROL))
    answer_cell.append(parse_xml(f"<w:p {W_NS}/>"))
    document.element.body.insert(
        0,
        parse_xml(
            f"<w:sdt {W_NS}><w:sdtContent><w:p><w:r><w:t>7.1 Do you run DLP?</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        ),
    )
    src = tmp_path / "controls.docx"
    document.save(str(src))
    found = read(src)
    assert [(q.number, q.text, q.existing_answer) for q in found] == [
        ("7.1", "Do you run DLP?", None),
        (None, "Do you encrypt laptops?", None),
    ]
    out = writer.fill(
        src, found, {found[0].ref: "Yes, on all endpoints.", found[1].ref: "BitLocker"}, tmp_path / "o.docx"
    )
    assert [q.existing_answer for q in read(out)] == ["Yes, on all endpoints.", "BitLocker"]
    with zipfile.ZipFile(out) as zf:
        assert b"showingPlcHdr" not in zf.read("word/document.xml")


def test_docx_paragraph_checkboxes_are_read_and_ticked_in_place(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("1. Do you have a CISO? ☐ Yes ☐ No")
    document.add_paragraph("2. Do you outsource your SOC? ☒ Yes ☐ No")
    src = tmp_path / "boxes.docx"
    document.save(str(src))
    found = read(src)
    assert [(q.number, q.text, q.choices, q.existing_answer) for q in found] == [
        ("1", "Do you have a CISO?", ("Yes", "No"), None),
        ("2", "Do you outsource your SOC?", ("Yes", "No"), "Yes"),
    ]
    out = writer.fill(src, found, {found[0].ref: "yes", found[1].ref: "No"}, tmp_path / "out.docx")
    assert body_texts(out) == [
        "1. Do you have a CISO? ☒ Yes ☐ No",
        "2. Do you outsource your SOC? ☐ Yes ☒ No",
    ]
    assert [q.existing_answer for q in read(out)] == ["Yes", "No"]


def test_docx_lettered_items_under_a_question_are_its_choices(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("1. How often do you back up production data?")
    for option in ("a. Daily", "b. Weekly", "c. Never"):
        document.add_paragraph(option)
    document.add_paragraph("2. Which frameworks do you follow? Select all that apply.")
    for option in ("ISO 27001", "SOC 2", "NIST CSF"):
        document.add_paragraph(option, style="List Bullet")
    src = tmp_path / "options.docx"
    document.save(str(src))
    found = read(src)
    assert [(q.number, q.answer_type, q.choices) for q in found] == [
        ("1", "choice", ("Daily", "Weekly", "Never")),
        ("2", "multi_choice", ("ISO 27001", "SOC 2", "NIST CSF")),
    ]
    out = writer.fill(src, found, {found[0].ref: "Weekly", found[1].ref: "SOC 2"}, tmp_path / "out.docx")
    again = read(out)
    assert [(q.existing_answer, q.choices) for q in again] == [
        ("Weekly", found[0].choices),
        ("SOC 2", found[1].choices),
    ]


def test_numbering_follows_a_list_style_link() -> None:
    levels = (
        f'<w:abstractNum w:abstractNumId="1">{lvl(0, "decimal", "%1.")}{lvl(1, "lowerRoman", "%1.%2")}</w:abstractNum>'
        '<w:abstractNum w:abstractNumId="2"><w:numStyleLink w:val="QList"/></w:abstractNum>'
    )
    nums = '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="2"/></w:num>'
    n = Numbering.from_element(parse_xml(f"<w:numbering {W_NS}>{levels}{nums}</w:numbering>"), {"QList": "1"})
    assert [n.advance("2", 0), n.advance("2", 1), n.advance("2", 1)] == ["1.", "1.i", "1.ii"]


@pytest.mark.slow
def test_docx_large_document_reads_and_fills_every_question(tmp_path: Path) -> None:
    """Regression: python-docx re-resolves the default style and rebuilds a table's cell grid on every
    access, which made 3,000 questions take 30 s to read and another 30 s to fill."""
    document = docx.Document()
    for number in range(1, 1001):
        document.add_paragraph(f"{number}.1 Do you keep control {number} documented and reviewed?")
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ["#", "Question", "Answer"], strict=True):
        cell.text = text
    for number in range(1, 1001):
        row = table.add_row().cells
        row[0].text, row[1].text = f"T-{number}", f"Is dataset {number} encrypted at rest?"
    src = tmp_path / "large.docx"
    document.save(str(src))
    found = read(src)
    out = writer.fill(src, found, {q.ref: "Yes" for q in found}, tmp_path / "filled.docx")
    assert len(found) == 2000
    assert {q.existing_answer for q in read(out)} == {"Yes"}


def test_docx_questions_set_as_headings_are_questions_not_sections(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Hosting", level=1)
    document.add_heading("3.1 Where is customer data hosted?", level=2)
    document.add_paragraph("AWS eu-west-1.")
    document.add_heading("What we expect from vendors", level=2)
    document.add_paragraph("3.2 Describe your disaster recovery tests.")
    src = tmp_path / "rfp.docx"
    document.save(str(src))
    assert [(q.number, q.section, q.existing_answer) for q in read(src)] == [
        ("3.1", "Hosting", "AWS eu-west-1."),
        ("3.2", "What we expect from vendors", None),
    ]
