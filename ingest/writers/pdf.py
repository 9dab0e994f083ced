"""Write answers back to a PDF questionnaire.

A fillable form gets its fields filled (pypdf; ``NeedAppearances`` so every viewer redraws them), with
Yes/No answers mapped onto each field's own export values. A PDF without fields cannot take text in
place, so the answers go to a companion answer sheet (XLSX) keyed by question number.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from pypdf import PdfWriter

from core.errors import InputFileError
from ingest.limits import Limits
from ingest.model import Question
from ingest.readers.pdf import open_checked
from ingest.readers.pdf_forms import group_fields
from ingest.text import match_choice

NAME = "pdf"
SHEET_HEADERS = ("Number", "Section", "Question", "Answer", "Ref")


def fill(src: Path, questions: Sequence[Question], answers: Mapping[str, str], out: Path) -> Path:
    """Fill the form fields of ``src`` into ``out``; without fields write ``<out stem>.answers.xlsx``."""
    by_ref = {q.ref: q for q in questions}
    unknown = sorted(set(answers) - set(by_ref))
    if unknown:
        raise InputFileError(
            f"no question with ref {', '.join(unknown[:5])}",
            where=src.name,
            fix="pass the questions returned by reading this same file",
        )
    chosen = [by_ref[ref] for ref in answers]
    if chosen and all(q.location.kind == "form_field" for q in chosen):
        return fill_form(src, chosen, answers, out)
    return answer_sheet(src, questions, answers, out)


def field_value(question: Question, answer: str) -> str:
    """Text as given; a button's value is one of its export states (``/Yes``), ``/Off`` for no."""
    if question.answer_type not in {"yes_no", "choice"} or not question.choices:
        return answer
    choice = match_choice(answer, question.choices)
    if choice not in question.choices:
        raise InputFileError(
            f"answer {answer!r} is not one of the field's choices {', '.join(question.choices)}",
            where=f"field {question.location.field}",
            fix="answer with one of the listed choices (yes/no answers are mapped automatically)",
        )
    return "/" + choice


def box_values(question: Question, answer: str, states: Mapping[str, list[str]]) -> dict[str, str]:
    """One check box per choice: tick the chosen ones (their own on-state), clear the others."""
    columns = question.location.columns or {}
    wanted = {field_value(question, part.strip()).lstrip("/") for part in answer.split(",") if part.strip()}
    values = {}
    for label, name in columns.items():
        on = (states.get(name) or ["Yes"])[0]
        values[name] = f"/{on}" if label in wanted else "/Off"
    return values


def fill_form(src: Path, questions: Sequence[Question], answers: Mapping[str, str], out: Path) -> Path:
    doc = open_checked(src, limits=Limits())
    states = {item.name: item.states for item in group_fields(doc.reader)}
    writer = PdfWriter(clone_from=doc.reader)
    by_page: dict[int, dict[str, str]] = {}
    for question in questions:
        location = question.location
        assert location.field is not None and location.page is not None
        if location.columns:
            by_page.setdefault(location.page, {}).update(box_values(question, answers[question.ref], states))
        else:
            by_page.setdefault(location.page, {})[location.field] = field_value(
                question, answers[question.ref]
            )
    for page_number, values in sorted(by_page.items()):
        writer.update_page_form_field_values(writer.pages[page_number - 1], values, auto_regenerate=False)
    writer.set_need_appearances_writer(True)
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    writer.write(buffer)
    out.write_bytes(buffer.getvalue())
    return out


def sheet_path(out: Path) -> Path:
    return out if out.suffix.lower() == ".xlsx" else out.with_name(f"{out.stem}.answers.xlsx")


def answer_sheet(src: Path, questions: Sequence[Question], answers: Mapping[str, str], out: Path) -> Path:
    """Every question of ``src`` in order, with its answer (blank when unanswered), as an XLSX."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Answers"
    sheet.append(list(SHEET_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for question in questions:
        answer = answers.get(question.ref)
        sheet.append([question.number, question.section, question.text, answer, question.ref])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s" if cell.value is not None else cell.data_type  # never a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDE", (10, 24, 70, 50, 14), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    sheet["G1"] = f"Answers for {src.name}"
    target = sheet_path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    return target
