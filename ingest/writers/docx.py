"""Write answers into a copy of a Word questionnaire, keeping its styles.

A table question's answer replaces the text of its answer cell (the cell's first run keeps its
formatting). A paragraph question's answer replaces the plain paragraph that already follows it, or
goes into a new paragraph inserted right after the question (Normal style, never numbered).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path

import docx
from docx.document import Document
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from core.errors import InputFileError
from ingest.limits import Limits
from ingest.model import Question
from ingest.readers.docx import Block, answer_paragraphs, blocks, open_document

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
    paragraph_answers = _paragraph_answer_map(document)
    ordered = sorted(
        (by_ref[ref] for ref in answers),
        key=lambda q: -(q.location.paragraph if q.location.paragraph is not None else -1),
    )
    for question in ordered:
        text = answers[question.ref]
        location = question.location
        if location.kind == "docx_cell":
            assert location.table is not None and location.row is not None and location.col is not None
            set_cell_text(document.tables[location.table].cell(location.row, location.col), text)
        elif location.kind == "docx_paragraph" and location.paragraph is not None:
            _write_after(document, location.paragraph, paragraph_answers.get(location.paragraph, []), text)
        else:
            raise InputFileError(
                f"question {question.ref} has a {location.kind} location, not a Word one",
                where=src.name,
                fix="use the writer of the format the questions were read from",
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out


def _paragraph_answer_map(document: Document) -> dict[int, list[int]]:
    """Question paragraph index -> indices of the plain paragraphs that follow it (its answer)."""
    result: dict[int, list[int]] = {}
    run: list[Block] = []
    for block in [*blocks(document), Block()]:
        if block.paragraph is not None:
            run.append(block)
            continue
        for position, following in answer_paragraphs(run).items():
            result[run[position].index] = [b.index for b in following]
        run = []
    return result


def set_cell_text(cell: _Cell, text: str) -> None:
    """Replace a cell's text, keeping the first paragraph's style and the first run's formatting."""
    paragraphs = cell.paragraphs
    first = paragraphs[0]
    runs = first.runs
    if runs:
        runs[0].text = text
        for run in runs[1:]:
            run._r.getparent().remove(run._r)
    else:
        first.add_run(text)
    for extra in paragraphs[1:]:
        extra._p.getparent().remove(extra._p)


def _write_after(document: Document, index: int, answer_indices: list[int], text: str) -> None:
    paragraphs = document.paragraphs
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


__all__ = ["NAME", "docx", "fill", "set_cell_text"]
