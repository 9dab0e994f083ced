"""Each spreadsheet layout of ``tests/samples/`` (made by ``make_xlsx_samples.py``) and what it must yield."""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

import ingest
from tests.samples import make_xlsx_samples

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_samples_are_reproducible_from_the_generator(tmp_path: Path) -> None:
    for written in make_xlsx_samples.main(tmp_path):
        assert written.read_bytes() == (SAMPLES / written.name).read_bytes(), (
            f"re-run make_xlsx_samples: {written.name}"
        )


def test_header_below_a_preamble_and_x14_choices_from_a_defined_name() -> None:
    result = ingest.parse(SAMPLES / "sheet_x14_validation.xlsx")
    assert [q.number for q in result.questions] == [
        "A&A-01.1",
        "A&A-01.2",
        "BCR-01.1",
        "BCR-02.1",
        "BCR-03.1",
    ]
    assert result.detected["sheets"]["Security"]["header_row"] == 4
    first = result.questions[0]
    assert first.choices == ("Yes", "No", "N/A"), "x14 validation -> AnswerChoices -> hidden Lists!A1:A3"
    assert first.answer_type == "yes_no"
    assert first.location.cell == "D6"


def test_banners_footers_and_sentinels_are_not_questions() -> None:
    result = ingest.parse(SAMPLES / "sheet_x14_validation.xlsx")
    texts = " ".join(q.text for q in result.questions)
    assert "rights reserved" not in texts and "End of table" not in texts and "Instructions" not in texts
    assert result.sections == ["Application & Interface Security", "Business Continuity"]
    assert result.questions[2].text.startswith("Describe your business continuity plan")


def test_existing_answer_is_read() -> None:
    by_number = {q.number: q for q in ingest.parse(SAMPLES / "sheet_x14_validation.xlsx").questions}
    assert by_number["A&A-01.2"].existing_answer == "Yes"
    assert by_number["A&A-01.1"].existing_answer is None


def test_x_in_one_of_three_columns_is_the_answer() -> None:
    result = ingest.parse(SAMPLES / "sheet_x_columns.xlsx")
    answers = [q.existing_answer for q in result.questions]
    assert answers == ["Yes", None, "No", None, "N/A"]
    first = result.questions[0]
    assert first.location.columns == {"Yes": "D2", "No": "E2", "N/A": "F2"}
    assert first.answer_type == "yes_no"


def test_merged_section_cells_are_filled_down() -> None:
    sections = [q.section for q in ingest.parse(SAMPLES / "sheet_x_columns.xlsx").questions]
    assert sections == ["Access Control"] * 3 + ["Logging"] * 2


def test_hidden_sheet_is_read_when_it_alone_holds_the_questions() -> None:
    result = ingest.parse(SAMPLES / "sheet_hidden_questions.xlsx")
    assert [q.number for q in result.questions] == ["1", "2", "3"]
    assert {q.location.sheet for q in result.questions} == {"Questions"}


def test_same_question_on_two_tabs_is_counted_once() -> None:
    result = ingest.parse(SAMPLES / "sheet_duplicate_tabs.xlsx")
    assert [q.number for q in result.questions] == ["GNRL-01", "GNRL-02", "GNRL-03"]
    assert result.detected["sheets"]["Full"]["duplicates_of_other_sheets"] == 2


def test_reader_is_chosen_by_content_not_by_name(tmp_path: Path) -> None:
    renamed = tmp_path / "upload.bin"
    shutil.copy(SAMPLES / "sheet_x_columns.xlsx", renamed)
    assert ingest.detect(renamed) == "xlsx"
    result = ingest.parse(renamed, filename="checklist.xlsx")
    assert result.source == "checklist.xlsx" and len(result.questions) == 5
    assert result.detected["scores"]["xlsx"] > result.detected["scores"].get("csv", 0)


def test_completed_caiq_style_sheet_reads_answers_and_ignores_the_control_specification() -> None:
    result = ingest.parse(SAMPLES / "sheet_caiq_like.xlsx")
    assert [q.number for q in result.questions] == [
        "A&A-01.1",
        "A&A-01.2",
        "A&A-02.1",
        "AIS-01.1",
        "AIS-01.2",
    ]
    assert [q.existing_answer for q in result.questions] == ["Yes", "Yes", "No", "NA", None]
    assert result.questions[0].location.cell == "C4", "the 'CSP CAIQ Answer' column, not the description"
    assert result.questions[0].choices == ("Yes", "No", "NA") and result.questions[0].answer_type == "yes_no"
    assert result.questions[3].section == "Application & Interface Security", (
        "from the 'CCM Domain Title' column"
    )


def test_hecvat_style_tabs_banners_named_range_choices_and_hidden_summary() -> None:
    result = ingest.parse(SAMPLES / "sheet_hecvat_like.xlsx")
    assert [q.number for q in result.questions] == ["DOCU-01", "DOCU-02", "COMP-01", "APPL-01", "APPL-02"]
    assert [q.section for q in result.questions] == ["Documentation"] * 2 + ["Company Overview"] + [
        "Application Security"
    ] * 2
    assert {q.location.sheet for q in result.questions} == {"Organization", "Product"}
    assert "Summary" in result.detected["hidden_sheets_skipped"]
    assert result.questions[0].choices == ("Yes", "No", "N/A"), "validation -> defined name YesNoNA -> Lists"
    assert result.questions[2].existing_answer == "Founded 2010"


def test_two_row_header_with_yes_no_not_applicable_sub_headers() -> None:
    result = ingest.parse(SAMPLES / "sheet_two_row_header.xlsx")
    assert [q.number for q in result.questions] == ["DSI-01.1", "DSI-01.2", "DSI-02.1", "HRS-01.1"]
    assert [q.existing_answer for q in result.questions] == ["Yes", "No", None, "Not Applicable"]
    assert result.questions[0].location.columns == {"Yes": "E3", "No": "F3", "Not Applicable": "G3"}
    assert [q.section for q in result.questions] == ["Data Security"] * 3 + ["Human Resources"]
    assert "classify data" in result.questions[0].text, "the question column, not the control specification"


def test_answered_rows_are_not_mistaken_for_a_repeated_header(tmp_path: Path) -> None:
    """A bug seen on a large generated sheet: rows answered "Yes" beside a "Domain 3" cell and a comment
    read like a header (choice + section + other roles) and were skipped."""
    wb = Workbook()
    ws = wb.active
    ws.append(["ID", "Domain", "Question", "Answer", "Comments"])
    for i in range(1, 7):
        ws.append(
            [
                f"Q-{i}",
                f"Domain {i // 3}",
                f"Do you perform control {i} yearly?",
                "Yes" if i % 2 else None,
                "comment",
            ]
        )
    path = tmp_path / "answered.xlsx"
    wb.save(path)
    result = ingest.parse(path)
    assert [q.number for q in result.questions] == [f"Q-{i}" for i in range(1, 7)]
    assert [q.existing_answer for q in result.questions] == ["Yes", None] * 3


def test_a_chart_sheet_is_passed_over(tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    wb = Workbook()
    ws = wb.active
    ws.append(["#", "Question", "Answer"])
    ws.append([1, "Do you back up daily?", 1])
    ws.append([2, "Do you test restores?", 0])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=3), titles_from_data=True)
    wb.create_chartsheet("Chart").add_chart(chart)
    path = tmp_path / "with_chart.xlsx"
    wb.save(path)
    assert [q.number for q in ingest.parse(path).questions] == ["1", "2"]


def test_english_version_of_a_field_is_preferred_and_the_other_language_fills_its_gaps(
    tmp_path: Path,
) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Réf", "Question (FR)", "Question (EN)", "Réponse"])
    ws.append(["1", "Chiffrez-vous les sauvegardes ?", "Do you encrypt backups?", None])
    ws.append(["2", "Testez-vous la restauration ?", "Do you test restores?", "Oui"])
    ws.append(["3", "Disposez-vous d'un SOC ?", None, None])
    path = tmp_path / "bilingual.xlsx"
    wb.save(path)
    result = ingest.parse(path)
    assert [q.text for q in result.questions] == [
        "Do you encrypt backups?",
        "Do you test restores?",
        "Disposez-vous d'un SOC ?",
    ]
    assert result.questions[1].existing_answer == "Oui" and result.questions[0].location.cell == "D2"
    assert any("English version" in r for r in result.detected["sheets"]["Sheet"]["reasons"])


CAIQ4_NUMBERS = [
    "A&A-01.1",
    "A&A-01.2",
    "A&A-02.1",
    "AIS-01.1",
    "AIS-01.2",
    "BCR-01.1",
    "BCR-01.2",
    "BCR-01.3",
]


def test_caiq_v4_export_yields_its_questions_and_not_the_instructions_tab() -> None:
    result = ingest.parse(SAMPLES / "sheet_caiq_v4_completed.xlsx")
    assert [q.number for q in result.questions] == CAIQ4_NUMBERS
    assert {q.location.sheet for q in result.questions} == {"CAIQv4"}
    assert "Introduction" in result.detected["sheets_without_questions"], (
        "numbered instructions are not questions"
    )
    assert result.detected["sheets"]["CAIQv4"]["header_row"] == 3
    assert [q.section for q in result.questions] == ["Audit & Assurance"] * 3 + [
        "Application & Interface Security"
    ] * 2 + ["Business Continuity Management"] * 3


def test_caiq_v4_answers_go_to_the_yes_no_column_not_the_description_or_ownership() -> None:
    questions = ingest.parse(SAMPLES / "sheet_caiq_v4_completed.xlsx").questions
    assert [q.location.cell for q in questions[:3]] == ["C5", "C6", "C7"], "'CSP CAIQ Answer' is column C"
    assert all(q.choices == ("Yes", "No", "NA") and q.answer_type == "yes_no" for q in questions), (
        "choices from the Yes/No/NA validation, not the SSRM ownership list"
    )
    assert [q.existing_answer for q in questions] == ["Yes", "Yes", "No", "NA", None, "Yes", None, None]
    assert "written audit rules" in questions[0].text and "outside party" not in questions[0].text


def test_hecvat_workbook_reads_start_here_fields_and_question_tabs_once() -> None:
    result = ingest.parse(SAMPLES / "sheet_hecvat_full.xlsx")
    numbers = [q.number for q in result.questions]
    assert numbers == [
        *(f"GNRL-0{i}" for i in range(1, 6)),
        *("COMP-01", "COMP-02", "COMP-03", "DOCU-01", "DOCU-02"),
        *("APPL-01", "APPL-02", "APPL-05", "DATA-01", "DATA-02"),
    ]
    assert "Instructions" in result.detected["sheets_without_questions"]
    assert result.detected["sheets"]["Analyst Report"]["duplicates_of_other_sheets"] == 10
    by_number = {q.number: q for q in result.questions}
    assert by_number["GNRL-01"].existing_answer == "Example Learning Ltd"
    assert by_number["GNRL-01"].location.cell == "C3" and by_number["GNRL-03"].existing_answer is None
    assert by_number["APPL-01"].location.sheet == "Product", "the question tab, not the report repeating it"


def test_hecvat_yes_no_rows_get_the_validation_choices_and_free_text_rows_none() -> None:
    by_number = {q.number: q for q in ingest.parse(SAMPLES / "sheet_hecvat_full.xlsx").questions}
    assert by_number["COMP-02"].choices == ("Yes", "No") and by_number["COMP-02"].answer_type == "yes_no"
    assert by_number["COMP-02"].location.cell == "C5", "'Vendor Response', not 'Additional Information'"
    assert by_number["COMP-02"].existing_answer == "No"
    assert by_number["APPL-05"].choices == () and by_number["APPL-05"].answer_type == "text"
    assert by_number["COMP-01"].existing_answer == "Hosted learning analytics since 2012."
    assert by_number["DATA-01"].section == "Data" and by_number["COMP-01"].section == "Company Overview"


def test_completed_caiq_and_hecvat_answers_can_be_replaced_and_read_back(tmp_path: Path) -> None:
    for name in ("sheet_caiq_v4_completed.xlsx", "sheet_hecvat_full.xlsx"):
        src = SAMPLES / name
        questions = ingest.parse(src).questions
        answers = {
            q.ref: ("No" if q.existing_answer == "Yes" else "yes") if q.choices else f"Answer to {q.number}"
            for q in questions
        }
        out = ingest.fill(src, questions, answers, tmp_path / name)
        again = ingest.parse(out)
        assert [q.number for q in again.questions] == [q.number for q in questions]
        expected = [answers[q.ref] if not q.choices else answers[q.ref].capitalize() for q in questions]
        assert [q.existing_answer for q in again.questions] == expected, name


def test_a_completed_answer_column_in_capitals_is_not_taken_for_answer_type_codes(tmp_path: Path) -> None:
    """Codes such as ``YNANA`` name answer types; ``YES`` / ``NO`` / ``NA`` in capitals are answers."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Question ID", "Question", "CSP CAIQ Answer", "Notes"])
    for i in range(1, 9):
        ws.append(
            [f"IVS-0{i}.1", f"Is network control {i} reviewed every year?", ("YES", "NO", "NA")[i % 3], None]
        )
    path = tmp_path / "capitals.xlsx"
    wb.save(path)
    questions = ingest.parse(path).questions
    assert [q.existing_answer for q in questions[:3]] == ["NO", "NA", "YES"]
    assert questions[0].location.cell == "C2"


def test_numbered_steps_about_tabs_and_columns_are_instructions_whatever_the_tab_is_called(
    tmp_path: Path,
) -> None:
    wb = Workbook()
    welcome = wb.active
    welcome.title = "Welcome"
    welcome.append(["1.", "Answer each question in column C of the Security tab."])
    welcome.append(["2.", "Use the drop-down in each row to pick Yes or No."])
    welcome.append(["3.", "Send the completed questionnaire back to your contact."])
    ws = wb.create_sheet("Security")
    ws.append(["#", "Question", "Answer"])
    ws.append(["1", "Have you completed a penetration test this year?", "Yes"])
    ws.append(["2", "Is a risk assessment completed for every new supplier?", None])
    path = tmp_path / "welcome.xlsx"
    wb.save(path)
    result = ingest.parse(path)
    assert [(q.location.sheet, q.number) for q in result.questions] == [("Security", "1"), ("Security", "2")]
    assert result.detected["sheets_without_questions"] == ["Welcome"]


def test_a_report_tab_before_the_question_tab_does_not_take_its_questions(tmp_path: Path) -> None:
    """A summary tab repeating questions and answers (formulas, read by their saved values) may come first;
    answers belong on the tab where they are entered: the one whose answer cells have a validation."""
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    entry = wb.create_sheet("Questions")
    rows = [("HFIH-01", "Do you have a formal incident response plan?", "Yes")]
    rows.append(("HFIH-02", "Do you notify customers of incidents within 72 hours?", None))
    for ws in (summary, entry):
        ws.append(["ID", "Question", "Vendor Answer"])
        for row in rows:
            ws.append(list(row))
    validation = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True)
    validation.add("C2:C3")
    entry.add_data_validation(validation)
    path = tmp_path / "report_first.xlsx"
    wb.save(path)
    result = ingest.parse(path)
    assert [(q.number, q.location.sheet, q.location.cell) for q in result.questions] == [
        ("HFIH-01", "Questions", "C2"),
        ("HFIH-02", "Questions", "C3"),
    ]
    assert result.questions[0].existing_answer == "Yes" and result.questions[0].choices == ("Yes", "No")
    assert result.detected["sheets"]["Summary"]["duplicates_of_other_sheets"] == 2
