"""Word documents: questions in tables and in numbered, bulleted or plain paragraphs.

Pipeline: ``check_file`` (zip guard) -> ``open_document`` -> ``blocks`` (body paragraphs and tables in
order, each paragraph with Word's printed number from ``docx_numbering``) -> ``paragraph_questions`` and
``table_questions`` -> one ``Questionnaire``. Headings become sections.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import docx
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from core.errors import CorruptFile, TrustdeskError, UnsupportedFormat
from ingest.limits import Limits
from ingest.model import Location, Question, Questionnaire
from ingest.readers.docx_numbering import Numbering, Styles, W
from ingest.readers.pdf_tables import (
    Layout,
    Row,
    find_layout,
    infer_yes_no,
    inline_choices,
    read_row,
    row_choices,
    trailing_choices,
)
from ingest.sniff import check_file
from ingest.text import (
    answer_type_for,
    clean_text,
    is_noise,
    is_question_text,
    normalize_number,
    split_number,
)

NAME = "docx"

_MULTI = re.compile(r"\b(?:all that apply|select all|check all|tick all)\b", re.IGNORECASE)
_ANSWER_PREFIX = re.compile(r"^(?:answer|response|reply|vendor response)\s*[:\-]\s*", re.IGNORECASE)


def score(head: bytes, filename: str) -> int:
    """A ZIP whose members include ``word/document.xml``; the name only breaks ties."""
    if not head.startswith(b"PK\x03\x04"):
        return 0
    if b"word/document" in head:
        return 90
    if b"xl/workbook" in head or b"ppt/presentation" in head:
        return 0
    return 30 if filename.lower().endswith((".docx", ".docm")) else 0


@dataclass
class Block:
    """A body paragraph (index and printed number) or a table (index), content controls included."""

    paragraph: Paragraph | None = None
    index: int = -1
    label: str | None = None
    table: Table | None = None
    table_index: int = -1
    style: str = ""
    kind: str = ""


@dataclass
class Collected:
    questions: list[Question] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    section: str | None = None
    tables: list[dict[str, Any]] = field(default_factory=list)

    def set_section(self, title: str) -> None:
        self.section = title
        if title not in self.sections:
            self.sections.append(title)


def open_document(path: Path, *, limits: Limits) -> Document:
    kind = check_file(path, limits=limits, display=path.name)
    if kind != "docx":
        raise UnsupportedFormat(
            f"the content is not a Word document (it looks like {kind})",
            where=path.name,
            fix="upload the .docx itself, or save the file as .docx from Word",
        )
    reject_dtd(path)
    try:
        return docx.Document(str(path))
    except Exception as exc:  # untrusted input: any parser failure is a damaged file, never a crash
        raise _corrupt(path, exc) from exc


def _corrupt(path: Path, exc: BaseException) -> CorruptFile:
    return CorruptFile(
        f"the Word document could not be read ({type(exc).__name__}: {exc})",
        where=path.name,
        fix="open it in Word and save it again as .docx",
    )


def reject_dtd(path: Path) -> None:
    """Refuse DTDs and entity declarations in any XML part (XML bombs, XXE) before parsing anything."""
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not info.filename.endswith((".xml", ".rels")):
                continue
            with zf.open(info) as fh:
                prolog = fh.read(4096)
            if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                raise CorruptFile(
                    f"the document contains disallowed XML constructs (DTD/entities) in {info.filename}",
                    where=path.name,
                    fix="open it in Word and save it again as .docx; if it came from outside, do not trust it",
                )


def read(path: Path, *, limits: Limits) -> Questionnaire:
    document = open_document(path, limits=limits)
    try:
        found = collect(document)
    except TrustdeskError:
        raise
    except Exception as exc:  # untrusted input: any parser failure is a damaged file, never a crash
        raise _corrupt(path, exc) from exc
    questions = found.questions
    warnings = (
        []
        if questions
        else [f"{path.name}: no questions found in {len(found.tables)} table(s) or paragraphs"]
    )
    return Questionnaire(
        source=str(path),
        reader=NAME,
        questions=questions,
        sections=found.sections,
        warnings=warnings,
        detected={
            "tables": found.tables,
            "paragraph_questions": sum(q.location.kind == "docx_paragraph" for q in questions),
        },
    )


def collect(document: Document) -> Collected:
    """Questions from the paragraphs between tables and from each table, in document order."""
    found = Collected()
    pending: list[Block] = []
    for block in blocks(document):
        if block.table is not None:
            found.questions.extend(paragraph_questions(pending, found))
            pending = []
            found.questions.extend(table_questions(block.table, block.table_index, found))
        else:
            pending.append(block)
    found.questions.extend(paragraph_questions(pending, found))
    return found


def blocks(document: Document) -> Iterator[Block]:
    """Body paragraphs and tables in document order, content controls included; numbering counters
    advance as Word's do."""
    styles = Styles.from_element(document.styles.element)
    numbering = Numbering.from_element(_numbering_root(document), styles.numbered_styles())
    p_index = t_index = 0
    for item in body_items(document._body._body, document._body):
        if isinstance(item, Table):
            yield Block(table=item, table_index=t_index)
            t_index += 1
            continue
        ppr = item._p.pPr
        num = styles.num_pr(ppr)
        label = numbering.advance(*num) if num else None
        block = Block(paragraph=item, index=p_index, label=label, style=styles.name(ppr))
        block.kind = paragraph_kind(block)
        yield block
        p_index += 1


def body_items(element: Any, parent: Any) -> Iterator[Paragraph | Table]:
    """``w:p`` and ``w:tbl`` children, descending into block-level content controls (``w:sdt``)."""
    for child in element.iterchildren():
        if child.tag == f"{W}p":
            yield Paragraph(child, parent)
        elif child.tag == f"{W}tbl":
            yield Table(child, parent)
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from body_items(content, parent)


def cell_text(cell: Any) -> str:
    """All text in a cell, content controls included; a control still showing its placeholder is empty."""
    lines = []
    for paragraph in cell._tc.iter(f"{W}p"):
        if _in_placeholder(paragraph, cell._tc):
            continue
        marks = {f"{W}tab": " ", f"{W}br": "\n"}
        nodes = paragraph.iter(f"{W}t", f"{W}tab", f"{W}br")
        lines.append("".join(node.text or "" if node.tag == f"{W}t" else marks[node.tag] for node in nodes))
    return "\n".join(lines)


def _in_placeholder(node: Any, stop: Any) -> bool:
    while node is not None and node is not stop:
        if node.tag == f"{W}sdt":
            props = node.find(f"{W}sdtPr")
            if props is not None and props.find(f"{W}showingPlcHdr") is not None:
                return True
        node = node.getparent()
    return False


def _numbering_root(document: Document) -> Any | None:
    try:
        return document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return None


def heading_level(name: str) -> int | None:
    match = re.match(r"^(?:heading|überschrift|titre|título)\s*(\d)", name, re.IGNORECASE)
    return int(match.group(1)) if match else None


def answer_paragraphs(items: list[Block]) -> dict[int, list[Block]]:
    """For each question paragraph (by position in ``items``), the plain paragraphs that follow it."""
    return following(items, "text")


def following(items: list[Block], wanted: str) -> dict[int, list[Block]]:
    """For each question (by position), the paragraphs of kind ``wanted`` up to the next question or heading."""
    found: dict[int, list[Block]] = {}
    owner: int | None = None
    for position, block in enumerate(items):
        kind = block.kind
        if kind in {"question", "heading"}:
            owner = position if kind == "question" else None
            if owner is not None:
                found[owner] = []
        elif kind == wanted and owner is not None:
            found[owner].append(block)
    return found


def paragraph_kind(block: Block) -> str:
    """``heading``, ``question``, ``noise``, ``item`` (a list entry: maybe a choice) or ``text`` (an answer)."""
    assert block.paragraph is not None
    text = clean_text(block.paragraph.text)
    if heading_level(block.style) is not None:
        if text.endswith("?") and is_question_text(split_number(text)[1]):
            return "question"  # questions set as headings (RFP style)
        return "heading" if text else "noise"
    if not text or is_noise(text):
        return "noise"
    prefix, rest = split_number(text)
    numbered = bool(block.label) or prefix is not None
    if is_question_text(rest) and (numbered or block.label == "" or text.endswith("?")):
        return "question"
    if numbered and text.endswith(":") and len(text.split()) <= 12:
        return "question"
    return "item" if numbered or block.label == "" else "text"


def paragraph_questions(items: list[Block], found: Collected) -> list[Question]:
    questions: list[Question] = []
    answers = answer_paragraphs(items)
    options = following(items, "item")
    for position, block in enumerate(items):
        assert block.paragraph is not None
        kind = block.kind
        text = clean_text(block.paragraph.text)
        if kind == "heading":
            found.set_section(split_number(text)[1])
        if kind != "question":
            continue
        number, body = _number_and_text(block.label, text)
        body, boxes, ticked = trailing_choices(body)
        answer_type, choices = (answer_type_for(boxes), boxes) if boxes else inline_choices(body)
        listed = list_choices(options.get(position, []))
        if listed and not choices:
            multi = _MULTI.search(body) is not None
            answer_type, choices = ("multi_choice" if multi else answer_type_for(listed)), listed
        existing = " ".join(
            _ANSWER_PREFIX.sub("", clean_text(b.paragraph.text)) for b in answers[position] if b.paragraph
        )
        questions.append(
            Question(
                ref=f"p{block.index}",
                number=number,
                section=found.section,
                text=body,
                answer_type=answer_type,
                choices=choices,
                location=Location(kind="docx_paragraph", paragraph=block.index),
                existing_answer=ticked or existing.strip() or None,
            )
        )
    return questions


def list_choices(items: list[Block]) -> tuple[str, ...]:
    """Short list entries under a question are its choices ("a. Daily", "b. Weekly")."""
    texts = [split_number(clean_text(b.paragraph.text))[1] for b in items if b.paragraph is not None]
    return tuple(texts) if len(texts) >= 2 and all(len(t.split()) <= 10 for t in texts) else ()


def _number_and_text(label: str | None, text: str) -> tuple[str | None, str]:
    if label:
        number = normalize_number(label)
        prefixed, rest = split_number(text)
        return number or None, rest if prefixed == number else text
    return split_number(text)


def table_grid(table: Table) -> list[list[str | None]]:
    """Cell texts by grid position; merged cells repeat their text, as Word shows them."""
    return [[cell_text(cell) for cell in row.cells] for row in table.rows]


def table_questions(table: Table, t_index: int, found: Collected) -> list[Question]:
    grid = table_grid(table)
    layout = find_layout(grid)
    found.tables.append({"table": t_index, "layout": None if layout is None else asdict(layout)})
    if layout is None:
        return []
    questions: list[Question] = []
    for r in range(layout.header_row + 1, len(grid)):
        row = read_row(grid[r], layout)
        if row.kind == "banner":
            found.set_section(row.text)
        elif row.kind == "continuation" and questions:
            last = questions[-1]
            questions[-1] = replace(last, text=f"{last.text} {row.text}")
        elif row.kind == "question":
            questions.append(_table_question(row, r, t_index, layout, found))
    return infer_yes_no(questions)


def _table_question(row: Row, r: int, t_index: int, layout: Layout, found: Collected) -> Question:
    col = layout.answer_col if layout.answer_col is not None else layout.question_col
    answer_type, choices = row_choices(row, layout)
    return Question(
        ref=f"t{t_index}r{r}",
        number=row.number,
        section=found.section,
        text=row.text,
        answer_type=answer_type,
        choices=choices,
        location=Location(kind="docx_cell", table=t_index, row=r, col=col),
        existing_answer=row.answer if layout.answer_col is not None else None,
    )
