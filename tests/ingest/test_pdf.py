"""PDF reader and writer: tables across pages, numbered text, fillable forms, write-back."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pdfplumber
import pypdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from core.errors import InputFileError
from ingest.limits import Limits
from ingest.readers import pdf as reader
from ingest.readers.pdf_text import Line, drop_furniture, text_questions
from ingest.writers import pdf as writer
from tests.samples.make_samples import PAGE_HEADER, SECTIONS, questions

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
EXPECTED = [(number, text) for _, number, text in questions()]
SECTION_NAMES = [title for title, _ in SECTIONS]


def read(path: Path) -> reader.Questionnaire:
    return reader.read(path, limits=Limits())


def test_pdf_table_continuing_on_page_two_yields_all_rows_once() -> None:
    result = read(SAMPLES / "vendor_table.pdf")
    assert [(q.number, q.text) for q in result.questions] == EXPECTED
    assert result.sections == SECTION_NAMES
    assert [q.location.page for q in result.questions] == [1] * 8 + [2] * 4
    assert result.detected["mode"] == "tables"
    assert all(PAGE_HEADER not in q.text and q.text != "Question" for q in result.questions)


def test_pdf_table_answer_box_is_the_answer_column() -> None:
    first = read(SAMPLES / "vendor_table.pdf").questions[0]
    assert first.location.kind == "pdf_box"
    assert first.location.box is not None
    x0, top, x1, bottom = first.location.box
    assert x0 > 400 and x1 > x0 and bottom > top


def test_pdf_numbered_text_joins_wrapped_lines_and_finds_sections() -> None:
    result = read(SAMPLES / "vendor_text.pdf")
    assert [(q.number, q.text) for q in result.questions] == EXPECTED
    assert [q.section for q in result.questions] == [s for s, _, _ in questions()]
    assert result.detected["mode"] == "text"


def test_pdf_form_fields_become_questions_with_their_own_choices() -> None:
    result = read(SAMPLES / "vendor_form.pdf")
    found = result.questions
    assert [(q.number, q.text) for q in found] == EXPECTED
    assert [q.section for q in found] == [s for s, _, _ in questions()]
    first, second = found[0], found[1]
    assert (first.answer_type, first.choices, first.location.field) == ("yes_no", ("Yes", "No"), "q1_1")
    assert (second.answer_type, second.choices, second.location.kind) == ("text", (), "form_field")
    assert all(q.existing_answer is None for q in found)


def make_form(path: Path, *, tooltips: bool) -> Path:
    """Two labelled fields, optionally without tooltips, and a checkbox."""
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    form = canvas.acroForm
    canvas.drawString(50, 700, "5.1 Company legal name:")
    form.textfield(
        name="legal",
        tooltip="5.1 Company legal name" if tooltips else None,
        x=200,
        y=695,
        width=200,
        height=16,
    )
    canvas.drawString(50, 660, "5.2 Do you hold cyber insurance?")
    form.checkbox(name="insured", tooltip=None, x=50, y=630, size=12, buttonStyle="check", checked=True)
    canvas.save()
    return path


def test_pdf_form_without_tooltips_uses_the_printed_label(tmp_path: Path) -> None:
    found = read(make_form(tmp_path / "labels.pdf", tooltips=False)).questions
    assert [(q.number, q.text, q.answer_type) for q in found] == [
        ("5.1", "Company legal name:", "text"),
        ("5.2", "Do you hold cyber insurance?", "yes_no"),
    ]
    assert found[1].choices == ("Yes", "Off") and found[1].existing_answer == "Yes"


def test_pdf_narrow_id_column_split_ids_are_rejoined(tmp_path: Path) -> None:
    path = tmp_path / "narrow.pdf"
    body = getSampleStyleSheet()["BodyText"]
    rows: list[list[object]] = [["ID", "Question", "Answer"]]
    rows.append(
        [Paragraph("A&amp;A-<br/>01.1", body), Paragraph("Are audit plans approved by management?", body), ""]
    )
    rows.append(
        [
            Paragraph("A&amp;A-<br/>01.2", body),
            Paragraph("Is the audit scope risk based and docu-<br/>mented?", body),
            "",
        ]
    )
    table = Table(rows, colWidths=[34, 300, 100])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))]))
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build([table])
    found = read(path).questions
    assert [(q.number, q.text) for q in found] == [
        ("A&A-01.1", "Are audit plans approved by management?"),
        ("A&A-01.2", "Is the audit scope risk based and documented?"),
    ]


def line(page: int, top: float, text: str) -> Line:
    return Line(page=page, top=top, bottom=top + 10, x0=72, x1=300, text=text, size=10, bold=False)


def test_pdf_repeated_page_headers_and_footers_are_dropped() -> None:
    lines = []
    for page in (1, 2, 3):
        lines += [line(page, 20, "ACME Corp questionnaire"), line(page, 400, f"{page}.1 Do you log access?")]
        lines.append(line(page, 820, f"Page {page} of 3"))
    kept = drop_furniture(lines, [842.0] * 3)
    assert [ln.text for ln in kept] == [
        "1.1 Do you log access?",
        "2.1 Do you log access?",
        "3.1 Do you log access?",
    ]


def test_pdf_form_round_trip_fills_fields_and_leaves_others_alone(tmp_path: Path) -> None:
    src = SAMPLES / "vendor_form.pdf"
    found = read(src).questions
    answers = {found[0].ref: "yes", found[1].ref: "Same day, by HR ticket.", found[2].ref: "No"}
    out = writer.fill(src, found, answers, tmp_path / "filled.pdf")
    again = read(out).questions
    assert [(q.number, q.text) for q in again] == EXPECTED
    assert [q.existing_answer for q in again[:4]] == ["Yes", "Same day, by HR ticket.", "No", None]
    assert all(q.existing_answer is None for q in again[3:])
    assert pypdf.PdfReader(out).trailer["/Root"]["/AcroForm"]["/NeedAppearances"]
    with pdfplumber.open(src) as before, pdfplumber.open(out) as after:
        assert [p.extract_text() for p in before.pages] == [p.extract_text() for p in after.pages]


def test_pdf_form_rejects_an_answer_outside_the_field_choices(tmp_path: Path) -> None:
    src = SAMPLES / "vendor_form.pdf"
    found = read(src).questions
    with pytest.raises(InputFileError, match="Maybe"):
        writer.fill(src, found, {found[0].ref: "Maybe"}, tmp_path / "x.pdf")


def test_pdf_without_fields_gets_a_companion_answer_sheet(tmp_path: Path) -> None:
    src = SAMPLES / "vendor_table.pdf"
    found = read(src).questions
    answers = {found[0].ref: "Yes", found[5].ref: "=HYPERLINK(0)"}
    out = writer.fill(src, found, answers, tmp_path / "vendor_table.pdf")
    assert out.name == "vendor_table.answers.xlsx"
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2, max_col=4, values_only=True))
    assert [(r[0], r[2]) for r in rows] == EXPECTED
    assert {r[0]: r[3] for r in rows if r[3]} == {"1.1": "Yes", "2.2": "=HYPERLINK(0)"}
    assert sheet["D7"].data_type == "s"


def borderless(path: Path, count: int) -> Path:
    """A spreadsheet exported without gridlines: IDs bottom-aligned like Excel, over two pages."""
    body = getSampleStyleSheet()["BodyText"]
    rows: list[list[object]] = [
        ["Question ID", "Question", "Answer", "Notes"],
        ["Application Security", "", "", ""],
    ]
    for i in range(1, count + 1):
        text = (
            f"Do you review the source code of release {i} for injection flaws before it ships to production?"
        )
        rows.append([f"APPL-{i:02d}", Paragraph(text, body), "Yes" if i % 2 else "No", ""])
    table = Table(rows, colWidths=[70, 300, 50, 100], repeatRows=0)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))

    def furniture(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.drawString(72, 810, "HECVAT-style export - Confidential")
        canvas.drawString(72, 20, f"Page {doc.page}")

    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(
        [table], onFirstPage=furniture, onLaterPages=furniture
    )
    return path


def test_pdf_borderless_table_uses_header_columns_across_pages(tmp_path: Path) -> None:
    result = read(borderless(tmp_path / "export.pdf", 30))
    found = result.questions
    assert result.detected["mode"] == "borderless"
    assert [q.number for q in found] == [f"APPL-{i:02d}" for i in range(1, 31)]
    assert (
        found[29].text
        == "Do you review the source code of release 30 for injection flaws before it ships to production?"
    )
    assert [q.existing_answer for q in found[:3]] == ["Yes", "No", "Yes"]
    assert (found[0].answer_type, found[0].choices) == ("yes_no", ("Yes", "No"))  # inferred from the answers
    assert {q.section for q in found} == {"Application Security"}
    assert {q.location.page for q in found} == {1, 2}


def test_pdf_questions_at_the_same_place_on_every_page_are_not_furniture() -> None:
    """Regression: masking digits made "1.1 Do you ... control 1" match "2.1 Do you ... control 2"."""
    lines = [
        line(p, 30, f"{p}.1 Do you maintain control number {p} with documented evidence?") for p in (1, 2, 3)
    ]
    lines += [line(p, 30 + 800, f"Page {p} of 3") for p in (1, 2, 3)]
    kept = drop_furniture(lines, [842.0] * 3)
    assert [ln.page for ln in kept] == [1, 2, 3] and all("Do you" in ln.text for ln in kept)


def application(path: Path) -> Path:
    """An insurer's application: numbered questions with Yes/No boxes drawn as shapes, and a ruled table."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    story: list[object] = [Paragraph("Cyber Insurance Application", styles["Title"])]
    story.append(Paragraph("1. Do you enforce MFA for all remote access? Yes No", body))
    story.append(Paragraph("2. Describe your backup strategy.", body))
    table = Table(
        [["No.", "Question", "Answer"], ["3", "Do you encrypt backups?", "Yes"]], colWidths=[30, 300, 80]
    )
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))]))
    story += [table, Paragraph("4. Have you had a claim in the last 5 years? Yes No N/A", body)]
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(story)
    return path


def test_pdf_questions_in_text_and_in_tables_are_both_read_in_page_order(tmp_path: Path) -> None:
    result = read(application(tmp_path / "application.pdf"))
    found = result.questions
    assert result.detected["mode"] == "tables+text"
    assert [(q.number, q.text, q.choices, q.existing_answer) for q in found] == [
        ("1", "Do you enforce MFA for all remote access?", ("Yes", "No"), None),
        ("2", "Describe your backup strategy.", (), None),
        ("3", "Do you encrypt backups?", (), "Yes"),
        ("4", "Have you had a claim in the last 5 years?", ("Yes", "No", "N/A"), None),
    ]
    assert found[0].answer_type == "yes_no" and found[1].answer_type == "text"


def test_pdf_text_lines_group_into_questions_options_and_continuations() -> None:
    def at(top: float, text: str, x0: float = 72, page: int = 1) -> Line:
        return Line(page=page, top=top, bottom=top + 10, x0=x0, x1=500, text=text, size=10, bold=False)

    lines = [
        at(100, "1. How often do you back up production data?"),
        at(112, "a. Daily", x0=90),
        at(124, "b. Weekly", x0=90),
        at(136, "2. How quickly do you notify customers, counted from the moment of detection, within"),
        at(148, "24 hours or more?"),
        at(160, "3. Company legal name"),
        at(172, "4. Registered address"),
        at(800, "5. Do you keep an asset inventory that covers every laptop, server and cloud"),
        at(60, "account you operate?", page=2),
    ]
    found = text_questions(lines, [])
    assert [(q.number, q.text, q.choices) for q in found] == [
        ("1", "How often do you back up production data?", ("Daily", "Weekly")),
        (
            "2",
            "How quickly do you notify customers, counted from the moment of detection, within 24 hours or more?",
            (),
        ),
        (
            "5",
            "Do you keep an asset inventory that covers every laptop, server and cloud account you operate?",
            (),
        ),
    ]
    assert found[0].answer_type == "choice"


def test_pdf_text_under_a_question_is_its_existing_answer(tmp_path: Path) -> None:
    styles = getSampleStyleSheet()
    story: list[object] = [Paragraph("1. Security Program", styles["Heading2"])]
    story.append(Paragraph("1.1 Do you have a written information security policy?", styles["BodyText"]))
    story.append(Paragraph("Answer: Yes, approved by the board in 2025.", styles["BodyText"]))
    story.append(Paragraph("1.2 Describe how often the policy is reviewed.", styles["BodyText"]))
    story.append(Paragraph("2. Network", styles["Heading2"]))
    story.append(Paragraph("2.1 Do you segment production from corporate networks?", styles["BodyText"]))
    story.append(Paragraph("Yes.", styles["BodyText"]))
    path = tmp_path / "completed.pdf"
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(story)
    found = read(path).questions
    assert [(q.number, q.section, q.existing_answer) for q in found] == [
        ("1.1", "Security Program", "Yes, approved by the board in 2025."),
        ("1.2", "Security Program", None),
        ("2.1", "Network", "Yes."),
    ]


def insurer_form(path: Path) -> Path:
    """An insurer's fillable application: separate Yes and No check boxes after each question."""
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(50, 760, "Section B - Controls")
    canvas.setFont("Helvetica", 10)
    for row, (number, text) in enumerate(
        [("B1", "Do you require MFA for email access?"), ("B2", "Do you have EDR on all endpoints?")]
    ):
        y = 720 - 40 * row
        canvas.drawString(50, y, f"{number}. {text}")
        for x, label in ((380, "Yes"), (440, "No")):
            name = f"{number.lower()}_{label.lower()}"
            canvas.acroForm.checkbox(
                name=name, tooltip=None, x=x, y=y - 2, size=10, checked=(row == 1 and label == "No")
            )
            canvas.drawString(x + 14, y, label)
    canvas.drawString(50, 620, "Annual revenue:")
    canvas.acroForm.textfield(name="revenue", tooltip=None, x=150, y=615, width=150, height=16)
    canvas.save()
    return path


def test_pdf_yes_and_no_check_boxes_on_one_line_are_one_question(tmp_path: Path) -> None:
    src = insurer_form(tmp_path / "application.pdf")
    found = read(src).questions
    assert [(q.number, q.text, q.answer_type, q.choices, q.existing_answer, q.section) for q in found] == [
        ("B1", "Do you require MFA for email access?", "yes_no", ("Yes", "No"), None, "Section B - Controls"),
        ("B2", "Do you have EDR on all endpoints?", "yes_no", ("Yes", "No"), "No", "Section B - Controls"),
        (None, "Annual revenue:", "text", (), None, "Section B - Controls"),
    ]
    assert found[0].location.columns == {"Yes": "b1_yes", "No": "b1_no"}
    answers = {found[0].ref: "yes", found[1].ref: "Yes", found[2].ref: "USD 12M"}
    again = read(writer.fill(src, found, answers, tmp_path / "filled.pdf")).questions
    assert [q.existing_answer for q in again] == ["Yes", "Yes", "USD 12M"]


@pytest.mark.slow
def test_pdf_fifty_page_text_questionnaire_reads_every_question(tmp_path: Path) -> None:
    """A 50-page text PDF gives all its 1,760 questions (its speed is measured by bench/ingest_speed.py)."""
    styles = getSampleStyleSheet()
    story: list[object] = []
    for section in range(1, 81):
        story.append(Paragraph(f"{section}. Control area {section}", styles["Heading2"]))
        for item in range(1, 23):
            text = f"{section}.{item} Do you operate control {item} of area {section} with an owner and evidence?"
            story.append(Paragraph(text, styles["BodyText"]))
    path = tmp_path / "fifty.pdf"
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(story)
    result = read(path)
    assert result.detected["pages"] >= 50
    assert len(result.questions) == 80 * 22
    assert result.questions[-1].number == "80.22"
