"""Write the Word and PDF layout samples that real forms use, deterministically.

Run ``.venv/bin/python -m tests.samples.make_layout_samples`` from the repository root. Outputs:

- ``layout_form_fields.docx``  answers go into form controls: legacy form fields (FORMTEXT, FORMCHECKBOX,
  FORMDROPDOWN) and content controls (plain text, check boxes, a drop-down list), in paragraphs and in
  a table's answer cells; a last question's choices one per line, each with its box (a legacy check
  box, a content-control check box, a printed ☐)
- ``layout_label_value.docx``  a two-column form without a header: the label on the left, the answer
  cell on the right (one row already answered, one with printed check boxes)
- ``layout_label_value.pdf``   the same form, printed as a ruled two-column table
- ``layout_nested.docx``       a layout table whose cells hold a section title and a question table each
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from tests.samples.make_samples import save_docx

HERE = Path(__file__).resolve().parent
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
W14_NS = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'
BLANK = "\u2002" * 5  # what Word shows in an empty text form field
_NAMES = itertools.count(1)

LABELS: list[tuple[str, str | None]] = [
    ("Company name:", None),
    ("Registered address:", "1 Example Street, Leeds"),
    ("Number of employees:", None),
    ("Do you hold cyber insurance?", "☐ Yes ☐ No"),
    ("Annual revenue (USD):", None),
]
NESTED: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Section A: Access",
        [("A.1", "Do you enforce MFA for administrators?"), ("A.2", "Describe how access is reviewed.")],
    ),
    (
        "Section B: Data",
        [("B.1", "Is customer data encrypted at rest?"), ("B.2", "Where are backups stored?")],
    ),
]


def _field(kind: str, data: str, result: str = "") -> str:
    """A legacy form field as Word writes it: begin (with ``w:ffData``), instruction, result, end."""
    shown = (
        f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t xml:space="preserve">{result}</w:t></w:r>'
    )
    return (
        f'<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Field{next(_NAMES)}"/>'
        f"<w:enabled/>{data}</w:ffData></w:fldChar></w:r>"
        f'<w:r><w:instrText xml:space="preserve"> {kind} </w:instrText></w:r>'
        f"{shown if kind == 'FORMTEXT' else ''}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def form_text() -> str:
    return _field("FORMTEXT", "<w:textInput/>", BLANK)


def form_checkbox() -> str:
    return _field("FORMCHECKBOX", '<w:checkBox><w:sizeAuto/><w:default w:val="0"/></w:checkBox>')


def form_dropdown(entries: list[str]) -> str:
    items = "".join(f'<w:listEntry w:val="{e}"/>' for e in entries)
    return _field("FORMDROPDOWN", f"<w:ddList>{items}</w:ddList>")


def sdt_text(placeholder: str = "Click or tap here to enter text.") -> str:
    return (
        "<w:sdt><w:sdtPr><w:showingPlcHdr/><w:text/></w:sdtPr><w:sdtContent>"
        f"<w:r><w:t>{placeholder}</w:t></w:r></w:sdtContent></w:sdt>"
    )


def sdt_checkbox() -> str:
    return (
        '<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="0"/>'
        '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
        '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr>'
        "<w:sdtContent><w:r><w:t>☐</w:t></w:r></w:sdtContent></w:sdt>"
    )


def sdt_dropdown(choices: list[str]) -> str:
    items = "".join(f'<w:listItem w:displayText="{c}" w:value="{c}"/>' for c in choices)
    return (
        f"<w:sdt><w:sdtPr><w:showingPlcHdr/><w:dropDownList>{items}</w:dropDownList></w:sdtPr>"
        "<w:sdtContent><w:r><w:t>Choose an item.</w:t></w:r></w:sdtContent></w:sdt>"
    )


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def paragraph(inner: str) -> object:
    from docx.oxml import parse_xml

    return parse_xml(f"<w:p {W_NS} {W14_NS}>{inner}</w:p>")


def _set_cell(cell: object, inner: str) -> None:
    tc = cell._tc  # type: ignore[attr-defined]
    for p in tc.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
        tc.remove(p)
    tc.append(paragraph(inner))


def make_form_fields(path: Path) -> None:
    import docx

    global _NAMES
    _NAMES = itertools.count(1)
    document = docx.Document()
    document.add_heading("Vendor details", level=1)
    body = document.element.body
    sect = body[-1]
    for inner in (
        run("Company name: ") + form_text(),
        run("Security contact e-mail: ") + sdt_text(),
        run("1. Do you have a dedicated CISO? ")
        + form_checkbox()
        + run(" Yes ")
        + form_checkbox()
        + run(" No"),
    ):
        sect.addprevious(paragraph(inner))
    document.add_heading("Controls", level=1)
    table = document.add_table(rows=5, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["#", "Question", "Answer"], strict=True):
        cell.text = text
    rows = [
        ("2", "Is customer data encrypted at rest?", sdt_dropdown(["Yes", "No", "N/A"])),
        (
            "3",
            "Do you run a bug bounty programme?",
            sdt_checkbox() + run(" Yes ") + sdt_checkbox() + run(" No"),
        ),
        ("4", "Which regions host customer data?", form_dropdown([" ", "EU", "US", "EU and US"])),
        ("5", "Describe your patching timelines.", form_text()),
    ]
    for row, (number, question, answer) in zip(table.rows[1:], rows, strict=True):
        row.cells[0].text, row.cells[1].text = number, question
        _set_cell(row.cells[2], answer)
    for inner in (
        run("6. How often are backups restored in a test?"),
        form_checkbox() + run(" Monthly"),
        sdt_checkbox() + run(" Quarterly"),
        run("☐ Yearly"),
    ):
        sect.addprevious(paragraph(inner))
    save_docx(document, path)


def make_label_value_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Applicant information", level=1)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in LABELS:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value or ""
    save_docx(document, path)


def make_label_value_pdf(path: Path) -> None:
    """The printed form (the check boxes of the DOCX left out: the standard PDF fonts have no ☐)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    styles = getSampleStyleSheet()
    rows = [[label, "" if value is None or "☐" in value else value] for label, value in LABELS]
    table = Table(rows, colWidths=[200, 270])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))]))
    doc = SimpleDocTemplate(str(path), pagesize=A4, invariant=1, title="Applicant information")
    doc.build([Paragraph("Applicant information", styles["Heading1"]), table])


def make_nested(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Supplier assessment", style="Title")
    frame = document.add_table(rows=1, cols=len(NESTED))
    for cell, (title, items) in zip(frame.rows[0].cells, NESTED, strict=True):
        cell.text = title
        inner = cell.add_table(rows=0, cols=3)
        inner.style = "Table Grid"
        for head, text in zip(inner.add_row().cells, ["No.", "Question", "Response"], strict=True):
            head.text = text
        for number, question in items:
            row = inner.add_row().cells
            row[0].text, row[1].text = number, question
        cell.add_paragraph("")
    save_docx(document, path)


def main(out: Path = HERE) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for name, make in [
        ("layout_form_fields.docx", make_form_fields),
        ("layout_label_value.docx", make_label_value_docx),
        ("layout_label_value.pdf", make_label_value_pdf),
        ("layout_nested.docx", make_nested),
    ]:
        make(out / name)
        made.append(out / name)
    return made


if __name__ == "__main__":
    for made in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(made)
