"""Write the DOCX and PDF samples of one small questionnaire (12 questions, 3 sections), deterministically.

Run ``.venv/bin/python -m tests.samples.make_samples`` from the repository root. Outputs:

- ``vendor_table.docx``       the questionnaire as a Word table (header row below a title row, banner rows)
- ``vendor_numbered.docx``    headings and questions as Word automatic numbering (1., 1.1, 1.2 ...)
- ``vendor_table.pdf``        a table that continues onto page 2, with a repeated page header and footer
- ``vendor_text.pdf``         numbered paragraphs, no table
- ``vendor_form.pdf``         a fillable AcroForm: text fields and Yes/No radio groups
- ``vendor_table.xlsx``       the same table as a plain worksheet (for cross-format tests)

The PDF exports of the CAIQ and HECVAT workbook samples are made by ``make_pdf_exports``.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TITLE = "Vendor Security Questionnaire"
INSTRUCTIONS = "Please answer all questions below. Attach evidence where asked."
FOOTER = "© 2026 Example Corp. Confidential."
PAGE_HEADER = "Example Corp - Vendor Security Questionnaire - Confidential"

SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Access Control",
        [
            ("1.1", "Do you enforce multi-factor authentication for all remote access? (Yes/No)"),
            ("1.2", "Describe your process for revoking access when an employee or contractor leaves."),
            ("1.3", "Are privileged accounts reviewed at least quarterly? (Yes/No)"),
            ("1.4", "Provide the name and e-mail address of your security officer."),
        ],
    ),
    (
        "Data Protection",
        [
            ("2.1", "Is customer data encrypted at rest using AES-256 or stronger? (Yes/No)"),
            ("2.2", "Is customer data encrypted in transit with TLS 1.2 or later? (Yes/No)"),
            ("2.3", "Which cloud regions store customer data?"),
            ("2.4", "Confirm that backups are tested by a full restore at least once a year. (Yes/No)"),
        ],
    ),
    (
        "Incident Response",
        [
            ("3.1", "Do you maintain a documented incident response plan? (Yes/No)"),
            ("3.2", "How many hours after detection do you notify affected customers of a breach?"),
            ("3.3", "Describe the most recent incident response exercise and its findings."),
            ("3.4", "Have you had a reportable security breach in the last 36 months? (Yes/No)"),
        ],
    ),
]


def questions() -> list[tuple[str, str, str]]:
    """(section, number, text) for every question, in order."""
    return [(section, number, text) for section, items in SECTIONS for number, text in items]


def is_yes_no(text: str) -> bool:
    return text.endswith("(Yes/No)")


FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a ZIP with fixed timestamps and member order so the bytes are reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time
                blob = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", blob)
            dst.writestr(fixed, blob)
    return out.getvalue()


def _fix_core_properties(document: object) -> None:
    import datetime

    when = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    props = document.core_properties  # type: ignore[attr-defined]
    props.created = props.modified = when
    props.last_modified_by = props.author = "Trustdesk samples"
    props.revision = 1


def save_docx(document: object, path: Path) -> None:
    _fix_core_properties(document)
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    path.write_bytes(normalise_zip(buffer.getvalue()))


def make_docx_table(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(TITLE, style="Title")
    document.add_paragraph(INSTRUCTIONS)
    table = document.add_table(rows=0, cols=3)
    table.style = "Table Grid"
    banner = table.add_row().cells
    banner[0].merge(banner[2]).text = f"{TITLE} v1.0"
    for cell, text in zip(table.add_row().cells, ["#", "Question", "Answer"], strict=True):
        cell.text = text
    for index, (section, items) in enumerate(SECTIONS, start=1):
        cells = table.add_row().cells
        cells[0].merge(cells[2]).text = f"{index}. {section}"
        for number, text in items:
            row = table.add_row().cells
            row[0].text, row[1].text = number, text
    document.add_paragraph(FOOTER)
    save_docx(document, path)


NUMBERING_XML = """<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
  w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>
</w:abstractNum>"""
NUM_XML = """<w:num xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:numId="90">
<w:abstractNumId w:val="90"/></w:num>"""


def _add_numbering(document: object) -> None:
    from docx.oxml import parse_xml

    root = document.part.numbering_part.element  # type: ignore[attr-defined]
    first_num = root.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    first_num.addprevious(parse_xml(NUMBERING_XML))
    root.append(parse_xml(NUM_XML))


def _number(paragraph: object, level: int) -> None:
    from docx.oxml import parse_xml

    xml = (
        '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f'<w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'
    )
    paragraph._p.get_or_add_pPr().append(parse_xml(xml))  # type: ignore[attr-defined]


def make_docx_numbered(path: Path) -> None:
    import docx

    document = docx.Document()
    _add_numbering(document)
    document.add_paragraph(TITLE, style="Title")
    document.add_paragraph(INSTRUCTIONS)
    document.add_paragraph("Answer below each question.", style="List Bullet")
    for section, items in SECTIONS:
        _number(document.add_heading(section, level=1), 0)
        for _number_text, text in items:
            _number(document.add_paragraph(text, style="List Paragraph"), 1)
    document.add_paragraph(FOOTER)
    save_docx(document, path)


def make_xlsx_table(path: Path) -> None:
    import datetime

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Questionnaire"
    sheet.append([TITLE])
    sheet.append(["#", "Question", "Answer"])
    for index, (section, items) in enumerate(SECTIONS, start=1):
        sheet.append([f"{index}. {section}"])
        for number, text in items:
            sheet.append([number, text, None])
    when = datetime.datetime(2026, 1, 1)
    workbook.properties.created = workbook.properties.modified = when
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(normalise_zip(buffer.getvalue()))


def _page_furniture(canvas: object, doc: object) -> None:
    """The header and footer every page repeats (the reader must drop them)."""
    canvas.saveState()  # type: ignore[attr-defined]
    canvas.setFont("Helvetica", 8)  # type: ignore[attr-defined]
    canvas.drawString(72, 800, PAGE_HEADER)  # type: ignore[attr-defined]
    canvas.drawString(72, 30, f"Page {doc.page}")  # type: ignore[attr-defined]
    canvas.restoreState()  # type: ignore[attr-defined]


def _pdf_story_start() -> list[object]:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph

    styles = getSampleStyleSheet()
    return [Paragraph(TITLE, styles["Title"]), Paragraph(INSTRUCTIONS, styles["Normal"])]


def _build_pdf(path: Path, story: list[object]) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    doc = SimpleDocTemplate(str(path), pagesize=A4, invariant=1, title=TITLE, author="Trustdesk samples")
    doc.build(story, onFirstPage=_page_furniture, onLaterPages=_page_furniture)


def make_pdf_table(path: Path) -> None:
    """A ruled table that starts low on page 1 and continues on page 2 under a repeated header row."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    body = getSampleStyleSheet()["BodyText"]
    rows: list[list[object]] = [["#", "Question", "Answer"]]
    spans = []
    for index, (section, items) in enumerate(SECTIONS, start=1):
        spans.append(("SPAN", (0, len(rows)), (2, len(rows))))
        rows.append([f"{index}. {section}", "", ""])
        rows.extend([number, Paragraph(text, body), ""] for number, text in items)
    table = Table(rows, colWidths=[40, 300, 130], repeatRows=1)
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)), ("VALIGN", (0, 0), (-1, -1), "TOP"), *spans])
    )
    story = _pdf_story_start()
    story += [Spacer(1, 360), table, Paragraph(FOOTER, body)]
    _build_pdf(path, story)


def make_pdf_text(path: Path) -> None:
    """Numbered headings and questions as plain paragraphs, some wrapping onto a second line."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph

    styles = getSampleStyleSheet()
    story = _pdf_story_start()
    for index, (section, items) in enumerate(SECTIONS, start=1):
        story.append(Paragraph(f"{index}. {section}", styles["Heading2"]))
        for number, text in items:
            story.append(Paragraph(f"{number} {text}", styles["BodyText"]))
    story.append(Paragraph(FOOTER, styles["BodyText"]))
    _build_pdf(path, story)


def make_pdf_form(path: Path) -> None:
    """A fillable form: a tooltip per field; Yes/No questions are radio groups, the rest text fields."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), invariant=1)
    canvas.setTitle(TITLE)
    y = 780.0
    for index, (section, items) in enumerate(SECTIONS, start=1):
        if y < 200:
            canvas.showPage()
            y = 780.0
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(50, y, f"{index}. {section}")
        y -= 24
        for number, text in items:
            canvas.setFont("Helvetica", 8)
            canvas.drawString(50, y, f"{number} {text}")
            _form_field(canvas, number, text, y - 22)
            y -= 50
    canvas.save()


def _form_field(canvas: object, number: str, text: str, y: float) -> None:
    form = canvas.acroForm  # type: ignore[attr-defined]
    name, tooltip = f"q{number.replace('.', '_')}", f"{number} {text}"
    if not is_yes_no(text):
        form.textfield(name=name, tooltip=tooltip, x=50, y=y, width=480, height=16, fontSize=9, maxlen=4000)
        return
    for offset, value in ((0, "Yes"), (70, "No")):
        form.radio(name=name, tooltip=tooltip, value=value, x=50 + offset, y=y, size=12, selected=False)
        canvas.drawString(66 + offset, y + 3, value)  # type: ignore[attr-defined]


def main(out: Path = HERE) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for name, make in [
        ("vendor_table.docx", make_docx_table),
        ("vendor_numbered.docx", make_docx_numbered),
        ("vendor_table.xlsx", make_xlsx_table),
        ("vendor_table.pdf", make_pdf_table),
        ("vendor_text.pdf", make_pdf_text),
        ("vendor_form.pdf", make_pdf_form),
    ]:
        make(out / name)
        made.append(out / name)
    return made


if __name__ == "__main__":
    for made in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(made)
