"""Word documents: questions in tables and in numbered, bulleted or plain paragraphs.

Pipeline: ``check_file`` (zip guard) -> ``open_document`` -> ``blocks`` (body paragraphs and tables in
order, tables nested in table cells included, each paragraph with Word's printed number from
``docx_numbering`` and its form controls from ``docx_controls``) -> ``paragraph_questions`` and
``docx_tables.table_questions`` -> one ``Questionnaire``. Headings become sections. A question's answer
goes into its form control when it has one (a text field, check boxes, a drop-down list).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from core.errors import CorruptFile, TrustdeskError, UnsupportedFormat
from ingest.limits import Limits
from ingest.model import Location, Question, Questionnaire
from ingest.readers._vocabulary import CHECKED, UNCHECKED
from ingest.readers.docx_controls import Parts, render
from ingest.readers.docx_numbering import Numbering, Styles, W
from ingest.readers.docx_tables import (
    Collected,
    dropdown_choices,
    table_grid,
    table_questions,
    unique_cells,
)
from ingest.readers.pdf_tables import (
    find_layout,
    inline_choices,
    trailing_choices,
)
from ingest.sniff import check_file
from ingest.text import (
    answer_type_for,
    clean_text,
    is_noise,
    is_question_text,
    looks_like_prompt,
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
    parts: Parts = field(default_factory=Parts)

    @property
    def text(self) -> str:
        """The paragraph's clean text, without the values of its form controls."""
        return clean_text(self.parts.text)


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
    """Body paragraphs and tables in document order, content controls and tables nested in table cells
    included; numbering counters advance as Word's do."""
    styles = Styles.from_element(document.styles.element)
    numbering = Numbering.from_element(_numbering_root(document), styles.numbered_styles())
    walk = Walk(styles, numbering)
    yield from walk.items(body_items(document._body._body, document._body))


@dataclass
class Walk:
    """Numbers paragraphs and tables in document order while descending into nested tables."""

    styles: Styles
    numbering: Numbering
    paragraphs: int = 0
    tables: int = 0

    def items(self, items: Iterator[Paragraph | Table]) -> Iterator[Block]:
        for item in items:
            if isinstance(item, Table):
                yield from self.table(item)
                continue
            ppr = item._p.pPr
            num = self.styles.num_pr(ppr)
            label = self.numbering.advance(*num) if num else None
            block = Block(paragraph=item, index=self.paragraphs, label=label, style=self.styles.name(ppr))
            block.parts = render(item._p)
            block.kind = paragraph_kind(block)
            yield block
            self.paragraphs += 1

    def table(self, table: Table) -> Iterator[Block]:
        """A table, then the tables nested in its cells. A table that only lays out nested tables (no
        question layout of its own) is a frame: its cells' paragraphs and tables are read as body."""
        cells = unique_cells(table)
        nested = [c for c in cells if c._tc.find(f"{W}tbl") is not None]
        if nested and find_layout(table_grid(table)) is None:
            for frame in cells:
                inside = list(self.items(body_items(frame._tc, frame)))
                titled(inside)
                yield from inside
            return
        yield Block(table=table, table_index=self.tables)
        self.tables += 1
        for holder in nested:
            yield from self.items(t for t in body_items(holder._tc, holder) if isinstance(t, Table))


def titled(inside: list[Block]) -> None:
    """In a frame cell, a short first line that asks nothing titles what follows: a section."""
    first = next((b for b in inside if b.table is not None or b.text), None)
    short = first is not None and len(first.text.split()) <= 10 and not first.text.endswith((".", "?", ":"))
    if first is not None and short and first.kind in {"text", "item"}:
        first.kind = "heading"


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
    text = block.text
    if heading_level(block.style) is not None:
        if text.endswith("?") and is_question_text(split_number(text)[1]):
            return "question"  # questions set as headings (RFP style)
        return "heading" if text else "noise"
    if not text or is_noise(text):
        return "noise"
    if text[0] in CHECKED + UNCHECKED:
        return "item"  # one choice of the question above, printed with its box
    prefix, rest = split_number(text)
    numbered = bool(block.label) or prefix is not None
    if is_question_text(rest) and (numbered or block.label == "" or text.endswith("?")):
        return "question"
    if numbered and text.endswith(":") and len(text.split()) <= 12:
        return "question"
    if block.parts.controls and looks_like_prompt(rest) and len(rest.split()) <= 40:
        return "question"  # a label followed by a form field to fill in
    return "item" if numbered or block.label == "" else "text"


def paragraph_questions(items: list[Block], found: Collected) -> list[Question]:
    questions: list[Question] = []
    answers = answer_paragraphs(items)
    options = following(items, "item")
    for position, block in enumerate(items):
        assert block.paragraph is not None
        kind = block.kind
        text = block.text
        if kind == "heading":
            found.set_section(split_number(text)[1])
        if kind != "question":
            continue
        number, body = _number_and_text(block.label, text)
        body, boxes, ticked = trailing_choices(body)
        boxes = boxes or dropdown_choices(block.parts.controls)
        answer_type, choices = (answer_type_for(boxes), boxes) if boxes else inline_choices(body)
        if block.parts.controls and not boxes:
            body = body.rstrip(" :") or body
        listed = list_choices(options.get(position, []))
        if listed and not choices:
            multi = _MULTI.search(body) is not None
            answer_type, choices = ("multi_choice" if multi else answer_type_for(listed)), listed
            ticked = ticked or ", ".join(box_label(b.text) for b in options[position] if b.text[0] in CHECKED)
        inline = " ".join(block.parts.values)
        existing = inline or " ".join(
            _ANSWER_PREFIX.sub("", b.text) for b in answers[position] if b.paragraph
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
    texts = [box_label(b.text) for b in items if b.paragraph is not None]
    return tuple(texts) if len(texts) >= 2 and all(len(t.split()) <= 10 for t in texts) else ()


def box_label(text: str) -> str:
    """A list entry's label: its number ("a.") or its printed box ("☐") left out."""
    return split_number(text.lstrip(CHECKED + UNCHECKED).strip())[1]


def _number_and_text(label: str | None, text: str) -> tuple[str | None, str]:
    if label:
        number = normalize_number(label)
        prefixed, rest = split_number(text)
        return number or None, rest if prefixed == number else text
    return split_number(text)
