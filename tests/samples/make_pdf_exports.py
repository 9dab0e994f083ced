"""Print the completed CAIQ and HECVAT workbook samples to PDF the way Excel does, deterministically.

Run ``.venv/bin/python -m tests.samples.make_pdf_exports`` from the repository root (after
``make_xlsx_samples``: the workbooks are the source). Every export has a running page header and a
"Page n" footer, a title per tab, domain banners spanning the row, and its header row repeated on each
page. Outputs:

- ``caiq_export_ruled.pdf``   ``sheet_caiq_v4_completed.xlsx`` with cell borders: ``Question ID | Question
  | Answer | Notes``; the table starts low on page 1 and continues on page 2
- ``caiq_export_plain.pdf``   the same without gridlines (a borderless table)
- ``caiq_export_wide.pdf``    the whole sheet too wide for the page, printed "down, then over": the
  question columns on pages 1-2, then the control columns to their right on pages 3-4 (no questions
  there, though some control texts read like questions)
- ``hecvat_export_ruled.pdf`` the Organization and Product tabs of ``sheet_hecvat_full.xlsx``, one after the
  other: ``ID | Question | Vendor Response | Additional Information``, yes/no and free-text rows
- ``hecvat_export_plain.pdf`` the same without gridlines (answers and notes wrap below their question)
- ``caiq3_export_marks.pdf``  ``sheet_two_row_header.xlsx`` (CAIQ v3 style): the two-row header
  ``Consensus Assessment Answers`` over ``Yes | No | Not Applicable`` repeated on page 2, answers marked
  with an ``X``, the control domain printed once over its rows
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGE_HEADER = "Example Corp - Vendor Security Questionnaire - Confidential"


@dataclass(frozen=True)
class Print:
    """What one printed table shows: workbook columns (by header), the headers printed, column widths."""

    columns: tuple[str, ...]
    printed: tuple[str, ...]
    widths: tuple[float, ...]
    banners: bool = True  # a merged banner's text sits in column A: pages printed "over" show none


CAIQ = HERE / "sheet_caiq_v4_completed.xlsx"
HECVAT = HERE / "sheet_hecvat_full.xlsx"
CAIQ_MAIN = Print(
    ("Question ID", "Question", "CSP CAIQ Answer", "CSP Implementation Description"),
    ("Question ID", "Question", "Answer", "Notes"),
    (62, 210, 62, 186),
)
CAIQ_OVER = Print(
    (
        "SSRM Control Ownership",
        "CSC Responsibilities",
        "CCM Control ID",
        "CCM Control Specification",
        "CCM Control Title",
    ),
    (
        "SSRM Control Ownership",
        "CSC Responsibilities",
        "CCM Control ID",
        "CCM Control Specification",
        "CCM Control Title",
    ),
    (80, 110, 60, 170, 100),
    banners=False,
)
HECVAT_MAIN = Print(
    ("ID", "Question", "Vendor Response", "Additional Information"),
    ("ID", "Question", "Vendor Response", "Additional Information"),
    (62, 210, 62, 186),
)


def _name(header: str) -> str:
    return header.split(" (")[0]


def sheet_rows(source: Path, sheet: str) -> list[dict[str, str] | str]:
    """One tab's rows below its header: a banner as its text, a question row as header -> value."""
    import openpyxl

    workbook = openpyxl.load_workbook(source, read_only=True)
    try:
        rows = [["" if v is None else str(v) for v in r] for r in workbook[sheet].iter_rows(values_only=True)]
    finally:
        workbook.close()
    at = next(i for i, r in enumerate(rows) if "Question" in r)
    header = [_name(h) for h in rows[at]]
    printed: list[dict[str, str] | str] = []
    for row in rows[at + 1 :]:
        values = dict(zip(header, row, strict=False))
        if values.get("Question"):
            printed.append(values)
        elif row and row[0] and not row[0].startswith("©"):
            printed.append(row[0])
    return printed


def table(rows: list[dict[str, str] | str], view: Print, *, ruled: bool) -> object:
    from xml.sax.saxutils import escape

    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, Table, TableStyle

    small = getSampleStyleSheet()["BodyText"].clone("small", fontSize=8, leading=10)
    width = len(view.columns)
    data: list[list[object]] = [[Paragraph(escape(text), small) for text in view.printed]]
    spans = []
    for row in rows:
        if isinstance(row, str):
            spans.append(("SPAN", (0, len(data)), (width - 1, len(data))))
            data.append([row if view.banners else "", *[""] * (width - 1)])
        else:
            data.append([Paragraph(escape(row.get(c, "")), small) for c in view.columns])
    printed = Table(data, colWidths=list(view.widths), repeatRows=1)
    grid = [("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))] if ruled else []
    printed.setStyle(TableStyle([*grid, ("VALIGN", (0, 0), (-1, -1), "TOP"), *spans]))
    return printed


def _page_furniture(canvas: object, doc: object) -> None:
    canvas.saveState()  # type: ignore[attr-defined]
    canvas.setFont("Helvetica", 8)  # type: ignore[attr-defined]
    canvas.drawString(72, 800, PAGE_HEADER)  # type: ignore[attr-defined]
    canvas.drawString(72, 30, f"Page {doc.page}")  # type: ignore[attr-defined]
    canvas.restoreState()  # type: ignore[attr-defined]


def export(path: Path, source: Path, parts: list[tuple[str, Print]], *, ruled: bool) -> None:
    """Print each (tab, view) in turn on new pages; the first table starts low on page 1."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    story: list[object] = []
    for index, (sheet, view) in enumerate(parts):
        story += [PageBreak()] if index else []
        story += [Paragraph(f"{sheet} (sample)", styles["Title"]), Spacer(1, 12 if index else 430)]
        story.append(table(sheet_rows(source, sheet), view, ruled=ruled))
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, invariant=1, title=source.stem, author="Trustdesk samples"
    )
    doc.build(story, onFirstPage=_page_furniture, onLaterPages=_page_furniture)


def export_marks(path: Path, source: Path) -> None:
    """A CAIQ v3-style sheet: its two header rows (merged cells spanned) and its data rows as they are."""
    import openpyxl
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    workbook = openpyxl.load_workbook(source)
    sheet = workbook.active
    assert sheet is not None
    rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    merged = [m.bounds for m in sheet.merged_cells.ranges]
    workbook.close()
    small = getSampleStyleSheet()["BodyText"].clone("small", fontSize=8, leading=10)
    data = [[Paragraph(text, small) if text else "" for text in row] for row in rows]
    spans = [("SPAN", (c0 - 1, r0 - 1), (c1 - 1, r1 - 1)) for c0, r0, c1, r1 in merged]
    table = Table(data, colWidths=[70, 60, 150, 200, 40, 40, 60, 100], repeatRows=2)
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)), ("VALIGN", (0, 0), (-1, -1), "TOP"), *spans])
    )
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), invariant=1, title=source.stem)
    doc.build([Spacer(1, 370), table], onFirstPage=_page_furniture, onLaterPages=_page_furniture)


EXPORTS = {
    "caiq_export_ruled.pdf": (CAIQ, [("CAIQv4", CAIQ_MAIN)], True),
    "caiq_export_plain.pdf": (CAIQ, [("CAIQv4", CAIQ_MAIN)], False),
    "caiq_export_wide.pdf": (CAIQ, [("CAIQv4", CAIQ_MAIN), ("CAIQv4", CAIQ_OVER)], True),
    "hecvat_export_ruled.pdf": (HECVAT, [("Organization", HECVAT_MAIN), ("Product", HECVAT_MAIN)], True),
    "hecvat_export_plain.pdf": (HECVAT, [("Organization", HECVAT_MAIN), ("Product", HECVAT_MAIN)], False),
}


def main(out: Path = HERE) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    for name, (source, parts, ruled) in EXPORTS.items():
        export(out / name, source, parts, ruled=ruled)
    export_marks(out / "caiq3_export_marks.pdf", HERE / "sheet_two_row_header.xlsx")
    return [out / name for name in [*EXPORTS, "caiq3_export_marks.pdf"]]


if __name__ == "__main__":
    for made in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(made)
