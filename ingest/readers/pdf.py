"""PDF questionnaires: fillable forms (AcroForm), ruled tables, borderless tables, or numbered text.

Pipeline: ``check_file`` -> ``open_checked`` (corrupt, encrypted, page limit: all before extraction) ->
``scan`` (each page parsed once: lines, words, ruled tables) -> ``require_text`` (no text layer: needs
OCR) -> ``form_questions`` (pdf_forms) when the PDF has fields, else ``_table_or_text``: ruled tables
(pdf_tables) plus numbered text outside them, else the better of a borderless table (pdf_columns) and
numbered text (pdf_text). Running headers and footers are dropped first (``pdf_text.furniture_keys``).
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException
from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from core.errors import CorruptFile, EncryptedFile, LimitExceeded, NeedsOCR, TrustdeskError, UnsupportedFormat
from ingest.limits import Limits
from ingest.model import Question, Questionnaire
from ingest.readers.pdf_columns import borderless_page_questions, text_rows
from ingest.readers.pdf_forms import (
    Field,
    OptionBox,
    field_question,
    group_fields,
    group_question,
    is_option_box,
    nearby_label,
    side_texts,
)
from ingest.readers.pdf_tables import (
    TableState,
    infer_yes_no,
    page_table_questions,
)
from ingest.readers.pdf_text import (
    Line,
    furniture_key,
    furniture_keys,
    headings,
    page_lines,
    text_questions,
)
from ingest.sniff import check_file

NAME = "pdf"
MIN_CHARS_PER_PAGE = 20


def score(head: bytes, filename: str) -> int:
    return 90 if b"%PDF-" in head[:1024] else 0


@dataclass
class Document:
    name: str
    reader: PdfReader
    warnings: list[str] = field(default_factory=list)
    restricted: bool = False


def _corrupt(name: str, exc: BaseException) -> CorruptFile:
    return CorruptFile(
        f"the PDF could not be read ({type(exc).__name__}: {exc})",
        where=name,
        fix="open it in a PDF viewer and print or export it to a new PDF, or upload the original DOCX/XLSX",
    )


def _out_of_memory(exc: BaseException) -> bool:
    """A decompression that ran into the sandbox's memory cap (zlib says "Unable to allocate")."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, MemoryError) or "unable to allocate" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _too_large(name: str, exc: BaseException) -> LimitExceeded:
    return LimitExceeded(
        "Document too large or complex: a compressed stream expands beyond the memory allowed for one file",
        where=name,
        fix="send the questionnaire as a simpler PDF (print it to a new PDF) or as the original DOCX/XLSX",
    )


def _encrypted(name: str) -> EncryptedFile:
    return EncryptedFile(
        "the PDF is password-protected",
        where=name,
        fix="open it with its password and save an unprotected copy (Print > Save as PDF), then upload that",
    )


def open_checked(path: Path, *, limits: Limits) -> Document:
    """Open with pypdf and refuse, before any extraction: corrupt, user-password, too many pages."""
    name = path.name
    try:
        reader = PdfReader(path, strict=False)
        restricted = False
        if reader.is_encrypted:
            if not reader.decrypt(""):
                raise _encrypted(name)
            restricted = True
        pages = len(reader.pages)
    except TrustdeskError:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        raise _encrypted(name) from exc
    except Exception as exc:  # untrusted input: any parser failure is a damaged file, never a crash
        raise _corrupt(name, exc) from exc
    if pages > limits.max_pages:
        raise LimitExceeded(
            f"Too many pages (max {limits.max_pages:,}): the PDF has {pages:,} pages",
            where=name,
            fix="split the PDF into the questionnaire pages only, or raise TRUSTDESK_MAX_PAGES",
        )
    if pages == 0:
        raise CorruptFile("the PDF has no pages", where=name, fix="export the questionnaire to PDF again")
    return Document(name=name, reader=reader, restricted=restricted)


def read(path: Path, *, limits: Limits) -> Questionnaire:
    kind = check_file(path, limits=limits, display=path.name)
    if kind != "pdf":
        raise UnsupportedFormat(
            f"the content is not a PDF (it looks like {kind})", where=path.name, fix="upload the PDF itself"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        doc = open_checked(path, limits=limits)
        result = _extract(path, doc)
    result.warnings.extend(f"{path.name}: {w.message}" for w in caught)
    return result


@dataclass
class Scan:
    """Everything read from the pages in one pass (each page is parsed once, then freed)."""

    heights: list[float] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    words: list[list[list[dict[str, Any]]]] = field(default_factory=list)
    tables: TableState = field(default_factory=TableState)
    table_questions: list[Question] = field(default_factory=list)


def scan(pdf: Any, *, tables: bool) -> Scan:
    result = Scan()
    for number, page in enumerate(pdf.pages, start=1):
        result.heights.append(float(page.height))
        result.widths.append(float(page.width))
        result.lines.extend(page_lines(page))
        result.words.append(text_rows(page.extract_words()))
        if tables:
            page_table_questions(page, number, result.tables, result.table_questions)
        page.close()
    return result


def _extract(path: Path, doc: Document) -> Questionnaire:
    try:
        fields = group_fields(doc.reader)
        # our own file object: pdfplumber closes the one it opens only on pdfminer's errors, and a
        # damaged file can fail otherwise (a descriptor leaked per hostile upload)
        with path.open("rb") as fh, pdfplumber.open(fh, password="") as pdf:
            pages = scan(pdf, tables=not fields)
        if not fields:
            require_text(pages.lines, len(pages.heights), doc.name)
            questions, sections, detected = _table_or_text(pages)
        else:
            questions = form_questions(fields, pages)
            sections = list(dict.fromkeys(q.section for q in questions if q.section))
            detected = {"mode": "form", "fields": len(fields)}
    except TrustdeskError:
        raise
    except PdfminerException as exc:
        if exc.args and isinstance(exc.args[0], PDFPasswordIncorrect):
            raise _encrypted(doc.name) from exc
        raise _too_large(doc.name, exc) if _out_of_memory(exc) else _corrupt(doc.name, exc) from exc
    except MemoryError as exc:
        raise _too_large(doc.name, exc) from exc
    except Exception as exc:  # untrusted input: any parser failure is a damaged file, never a crash
        raise _corrupt(doc.name, exc) from exc
    detected["permissions_restricted"] = doc.restricted
    detected["pages"] = len(pages.heights)
    acroform = doc.reader.root_object.get("/AcroForm")
    if acroform is not None and "/XFA" in acroform.get_object():
        doc.warnings.append(f"{doc.name}: an XFA form; only its AcroForm fields (if any) were read")
    if not questions:
        doc.warnings.append(f"{doc.name}: no questions found (mode {detected['mode']})")
    return Questionnaire(str(path), NAME, questions, sections, doc.warnings, detected)


def _table_or_text(pages: Scan) -> tuple[list[Question], list[str], dict[str, Any]]:
    """Ruled tables first; else the larger of a borderless table (header-anchored columns) and text."""
    furniture = furniture_keys(pages.lines, pages.heights)
    if pages.table_questions:
        return _tables_and_text(pages, furniture)
    loose = TableState()
    questions: list[Question] = []
    for number, rows in enumerate(pages.words, start=1):
        kept = [r for r in rows if furniture_key(_joined(r)) not in furniture]
        borderless_page_questions(kept, number, pages.widths[number - 1], loose, questions)
    sections: list[str] = []
    found = text_questions([ln for ln in pages.lines if furniture_key(ln.text) not in furniture], sections)
    if questions and len(questions) >= len(found):
        layout = None if loose.layout is None else asdict(loose.layout)
        return (
            infer_yes_no(questions),
            loose.sections,
            {"mode": "borderless", "layout": layout, "columns": loose.starts},
        )
    return found, sections, {"mode": "text"}


def _tables_and_text(pages: Scan, furniture: set[str]) -> tuple[list[Question], list[str], dict[str, Any]]:
    """Questions from ruled tables, plus numbered questions printed outside those tables, in page order."""
    boxes = [(t["page"], t["bbox"]) for t in pages.tables.detected if t["layout"] or t["other_columns"]]

    def outside(ln: Line) -> bool:
        return not any(p == ln.page and b[1] - 2 <= ln.top and ln.bottom <= b[3] + 2 for p, b in boxes)

    sections: list[str] = []
    lines = [ln for ln in pages.lines if outside(ln) and furniture_key(ln.text) not in furniture]
    extra = text_questions(lines, sections)
    merged = sorted([*infer_yes_no(pages.table_questions), *extra], key=_position)
    detected = {"mode": "tables+text" if extra else "tables", "tables": pages.tables.detected}
    return merged, list(dict.fromkeys(q.section for q in merged if q.section)), detected


def _position(question: Question) -> tuple[int, float]:
    box = question.location.box or (0.0, 0.0, 0.0, 0.0)
    return question.location.page or 0, box[1]


def _joined(words: list[dict[str, Any]]) -> str:
    return " ".join(str(w["text"]) for w in words)


def require_text(lines: list[Line], pages: int, name: str) -> None:
    chars = sum(len(line.text.strip()) for line in lines)
    if chars < MIN_CHARS_PER_PAGE * max(pages, 1):
        raise NeedsOCR(
            f"no selectable text found ({chars} characters on {pages} page(s)): a scanned document?",
            where=name,
            fix="scanned PDF: run OCR first, e.g. ocrmypdf in.pdf out.pdf, or upload the original DOCX/XLSX",
        )


def form_questions(fields: list[Field], pages: Scan) -> list[Question]:
    """One question per field, except check boxes for Yes / No on one line, which make one question;
    a question's section is the last heading printed above its widget."""
    questions: list[Question] = []
    titles = headings(pages.lines)
    group: list[OptionBox] = []
    for item in [*fields, None]:
        option = _option_box(item, pages) if item is not None else None
        if group and (option is None or not _same_line(group[0], option)):
            questions.extend(_flush(group, pages))
            group = []
        if option is not None:
            group.append(option)
        elif item is not None:
            questions.extend(_field_question(item, pages))
    return [_with_section(q, titles) for q in questions]


def _flush(group: list[OptionBox], pages: Scan) -> list[Question]:
    """Boxes of one line as one question; a lone check box is a yes/no question of its own."""
    if len(group) == 1:
        return _field_question(group[0].item, pages)
    first = group[0]
    above = (
        ""
        if first.left
        else nearby_label([ln.__dict__ for ln in pages.lines if ln.page == first.item.page], first.box)
    )
    return [group_question(group, above)]


def _box(item: Field, pages: Scan) -> tuple[float, float, float, float]:
    height = pages.heights[item.page - 1]
    x0, y0, x1, y1 = item.rect
    return (x0, height - max(y0, y1), x1, height - min(y0, y1))


def _option_box(item: Field, pages: Scan) -> OptionBox | None:
    box = _box(item, pages)
    words = [w for row in pages.words[item.page - 1] for w in row] if pages.words else []
    left, right = side_texts(words, box)
    label = is_option_box(item, right)
    return OptionBox(item, box, label, left) if label else None


def _same_line(first: OptionBox, other: OptionBox) -> bool:
    return first.item.page == other.item.page and abs(first.box[1] - other.box[1]) < 4


def _field_question(item: Field, pages: Scan) -> list[Question]:
    page_text = [ln.__dict__ for ln in pages.lines if ln.page == item.page]
    label = "" if item.tooltip else nearby_label(page_text, _box(item, pages))
    question = field_question(item, label, pages.heights[item.page - 1])
    return [question] if question is not None else []


def _with_section(question: Question, titles: list[tuple[int, float, str]]) -> Question:
    box = question.location.box or (0.0, 0.0, 0.0, 0.0)
    above = [title for page, top, title in titles if (page, top) < (question.location.page or 0, box[1])]
    return replace(question, section=above[-1] if above else None)
