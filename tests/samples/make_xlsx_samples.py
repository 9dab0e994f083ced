"""Generate the spreadsheet and CSV samples of ``tests/samples/`` (run: ``python tests/samples/make_xlsx_samples.py``).

Each sample covers one layout seen in real questionnaires; the tests in ``tests/ingest/test_xlsx_samples.py``
state what each must yield. Output is deterministic (fixed timestamps) so re-running changes nothing.

- ``sheet_x14_validation.xlsx``  title + instructions above the header, merged section banners, IDs such as
  ``A&A-01.1``, answers constrained by an Excel 2010 x14 validation that points at a defined name on a
  hidden sheet (openpyxl drops both), one answer already filled in, a copyright footer, "End of table"
- ``sheet_x_columns.xlsx``       Yes / No / N/A columns answered with an ``x``; a section column merged down
- ``sheet_hidden_questions.xlsx`` a visible cover sheet and the questions on a hidden sheet
- ``sheet_duplicate_tabs.xlsx``   the same questions on two tabs (counted once) plus a tab of its own
- ``sheet_caiq_like.xlsx``        a completed CAIQ-style sheet: title rows, ``Question ID | Question | CSP CAIQ
  Answer | ... | CCM Control Specification | CCM Domain Title``, a classic ``Yes,No,NA`` validation
- ``sheet_hecvat_like.xlsx``      HECVAT-style tabs: instructions, two question tabs with merged banners and a
  hidden scoring column, answers from a named range, a hidden summary tab repeating the questions
- ``sheet_two_row_header.xlsx``   a two-row header (``Consensus Assessment Answers`` merged over ``Yes | No |
  Not Applicable``), the domain merged down the rows, answers marked with ``X``
- ``sheet_caiq_v4_completed.xlsx`` a completed CAIQ v4-style export: cover tab of numbered instructions,
  title and instructions above the header (row 3), domain banners, ``CCM Control ID | Specification |
  Title`` merged down over each control's questions, Yes/No/NA and ownership validations, long
  implementation descriptions beside the answers, a copyright footer
- ``sheet_hecvat_full.xlsx``      HECVAT-style: numbered instructions tab, a Start Here tab of vendor fields
  (``GNRL-01``...), question tabs with a title row, banners, a Yes/No validation (named range) on the
  yes/no rows only, free-text rows, an Additional Information column, a hidden score column, and an
  Analyst Report tab repeating every question with its answer (counted once)
- ``semicolon_cp1252.csv``        ``;``-delimited, Windows-1252 encoded, ``4.2.1`` numbering
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
FIXED = dt.datetime(2026, 1, 1)
X14_EXT = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>AnswerChoices</xm:f></x14:formula1><xm:sqref>D5:D14</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext></extLst>"
)


def _book() -> Workbook:
    wb = Workbook()
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.properties.creator = "trustdesk samples"
    return wb


def _save(wb: Workbook, path: Path, *, patch: dict[str, tuple[str, str]] | None = None) -> None:
    """Save with fixed member timestamps; ``patch`` replaces text in a member (member -> (old, new))."""
    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", data)
            if patch and info.filename in patch:
                old, new = patch[info.filename]
                data = data.replace(old.encode(), new.encode(), 1)
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6]), data)
    path.write_bytes(out.getvalue())


def make_x14_validation(path: Path) -> None:
    wb = _book()
    ws = wb.active
    ws.title = "Security"
    ws["A1"] = "Vendor Security Assessment 2026"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Instructions: answer every question in column D and attach evidence where asked."
    ws.append([])
    ws.append(["ID", "Question", "Guidance", "Answer", "Comments"])
    rows = [
        ("Application & Interface Security", None, None, None),
        ("A&A-01.1", "Do you use industry standards to build in security for your SDLC?", "OWASP", None),
        (
            "A&A-01.2",
            "Do you review your applications for security vulnerabilities before release?",
            "",
            "Yes",
        ),
        ("Business Continuity", None, None, None),
        ("BCR-01.1", "Describe your business continuity plan and how often it is tested.", "", None),
        ("BCR-02.1", "Provide the date of your last disaster recovery test.", "", None),
        ("BCR-03.1", "Confirm that backups are encrypted at rest.", "", None),
        ("© 2026 Example Corp. All rights reserved.", None, None, None),
        ("End of table", None, None, None),
    ]
    for row in rows:
        ws.append([row[0], row[1], row[2], row[3], None])
    for banner in (5, 8):
        ws.merge_cells(start_row=banner, start_column=1, end_row=banner, end_column=5)
        ws.cell(banner, 1).fill = PatternFill("solid", fgColor="DDEBF7")
    ws["E6"] = "=LEN(B6)"
    ws.column_dimensions["B"].width = 70
    lists = wb.create_sheet("Lists")
    for i, choice in enumerate(("Yes", "No", "N/A"), start=1):
        lists.cell(i, 1, choice)
    lists.sheet_state = "hidden"
    wb.defined_names["AnswerChoices"] = DefinedName("AnswerChoices", attr_text="Lists!$A$1:$A$3")
    _save(wb, path, patch={"xl/worksheets/sheet1.xml": ("</worksheet>", X14_EXT + "</worksheet>")})


def make_x_columns(path: Path) -> None:
    wb = _book()
    ws = wb.active
    ws.title = "Checklist"
    ws.append(["Domain", "No.", "Control question", "Yes", "No", "N/A", "Notes"])
    data = [
        ("Access Control", "1.1", "Is multi-factor authentication enforced for remote access?", "x", "", ""),
        ("", "1.2", "Are user access rights reviewed at least quarterly?", "", "", ""),
        ("", "1.3", "Are shared accounts prohibited?", "", "X", ""),
        ("Logging", "2.1", "Are security logs retained for at least one year?", "", "", ""),
        ("", "2.2", "Are logs protected against tampering?", "", "", "x"),
    ]
    for row in data:
        ws.append([*row, ""])
    ws.merge_cells("A2:A4")
    ws.merge_cells("A5:A6")
    _save(wb, path)


def make_hidden_questions(path: Path) -> None:
    wb = _book()
    cover = wb.active
    cover.title = "Cover"
    cover["A1"] = "Supplier questionnaire"
    cover["A3"] = "Please complete the questionnaire and return it to procurement."
    sheet = wb.create_sheet("Questions")
    sheet.append(["#", "Question", "Response"])
    sheet.append([1, "Do you have a documented information security policy?", None])
    sheet.append([2, "Is the policy reviewed annually?", None])
    sheet.append([3, "Who is responsible for information security?", None])
    sheet.sheet_state = "hidden"
    _save(wb, path)


def make_duplicate_tabs(path: Path) -> None:
    wb = _book()
    shared = [
        ("GNRL-01", "Do you have a dedicated security team?"),
        ("GNRL-02", "Do you carry cyber insurance?"),
    ]
    for title in ("Summary", "Full"):
        ws = wb.active if title == "Summary" else wb.create_sheet(title)
        ws.title = title
        ws.append(["Ref", "Question", "Answer"])
        for ref, text in shared:
            ws.append([ref, text, None])
    wb["Full"].append(["GNRL-03", "Do you perform annual penetration tests?", None])
    _save(wb, path)


CAIQ_HEADER = [
    "Question ID",
    "Question",
    "CSP CAIQ Answer",
    "SSRM Control Ownership",
    "CSP Implementation Description (Optional/Recommended)",
    "CCM Control ID",
    "CCM Control Specification",
    "CCM Domain Title",
]


def make_caiq_like(path: Path) -> None:
    wb = _book()
    intro = wb.active
    intro.title = "Introduction"
    intro["A1"] = "Consensus-style assessment questionnaire (sample written for Trustdesk tests)"
    intro["A3"] = "This workbook contains one tab of questions. Answer Yes, No or NA in column C."
    ws = wb.create_sheet("CAIQ")
    ws["A1"] = "Sample Cloud Assessment Questionnaire v4"
    ws.append([])
    ws.append(CAIQ_HEADER)
    spec = "Establish, document, approve, communicate, apply, evaluate and maintain policies for {}."
    rows = [
        ("A&A-01.1", "Are audit and assurance policies established and documented?", "Yes", "audit"),
        ("A&A-01.2", "Are audit and assurance policies reviewed at least annually?", "Yes", "audit reviews"),
        ("A&A-02.1", "Are independent audits conducted at least annually?", "No", "independent audits"),
        (
            "AIS-01.1",
            "Are application security policies established and documented?",
            "NA",
            "application security",
        ),
        (
            "AIS-01.2",
            "Is the application security policy reviewed at least annually?",
            None,
            "policy reviews",
        ),
    ]
    for qid, question, answer, topic in rows:
        domain = "Audit & Assurance" if qid.startswith("A&A") else "Application & Interface Security"
        ws.append([qid, question, answer, "CSP-owned", None, qid[:-2], spec.format(topic), domain])
    validation = DataValidation(type="list", formula1='"Yes,No,NA"', allow_blank=True)
    validation.add("C4:C8")
    ws.add_data_validation(validation)
    _save(wb, path)


def _hecvat_tab(ws: Worksheet, banners: list[tuple[str, list[tuple[str, str, str | None]]]]) -> None:
    ws.append(["ID", "Question", "Vendor Answers", "Additional Information", "Guidance", "Score"])
    for banner, questions in banners:
        ws.append([banner])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=5)
        for qid, text, answer in questions:
            ws.append(
                [qid, text, answer, None, "Provide supporting detail.", f'=IF(C{ws.max_row + 1}="Yes",1,0)']
            )
    ws.column_dimensions["F"].hidden = True
    validation = DataValidation(type="list", formula1="YesNoNA", allow_blank=True)
    validation.add(f"C2:C{ws.max_row}")
    ws.add_data_validation(validation)


def make_hecvat_like(path: Path) -> None:
    wb = _book()
    start = wb.active
    start.title = "START HERE"
    start["A1"] = "Higher-education style vendor assessment (sample written for Trustdesk tests)"
    start["A3"] = "Instructions: complete the Organization and Product tabs. Do not insert or delete rows."
    org = [
        (
            "Documentation",
            [
                ("DOCU-01", "Have you undergone a SSAE 18 / SOC 2 audit?", "Yes"),
                ("DOCU-02", "Do you have a documented information security policy?", None),
            ],
        ),
        (
            "Company Overview",
            [("COMP-01", "Describe your organization's business background.", "Founded 2010")],
        ),
    ]
    product = [
        (
            "Application Security",
            [
                ("APPL-01", "Are you using a web application firewall (WAF)?", "No"),
                ("APPL-02", "Do you perform source code reviews before release?", None),
            ],
        ),
    ]
    _hecvat_tab(wb.create_sheet("Organization"), org)
    _hecvat_tab(wb.create_sheet("Product"), product)
    summary = wb.create_sheet("Summary")
    summary.append(["ID", "Question", "Answer"])
    for _, questions in org + product:
        for qid, text, answer in questions:
            summary.append([qid, text, answer])
    summary.sheet_state = "hidden"
    lists = wb.create_sheet("Lists")
    for i, choice in enumerate(("Yes", "No", "N/A"), start=1):
        lists.cell(i, 1, choice)
    lists.sheet_state = "hidden"
    wb.defined_names["YesNoNA"] = DefinedName("YesNoNA", attr_text="Lists!$A$1:$A$3")
    _save(wb, path)


CAIQ4_HEADER = [
    "Question ID",
    "Question",
    "CSP CAIQ Answer",
    "SSRM Control Ownership",
    "CSP Implementation Description (Optional/Recommended)",
    "CSC Responsibilities (Optional/Recommended)",
    "CCM Control ID",
    "CCM Control Specification",
    "CCM Control Title",
]
# (domain, control id, control title, specification, [(question id, question, answer, owner, description)])
CAIQ4_CONTROLS: list[tuple[str, str, str, str, list[tuple[str, str, str | None, str | None, str | None]]]] = [
    (
        "Audit & Assurance",
        "A&A-01",
        "Audit Policy",
        "Keep written rules for audits and assurance, approve them, and look at them again each year.",
        [
            (
                "A&A-01.1",
                "Are written audit rules kept, approved and shared with staff?",
                "Yes",
                "CSP-owned",
                "Our audit charter is approved by the board and published on the intranet.",
            ),
            (
                "A&A-01.2",
                "Are those audit rules looked at again at least once a year?",
                "Yes",
                "CSP-owned",
                None,
            ),
        ],
    ),
    (
        "Audit & Assurance",
        "A&A-02",
        "Independent Checks",
        "Have an outside party check the controls on a fixed schedule.",
        [("A&A-02.1", "Does an outside party check your controls at least once a year?", "No", None, None)],
    ),
    (
        "Application & Interface Security",
        "AIS-01",
        "Secure Build Rules",
        "Write down how software is built safely and keep those rules current.",
        [
            (
                "AIS-01.1",
                "Are rules for building software safely written down?",
                "NA",
                "Shared CSP and CSC",
                "Customers build their own workloads; we publish hardening guides.",
            ),
            ("AIS-01.2", "Is the build rulebook refreshed when the tooling changes?", None, None, None),
        ],
    ),
    (
        "Business Continuity Management",
        "BCR-01",
        "Continuity Planning",
        "Plan how the service keeps running during an outage and rehearse the plan.",
        [
            (
                "BCR-01.1",
                "Is there a tested plan to keep the service running during an outage?",
                "Yes",
                "CSP-owned",
                "Failover between two regions is rehearsed twice a year.",
            ),
            ("BCR-01.2", "Are the results of each rehearsal recorded and acted on?", None, None, None),
            ("BCR-01.3", "Do customers receive a summary of the rehearsal results?", None, None, None),
        ],
    ),
]
OWNERSHIP = (
    "CSP-owned",
    "CSC-owned",
    "Third-party outsourced",
    "Shared CSP and CSC",
    "Shared CSP and 3rd-party",
)


def make_caiq_v4_completed(path: Path) -> None:
    """A completed CAIQ v4-style export: a cover tab, a title and an instructions line above the header,
    domain banners, control id/specification/title merged down over each control's questions, two
    validated columns (Yes/No/NA answers and the ownership list), long implementation descriptions."""
    wb = _book()
    cover = wb.active
    cover.title = "Introduction"
    cover["A1"] = "Cloud Controls Self-Assessment (sample in the style of a v4 export, written for Trustdesk)"
    cover["A3"] = "1. Answer each question in the answer column with Yes, No or NA."
    cover["A4"] = "2. Describe how the control is implemented where it helps the reader."
    cover["A5"] = "3. Return the completed workbook to the customer that sent it."
    ws = wb.create_sheet("CAIQv4")
    ws["A1"] = "Cloud Controls Self-Assessment Questionnaire v4 (sample)"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Instructions: select Yes, No or NA in column C; columns G to I restate the control."
    ws.append(CAIQ4_HEADER)
    domain = None
    for name, control, title, spec, questions in CAIQ4_CONTROLS:
        if name != domain:
            ws.append([name])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=9)
            ws.cell(ws.max_row, 1).fill = PatternFill("solid", fgColor="1F4E78")
            domain = name
        first = ws.max_row + 1
        for qid, question, answer, owner, description in questions:
            ws.append([qid, question, answer, owner, description, None, control, spec, title])
        for col in (7, 8, 9):
            ws.merge_cells(start_row=first, start_column=col, end_row=ws.max_row, end_column=col)
    last = ws.max_row
    ws.append([])
    ws.append(["© 2026 Sample Assurance Alliance. All rights reserved. Sample text written for tests."])
    answers = DataValidation(type="list", formula1='"Yes,No,NA"', allow_blank=True)
    answers.add(f"C4:C{last}")
    owners = DataValidation(type="list", formula1="Lists!$A$1:$A$5", allow_blank=True)
    owners.add(f"D4:D{last}")
    ws.add_data_validation(answers)
    ws.add_data_validation(owners)
    ws.freeze_panes = "C4"
    for col, width in zip("ABCDEFGHI", (12, 60, 14, 22, 60, 40, 12, 60, 24), strict=True):
        ws.column_dimensions[col].width = width
    lists = wb.create_sheet("Lists")
    for i, owner in enumerate(OWNERSHIP, start=1):
        lists.cell(i, 1, owner)
    lists.sheet_state = "hidden"
    _save(wb, path)


HECVAT_TABS: dict[str, list[tuple[str, list[tuple[str, str, str | None, str | None]]]]] = {
    "Organization": [
        (
            "Company Overview",
            [
                (
                    "COMP-01",
                    "Describe your company and the service you offer to the institution.",
                    "Hosted learning analytics since 2012.",
                    None,
                ),
                ("COMP-02", "Have you had a data breach in the last three years?", "No", None),
                ("COMP-03", "Do you have a dedicated information security team?", "Yes", "Four people."),
            ],
        ),
        (
            "Policies and Documentation",
            [
                (
                    "DOCU-01",
                    "Do you hold a current independent security attestation (for example SOC 2)?",
                    "Yes",
                    "Report available under NDA.",
                ),
                ("DOCU-02", "Is your information security policy reviewed every year?", None, None),
            ],
        ),
    ],
    "Product": [
        (
            "Application Security",
            [
                (
                    "APPL-01",
                    "Do you test the application for vulnerabilities before each release?",
                    "Yes",
                    None,
                ),
                (
                    "APPL-02",
                    "Can institutions sign in through their own identity provider (SAML)?",
                    None,
                    None,
                ),
                ("APPL-05", "List the third-party components the application depends on.", None, None),
            ],
        ),
        (
            "Data",
            [
                ("DATA-01", "Is institutional data encrypted at rest?", "Yes", "AES-256 via the cloud KMS."),
                ("DATA-02", "Is institutional data stored only in the institution's country?", "No", None),
            ],
        ),
    ],
}
VENDOR_FIELDS = [
    ("GNRL-01", "Vendor name", "Example Learning Ltd"),
    ("GNRL-02", "Product name", "Example Insights"),
    ("GNRL-03", "Product description", None),
    ("GNRL-04", "Security contact name", "Dana Doe"),
    ("GNRL-05", "Security contact email", None),
]


def make_hecvat_full(path: Path) -> None:
    """A HECVAT-style workbook: numbered instructions, a Start Here tab of vendor fields (GNRL-xx), two
    question tabs with a title row above the header, merged banners, a Yes/No validation from a named
    range on Yes/No rows only, free-text rows, an Additional Information column and a hidden score; an
    Analyst Report tab repeats the questions and answers (as the saved results of its formulas)."""
    wb = _book()
    guide = wb.active
    guide.title = "Instructions"
    guide["A1"] = "Higher-education vendor assessment toolkit (sample written for Trustdesk tests)"
    steps = [
        "Complete the Start Here tab before any other tab.",
        "Answer every row on the Organization and Product tabs.",
        "Use the Additional Information column to explain any No answer.",
        "Do not insert or delete rows; the institution's scoring depends on them.",
        "Return the completed workbook to the institution's security office.",
    ]
    for i, step in enumerate(steps, start=1):
        guide.append([f"{i}.", step])
    guide.append(["Version 3.2 sample. © 2026 Sample Consortium."])
    start = wb.create_sheet("Start Here")
    start["A1"] = "Start Here: vendor information"
    start.append(["ID", "Field", "Vendor Response"])
    for qid, field, value in VENDOR_FIELDS:
        start.append([qid, field, value])
    for title, banners in HECVAT_TABS.items():
        ws = wb.create_sheet(title)
        ws["A1"] = f"{title} questions"
        ws.merge_cells("A1:E1")
        ws.append(["ID", "Question", "Vendor Response", "Additional Information", "Score"])
        yes_no = DataValidation(type="list", formula1="YesNo", allow_blank=True)
        for banner, questions in banners:
            ws.append([banner])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=4)
            for qid, text, answer, note in questions:
                row = ws.max_row + 1
                ws.append([qid, text, answer, note, f'=IF(C{row}="Yes",2,0)'])
                if not text.startswith(("Describe", "List")):
                    yes_no.add(f"C{row}")
        ws.add_data_validation(yes_no)
        ws.column_dimensions["E"].hidden = True
    report = wb.create_sheet("Analyst Report")  # in Excel these are formulas; here their saved values
    report.append(["ID", "Question", "Vendor Response", "Score"])
    for banners in HECVAT_TABS.values():
        for _, questions in banners:
            for qid, text, answer, _ in questions:
                report.append([qid, text, answer, 2 if answer == "Yes" else 0])
    lists = wb.create_sheet("Lists")
    lists["A1"], lists["A2"] = "Yes", "No"
    lists.sheet_state = "hidden"
    wb.defined_names["YesNo"] = DefinedName("YesNo", attr_text="Lists!$A$1:$A$2")
    _save(wb, path)


def make_two_row_header(path: Path) -> None:
    wb = _book()
    ws = wb.active
    ws.title = "Assessment"
    ws.append(
        [
            "Control Domain",
            "Question ID",
            "Control Specification",
            "Consensus Assessment Questions",
            "Consensus Assessment Answers",
            None,
            None,
            "Notes",
        ]
    )
    ws.append([None, None, None, None, "Yes", "No", "Not Applicable", None])
    for col in (1, 2, 3, 4, 8):
        ws.merge_cells(start_row=1, start_column=col, end_row=2, end_column=col)
    ws.merge_cells("E1:G1")
    spec = "The organization shall maintain controls for {}."
    data = [
        ("Data Security", "DSI-01.1", "classification", "Do you classify data by sensitivity?", "X", "", ""),
        ("", "DSI-01.2", "labelling", "Do you label data according to its classification?", "", "X", ""),
        ("", "DSI-02.1", "inventory", "Do you keep an inventory of data flows?", "", "", ""),
        (
            "Human Resources",
            "HRS-01.1",
            "screening",
            "Are background checks performed on new staff?",
            "",
            "",
            "X",
        ),
    ]
    for domain, qid, topic, question, yes, no, na in data:
        ws.append([domain, qid, spec.format(topic), question, yes, no, na, None])
    ws.merge_cells("A3:A5")
    _save(wb, path)


def make_semicolon_cp1252(path: Path) -> None:
    lines = [
        "Nº;Question;Réponse;Commentaire",
        "4;Sécurité des données;;",
        "4.1;Les données sont-elles chiffrées au repos ?;Oui;",
        "4.2;Décrivez la gestion des clés de chiffrement;;",
        "4.2.1;Qui a accès aux clés ’maîtres’ ?;;",
        "Page 1 of 1;;;",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


SAMPLES = {
    "sheet_x14_validation.xlsx": make_x14_validation,
    "sheet_x_columns.xlsx": make_x_columns,
    "sheet_hidden_questions.xlsx": make_hidden_questions,
    "sheet_duplicate_tabs.xlsx": make_duplicate_tabs,
    "sheet_caiq_like.xlsx": make_caiq_like,
    "sheet_hecvat_like.xlsx": make_hecvat_like,
    "sheet_two_row_header.xlsx": make_two_row_header,
    "sheet_caiq_v4_completed.xlsx": make_caiq_v4_completed,
    "sheet_hecvat_full.xlsx": make_hecvat_full,
    "semicolon_cp1252.csv": make_semicolon_cp1252,
}


def main(out: Path = HERE) -> list[Path]:
    written = []
    for name, make in SAMPLES.items():
        make(out / name)
        written.append(out / name)
    return written


if __name__ == "__main__":
    for written_path in main():
        print(written_path)
