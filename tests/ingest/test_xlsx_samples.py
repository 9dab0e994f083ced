"""Each spreadsheet layout of ``tests/samples/`` (made by ``make_xlsx_samples.py``) and what it must yield."""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import Workbook

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
