"""Write answers into a copy of a Word questionnaire, keeping its styles.

A table question's answer replaces the text of its answer cell (the cell's first run keeps its
formatting). A paragraph question's answer replaces the plain paragraph that already follows it, or
goes into a new paragraph inserted right after the question (Normal style, never numbered).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path

from docx.document import Document
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from core.errors import InputFileError
from ingest.limits import Limits
from ingest.model import Question
from ingest.readers._vocabulary import CHECKED, UNCHECKED
from ingest.readers.docx import Block, blocks, box_label, following, open_document
from ingest.readers.docx_controls import Control, render, set_checked, set_value, tick
from ingest.readers.docx_numbering import W
from ingest.readers.docx_tables import cell_controls, cell_text
from ingest.readers.pdf_tables import checkboxes
from ingest.text import clean_text, match_choice

NAME = "docx"


def fill(src: Path, questions: Sequence[Question], answers: Mapping[str, str], out: Path) -> Path:
    """Copy ``src`` to ``out`` with each answer (keyed by ``Question.ref``) at its question's location."""
    document = open_document(src, limits=Limits())
    by_ref = {q.ref: q for q in questions}
    unknown = sorted(set(answers) - set(by_ref))
    if unknown:
        raise InputFileError(
            f"no question with ref {', '.join(unknown[:5])}",
            where=src.name,
            fix="pass the questions returned by reading this same file",
        )
    target = Target(document)
    # Last paragraph first, so that inserted answer paragraphs never shift a question still to come.
    for question in sorted((by_ref[ref] for ref in answers), key=lambda q: -(q.location.paragraph or 0)):
        if not target.write(question, answers[question.ref]):
            raise InputFileError(
                f"question {question.ref} has a {question.location.kind} location, not a Word one",
                where=src.name,
                fix="use the writer of the format the questions were read from",
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out


class Target:
    """The document's paragraphs, tables and existing answer paragraphs, indexed as the reader saw them."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.answers = _paragraph_map(document, "text")
        self.options = _paragraph_map(document, "item")
        items = list(blocks(document))
        self.paragraphs = [b.paragraph for b in items if b.paragraph is not None]
        self.tables = [b.table for b in items if b.table is not None]
        self.cells: dict[int, list[_Cell]] = {}

    def write(self, question: Question, text: str) -> bool:
        location = question.location
        if location.kind == "docx_cell" and None not in (location.table, location.row, location.col):
            assert location.table is not None and location.row is not None and location.col is not None
            table = self.tables[location.table]
            if location.columns:
                mark_column(table, location.row, location.columns, question, text, self.cells)
                return True
            cell = cell_at(table, location.row, location.col, self.cells)
            controls = cell_controls(cell._tc)
            if not fill_controls(controls, cell_text(cell), question.choices, text) and not tick_boxes(
                cell, question.choices, text
            ):
                set_cell_text(cell, match_choice(text, question.choices))
            return True
        if location.kind == "docx_paragraph" and location.paragraph is not None:
            index = location.paragraph
            paragraph = self.paragraphs[index]
            parts = render(paragraph._p)
            options = [self.paragraphs[i] for i in self.options.get(index, [])]
            if (
                not fill_controls(parts.controls, parts.text, question.choices, text)
                and not tick_boxes(paragraph, question.choices, text)
                and not tick_options(options, question.choices, text)
            ):
                _write_after(self.document, self.paragraphs, index, self.answers.get(index, []), text)
            return True
        return False


def mark_column(
    table: Table,
    row: int,
    columns: dict[str, str],
    question: Question,
    answer: str,
    cache: dict[int, list[_Cell]],
) -> None:
    """Yes | No | N/A columns: an ``X`` in the chosen one, the others cleared."""
    chosen = match_choice(answer, tuple(columns))
    if chosen not in columns:
        raise InputFileError(
            f"answer {answer!r} is not one of the columns {', '.join(columns)}",
            where=f"question {question.number or question.ref}",
            fix="answer with one of the column headings (yes/no answers are mapped automatically)",
        )
    for label, col in columns.items():
        set_cell_text(cell_at(table, row, int(col), cache), "X" if label == chosen else "")


def fill_controls(controls: list[Control], shown: str, choices: tuple[str, ...], answer: str) -> bool:
    """Answer through the form controls at the location: tick the check boxes whose labels are chosen,
    or write into the first text, date or drop-down control. ``False`` when there is none to use."""
    start = min((shown.find(ch) for ch in CHECKED + UNCHECKED if ch in shown), default=-1)
    found = checkboxes(shown[start:]) if start >= 0 else None
    if found is not None and any(c.kind == "checkbox" for c in controls):
        wanted = {match_choice(part.strip(), choices or found[0]) for part in answer.split(",")}
        if wanted <= set(found[0]):
            tick(controls, found[0], wanted)
            return True
    values = [c for c in controls if c.kind in ("text", "date", "dropdown")]
    if values:
        set_value(values[0], answer)
        return True
    return False


def _paragraph_map(document: Document, wanted: str) -> dict[int, list[int]]:
    """Question paragraph index -> indices of the paragraphs of kind ``wanted`` that follow it: ``text``
    (its answer) or ``item`` (its choices, one per line)."""
    result: dict[int, list[int]] = {}
    run: list[Block] = []
    for block in [*blocks(document), Block()]:
        if block.paragraph is not None:
            run.append(block)
            continue
        for position, after in following(run, wanted).items():
            result[run[position].index] = [b.index for b in after]
        run = []
    return result


def tick_options(options: list[Paragraph], choices: tuple[str, ...], answer: str) -> bool:
    """Choices printed one per line under the question, each with its box (``☐ Daily``): tick the
    chosen ones, clear the others; a form check box is set, a printed glyph is replaced."""
    texts = [clean_text(render(p._p).text) for p in options]
    if not choices or not texts or not all(t[:1] in CHECKED + UNCHECKED for t in texts):
        return False
    labels = [box_label(t) for t in texts]
    wanted = {match_choice(part.strip(), choices) for part in answer.split(",") if part.strip()}
    if not wanted <= set(labels):
        return False
    for paragraph, label in zip(options, labels, strict=True):
        on = label in wanted
        boxes = [c for c in render(paragraph._p).controls if c.kind == "checkbox"]
        if boxes:
            set_checked(boxes[0], on)
            continue
        for run in paragraph.runs:
            glyph = next((ch for ch in run.text if ch in CHECKED + UNCHECKED), None)
            if glyph is not None:
                run.text = run.text.replace(glyph, CHECKED[0] if on else UNCHECKED[0], 1)
                break
    return True


def cell_at(table: Table, row: int, col: int, cache: dict[int, list[_Cell]]) -> _Cell:
    """``table.cell(row, col)`` without rebuilding the cell grid on every call (it is O(table size))."""
    if id(table) not in cache:
        cache[id(table)] = list(table._cells)
    cell: _Cell = cache[id(table)][row * table._column_count + col]
    return cell


def tick_boxes(cell: _Cell | Paragraph, choices: tuple[str, ...], answer: str) -> bool:
    """Tick the box printed before the chosen label (``☐ Yes ☐ No``), keeping every run's formatting."""
    text = cell.text
    start = min((text.find(ch) for ch in CHECKED + UNCHECKED if ch in text), default=-1)
    found = checkboxes(text[start:]) if start >= 0 else None
    if found is None or not choices:
        return False
    wanted = {match_choice(part.strip(), choices) for part in answer.split(",")}
    if not wanted <= set(found[0]):
        return False
    glyphs = iter(CHECKED[0] if label in wanted else UNCHECKED[0] for label in found[0])
    for paragraph in cell.paragraphs if isinstance(cell, _Cell) else [cell]:
        for run in paragraph.runs:
            if any(ch in CHECKED + UNCHECKED for ch in run.text):
                run.text = "".join(next(glyphs, ch) if ch in CHECKED + UNCHECKED else ch for ch in run.text)
    return True


def set_cell_text(cell: _Cell, text: str) -> None:
    """Replace a cell's text, keeping the first paragraph's style and the first run's formatting; a
    content control in the cell receives the text and stops showing its placeholder."""
    control = next(cell._tc.iter(f"{W}sdt"), None)
    if control is not None and next(control.iter(f"{W}p"), None) is not None:
        for flag in control.iter(f"{W}showingPlcHdr"):
            flag.getparent().remove(flag)
        _replace_text(Paragraph(next(control.iter(f"{W}p")), cell), text)
        return
    paragraphs = cell.paragraphs or [cell.add_paragraph()]
    _replace_text(paragraphs[0], text)
    for extra in paragraphs[1:]:
        extra._p.getparent().remove(extra._p)


def _write_after(
    document: Document, paragraphs: list[Paragraph], index: int, answer_indices: list[int], text: str
) -> None:
    if answer_indices:
        target = paragraphs[answer_indices[0]]
        _replace_text(target, text)
        for extra in sorted(answer_indices[1:], reverse=True):
            node = paragraphs[extra]._p
            node.getparent().remove(node)
        return
    question = paragraphs[index]
    new = copy.deepcopy(question._p)
    for child in list(new):
        new.remove(child)
    question._p.addnext(new)
    paragraph = Paragraph(new, question._parent)
    paragraph.style = document.styles["Normal"]
    paragraph.add_run(text)


def _replace_text(paragraph: Paragraph, text: str) -> None:
    runs = paragraph.runs
    if runs:
        runs[0].text = text
        for run in runs[1:]:
            run._r.getparent().remove(run._r)
    else:
        paragraph.add_run(text)
